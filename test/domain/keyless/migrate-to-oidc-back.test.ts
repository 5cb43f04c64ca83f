/**
 * `migrate-to-oidc --back`: the key the target's secret holds reactivated and put back into a connection on
 * OIDC, read back; refused with a reason when there is nothing to go back from or no key to go back to.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallFailedError } from '../../../src/domain/errors.js';
import { CONNECTION_ID, KEY, MigrationWorld, OPTIONS, SECRET, TARGET } from './support/migration-world.js';

const OPERATOR = 'arn:aws:iam::123456789012:role/deploy';

let world: MigrationWorld;

beforeEach(async () => {
  // Prepare: migrated.
  world = new MigrationWorld();
  expect((await world.migration().execute('web', OPTIONS)).outcome).toBe('migrated');
  world.faults.calls.length = 0;
});

describe('Class: MigrateToOidc (back)', () => {
  it('plans without --yes: reactivate the key the secret holds, put it back, nothing changed', async () => {
    // Act
    const report = await world.migration().back('web', { apply: false });
    // Assess
    expect(report).toEqual({
      targetName: 'web',
      outcome: 'planned',
      plan: null,
      steps: [
        `reactivate the key ${KEY} the secret rotator/web holds`,
        `put it back into connection ${CONNECTION_ID} in place (useOIDC off, role to assume none); read it back`,
      ],
      actions: [],
      warnings: [],
      error: null,
      stateLeft: 'Unchanged: a dry run (add --yes to go back).',
    });
    expect(world.mutations()).toEqual([]);
  });

  it('reactivates the key and puts it back with the role to assume given, read back', async () => {
    // Act
    const report = await world.migration().back('web', { apply: true, roleArn: OPERATOR });
    // Assess
    expect(report).toMatchObject({
      outcome: 'restored',
      steps: [
        `reactivate the key ${KEY} the secret rotator/web holds`,
        `put it back into connection ${CONNECTION_ID} in place (useOIDC off, role to assume ${OPERATOR}); read it back`,
      ],
      actions: [
        `reactivated ${KEY}`,
        `connection ${CONNECTION_ID} holds ${KEY} again (read back); the OIDC role and provider are left in place`,
      ],
      error: null,
      stateLeft:
        `The connection holds ${KEY}, which is active: add web back to the configuration and redeploy so it ` +
        'rotates.',
    });
    expect(world.iam.keys('ado-web').map((k) => k.status)).toEqual(['Active']);
    expect(world.inventory.connections.get(CONNECTION_ID)).toMatchObject({ auth: 'keys', assumeRoleArn: OPERATOR });
    expect(world.inventory.restoredSecrets.get(CONNECTION_ID)).toBe(SECRET);
  });

  it("reactivates the secret's key, not another key of the user", async () => {
    // Prepare: the user's first key is another, active one.
    await world.iam.deleteKey('ado-web', KEY);
    world.iam.seedKey('ado-web', { accessKeyId: 'AKIAOTHER00000000001' });
    world.iam.seedKey('ado-web', { accessKeyId: KEY, secretAccessKey: SECRET, status: 'Inactive' });
    // Act
    const report = await world.migration().back('web', { apply: true });
    // Assess
    expect(report.steps[0]).toBe(`reactivate the key ${KEY} the secret rotator/web holds`);
    expect(world.iam.keys('ado-web').map((k) => [k.accessKeyId, k.status])).toEqual([
      ['AKIAOTHER00000000001', 'Active'],
      [KEY, 'Active'],
    ]);
  });

  it('keeps a key that is still active, and puts it back without a role', async () => {
    // Prepare
    await world.iam.setKeyStatus('ado-web', KEY, 'Active');
    world.faults.calls.length = 0;
    // Act
    const report = await world.migration().back('web', { apply: true });
    // Assess
    expect(report.steps[0]).toBe(`keep the key ${KEY} the secret rotator/web holds`);
    expect(report.actions).toEqual([
      `connection ${CONNECTION_ID} holds ${KEY} again (read back); the OIDC role and provider are left in place`,
    ]);
    expect(world.mutations()).toEqual(['inventory.restoreKey']);
    expect(world.inventory.connections.get(CONNECTION_ID)?.assumeRoleArn).toBeNull();
  });

  it.each([
    [
      'a connection that is not on OIDC',
      async () => {
        await world.migration().back('web', { apply: true });
      },
      `connection ${CONNECTION_ID} is not on OIDC (keys): there is nothing to go back from`,
    ],
    [
      'a key its user no longer has',
      async () => {
        await world.iam.deleteKey('ado-web', KEY);
      },
      `the secret rotator/web holds ${KEY}, which IAM user ado-web no longer has: create a key and put it into ` +
        'the connection by hand',
    ],
    [
      'a secret that does not exist',
      () => {
        world.targets.replace({ ...TARGET, secretId: 'rotator/missing' });
      },
      'the secret rotator/missing holds no key, which IAM user ado-web no longer has: create a key and put it into ' +
        'the connection by hand',
    ],
  ])('refuses %s, changing nothing', async (_case, setup, reason) => {
    // Prepare
    await setup();
    world.faults.calls.length = 0;
    // Act
    const report = await world.migration().back('web', { apply: true });
    // Assess
    expect(report).toMatchObject({
      outcome: 'refused',
      error: { name: 'MigrationRefusedError', message: reason },
      stateLeft: 'Unchanged.',
    });
    expect(world.mutations()).toEqual([]);
  });

  it('names no key in its plan when the secret does not exist', async () => {
    // Prepare
    world.targets.replace({ ...TARGET, secretId: 'rotator/missing' });
    // Act
    const report = await world.migration().back('web', { apply: false });
    // Assess
    expect(report.steps[0]).toBe('keep the key (none) the secret rotator/missing holds');
  });

  it.each([
    [
      'the key cannot be reactivated',
      () => world.faults.fail('iam.setKeyStatus', new AwsCallFailedError('UpdateAccessKey: HTTP 500')),
      'nothing changed',
      { name: 'AwsCallFailedError', message: 'UpdateAccessKey: HTTP 500' },
    ],
    [
      'the connection reads back on OIDC',
      () => {
        world.inventory.readAfterRestore = (c) => ({ ...c, auth: 'oidc' });
      },
      `reactivated ${KEY}`,
      { name: 'PublishNotVerifiedError', message: `connection ${CONNECTION_ID} reads oidc after the update` },
    ],
    [
      'the connection reads back another key',
      () => {
        world.inventory.readAfterRestore = (c) => ({ ...c, heldAccessKeyId: 'AKIAOTHER00000000001' });
      },
      `reactivated ${KEY}`,
      { name: 'PublishNotVerifiedError', message: `connection ${CONNECTION_ID} reads keys after the update` },
    ],
  ])('needs a human when %s', async (_case, setup, done, error) => {
    // Prepare
    setup();
    // Act
    const report = await world.migration().back('web', { apply: true });
    // Assess
    expect(report).toMatchObject({
      outcome: 'failed',
      error,
      stateLeft: `Needs a human: ${done}; the connection may still be on OIDC.`,
    });
  });

  it('lets an error that is not a rotator error through', async () => {
    // Prepare
    world.faults.fail('inventory.restoreKey', new TypeError('bug'));
    // Act / Assess
    await expect(world.migration().back('web', { apply: true })).rejects.toThrow(TypeError);
  });
});
