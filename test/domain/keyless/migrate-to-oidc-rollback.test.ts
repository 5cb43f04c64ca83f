/**
 * `migrate-to-oidc` after the switch: a read-back that does not show the switch, a canary that fails, is
 * cancelled or never finishes, each puts the key back (read back too) and says so; a rollback that fails
 * says what a person must do. And the way back (`--back`).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectionGoneError } from '../../../src/domain/errors.js';
import type { DiscoveredConnection } from '../../../src/ports/azure-devops-inventory.port.js';
import {
  CANARY,
  CONNECTION_ID,
  KEY,
  MigrationWorld,
  OPTIONS,
  ORG,
  ROLE_ARN,
  SECRET,
} from './support/migration-world.js';

const CANARY_URL = `${ORG}/payments/_build/results?buildId=501`;
const ROLLED_BACK =
  `rolled back: connection ${CONNECTION_ID} holds ${KEY} again (read back); the keys were not ` + 'touched';
const PREVIOUS_ROLE = 'arn:aws:iam::123456789012:role/deploy';

let world: MigrationWorld;

beforeEach(() => {
  world = new MigrationWorld();
});

describe('Class: MigrateToOidc (rollback)', () => {
  it.each<[string, (c: DiscoveredConnection) => DiscoveredConnection, string]>([
    ['still holds a key', (c) => ({ ...c, auth: 'keys' }), `keys with role ${ROLE_ARN} and projects payments, shared`],
    ['names another role', (c) => ({ ...c, assumeRoleArn: null }), 'oidc with role none and projects payments, shared'],
    [
      'is another connection',
      (c) => ({ ...c, id: 'other' }),
      `oidc with role ${ROLE_ARN} and projects payments, shared`,
    ],
    ['lost a project', (c) => ({ ...c, projects: ['payments'] }), `oidc with role ${ROLE_ARN} and projects payments`],
  ])('puts the key back when the connection read back %s', async (_case, read, reads) => {
    // Prepare
    world.inventory.readAfterSwitch = read;
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      stateLeft:
        `Unchanged for pipelines: the connection holds its key ${KEY} again, which is active; the OIDC provider ` +
        'and role are left for a re-run.',
      error: {
        name: 'PublishNotVerifiedError',
        message: `after the update, connection ${CONNECTION_ID} reads ${reads}, not OIDC with ${ROLE_ARN}`,
      },
    });
    expect(report.actions.slice(-1)).toEqual([ROLLED_BACK]);
    expect(world.inventory.restoredSecrets.get(CONNECTION_ID)).toBe(SECRET);
    expect(world.iam.keys('ado-web').map((k) => k.status)).toEqual(['Active']);
  });

  it.each([
    [
      ['shared', 'payments'],
      ['payments', 'shared'],
    ],
    [
      ['payments', 'shared'],
      ['shared', 'payments'],
    ],
  ])('takes projects %j read back as %j as the same', async (before, after) => {
    // Prepare
    world.inventory.change(CONNECTION_ID, { projects: before });
    world.inventory.readAfterSwitch = (c) => ({ ...c, projects: after });
    // Act / Assess
    expect((await world.migration().execute('web', OPTIONS)).outcome).toBe('migrated');
  });

  it.each<[string, { canaryWorks?: boolean; outcome?: 'canceled' }, string]>([
    ['fails', { canaryWorks: false }, 'ended failed'],
    ['is cancelled', { outcome: 'canceled' as const }, 'ended canceled'],
  ])('puts the key back, and the role to assume it had, when the canary %s', async (_case, setup, ended) => {
    // Prepare
    world.inventory.change(CONNECTION_ID, { assumeRoleArn: PREVIOUS_ROLE });
    world.canaryWorks = setup.canaryWorks ?? true;
    world.seedCanary(setup.outcome ? { outcome: setup.outcome } : {});
    // Act
    const report = await world.migration().execute('web', { ...OPTIONS, roleArn: ROLE_ARN, canaryPipelineId: CANARY });
    // Assess
    expect(report.error).toEqual({
      name: 'CanaryRunFailedError',
      message: `canary run 501 of pipeline ${CANARY} ${ended} with the connection on OIDC (${CANARY_URL})`,
    });
    expect(report.outcome).toBe('rolled-back');
    const restore = world.inventory.log.find((l) => l.call === 'restoreKey');
    expect(restore?.args.slice(1)).toEqual([CONNECTION_ID, KEY, PREVIOUS_ROLE]);
  });

  it('says a completed run without a result failed', async () => {
    // Prepare
    world.seedCanary({ readsToComplete: 1 });
    const readRun = world.runs.readRun.bind(world.runs);
    world.runs.readRun = async (ref, id) => ({ ...(await readRun(ref, id)), result: null });
    // Act
    const report = await world.migration().execute('web', { ...OPTIONS, canaryPipelineId: CANARY });
    // Assess
    expect(report.error?.message).toBe(
      `canary run 501 of pipeline ${CANARY} ended without a result with the connection on OIDC (${CANARY_URL})`,
    );
  });

  it.each<[{ canaryTimeoutMs?: number; canaryPollMs?: number }, number, string]>([
    [{}, 120, 'within 20 minutes'],
    [{ canaryTimeoutMs: 30_000, canaryPollMs: 10_000 }, 3, 'within 1 minutes'],
    [{ canaryTimeoutMs: 150_000, canaryPollMs: 60_000 }, 3, 'within 3 minutes'],
  ])(
    'gives up on a canary that never finishes (%j), polling until the budget is spent',
    async (budget, polls, within) => {
      // Prepare
      world.seedCanary({ outcome: 'never-completes' });
      // Act
      const report = await world.migration().execute('web', { ...OPTIONS, canaryPipelineId: CANARY, ...budget });
      // Assess
      expect(report.outcome).toBe('rolled-back');
      expect(report.error?.message).toBe(
        `canary run 501 of pipeline ${CANARY} did not finish ${within} (${CANARY_URL})`,
      );
      expect(world.clock.sleeps).toHaveLength(polls);
      expect(new Set(world.clock.sleeps)).toEqual(new Set([budget.canaryPollMs ?? 10_000]));
    },
  );

  it('lets an error that is not a rotator error through after the switch', async () => {
    // Prepare
    world.faults.fail('inventory.switchToOidc', new TypeError('bug'));
    // Act / Assess
    await expect(world.migration().execute('web', OPTIONS)).rejects.toThrow(TypeError);
  });

  it.each([
    [
      'cannot put the key back',
      () => world.faults.fail('inventory.restoreKey', new ConnectionGoneError('connection c gone')),
      'ConnectionGoneError: connection c gone',
    ],
    [
      'reads back something else',
      () => {
        world.inventory.readAfterRestore = (c) => ({ ...c, auth: 'oidc' });
      },
      `PublishNotVerifiedError: connection ${CONNECTION_ID} reads oidc after the rollback`,
    ],
    [
      'reads back another key',
      () => {
        world.inventory.readAfterRestore = (c) => ({ ...c, heldAccessKeyId: 'AKIAOTHER00000000001' });
      },
      `PublishNotVerifiedError: connection ${CONNECTION_ID} reads keys after the rollback`,
    ],
  ])('needs a human when the rollback %s, and keeps the first error', async (_case, setup, failure) => {
    // Prepare
    world.inventory.readAfterSwitch = (c) => ({ ...c, auth: 'keys' });
    setup();
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(report).toMatchObject({
      outcome: 'failed',
      stateLeft:
        `Needs a human: connection ${CONNECTION_ID} may be on OIDC with a failing role; put the key back by hand ` +
        'or re-run migrate-to-oidc --back.',
      error: { name: 'PublishNotVerifiedError' },
    });
    expect(report.actions.at(-1)).toBe(`the rollback failed: ${failure}`);
  });
});
