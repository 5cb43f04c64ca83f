/**
 * `migrate-to-oidc` over in-memory ports: the plan, the refusals, the IAM set-up, the switch and its
 * read-back, the canary, the keys deactivated last, and every failure's rollback with the state it leaves.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsAccessDeniedError, AwsCallFailedError, MigrationRefusedError } from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { describePlan } from '../../../src/domain/keyless/migration-plan.js';
import { DEFAULT_OIDC_SETTINGS, ENTRA_ISSUER_TEMPLATE } from '../../../src/domain/keyless/oidc.js';
import {
  CANARY,
  CONNECTION_ID,
  HOST,
  KEY,
  MANAGED,
  MigrationWorld,
  OPTIONS,
  ORG,
  PROVIDER_ARN,
  ROLE_ARN,
  SECRET,
  TARGET,
} from './support/migration-world.js';

const RETIRING =
  `the issuer https://${HOST} is being retired by Microsoft (deprecated 2026-07-01, retired 2027-07-01): plan to ` +
  'move the trust to the replacement issuer (README, "Go keyless")';
const SWITCHED =
  `switched connection ${CONNECTION_ID} to OIDC with role ${ROLE_ARN} (read back: same id, same 2 ` + 'project(s))';
const CANARY_URL = `${ORG}/payments/_build/results?buildId=501`;

let world: MigrationWorld;

beforeEach(() => {
  world = new MigrationWorld();
});

describe('Class: MigrateToOidc (execute)', () => {
  it('plans without --yes: the steps, the warnings, and nothing changed', async () => {
    // Act
    const report = await world.migration().execute('web', { ...OPTIONS, apply: false });
    // Assess
    expect(report).toMatchObject({
      targetName: 'web',
      outcome: 'planned',
      actions: [],
      warnings: [RETIRING],
      error: null,
      stateLeft: 'Unchanged: a dry run (add --yes to migrate).',
    });
    expect(report.steps).toEqual(describePlan(report.plan as NonNullable<typeof report.plan>, 9, null));
    expect(report.plan?.role).toMatchObject({ action: 'create', arn: ROLE_ARN });
    expect(world.mutations()).toEqual([]);
  });

  it('refuses, even with --yes, what cannot move, and changes nothing', async () => {
    // Prepare
    world.inventory.change(CONNECTION_ID, { externalId: true });
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect([report.outcome, report.stateLeft]).toEqual(['refused', 'Unchanged: nothing was created or updated.']);
    expect(report.plan?.refusals.map((r) => r.code)).toEqual(['ExternalId']);
    expect(world.mutations()).toEqual([]);
  });

  it('refuses a target whose secret does not exist: there would be no way back', async () => {
    // Prepare
    world.targets.replace({ ...TARGET, secretId: 'rotator/missing' });
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(report.outcome).toBe('refused');
    expect(report.plan?.refusals.map((r) => r.reason)).toEqual([
      `the secret rotator/missing holds nothing, not the connection's key ${KEY}: without its secret a failed move ` +
        'could not be undone; run a rotation first',
    ]);
  });

  it('refuses a target whose user lives in another account, saying where to run it', async () => {
    // Prepare
    world.targets.replace({ ...TARGET, assumeRole: { roleArn: 'arn:aws:iam::222222222222:role/rotator-{step}' } });
    // Act / Assess
    await expect(world.migration().execute('web', OPTIONS)).rejects.toThrow(
      new MigrationRefusedError(
        "target web's IAM user lives in account 222222222222 (assumeRole): migrate-to-oidc works in the account " +
          "it runs in only; run it there with that account's credentials and a configuration naming the target " +
          'without assumeRole, or create the role with AdoOidcRole in that account',
        { context: { target: 'web' } },
      ),
    );
    expect(world.faults.calls).toEqual([]);
  });

  it("with --yes: provider, role with the user's policies, switch read back, canary, keys deactivated", async () => {
    // Prepare
    world.seedCanary();
    // Act
    const report = await world.migration().execute('web', {
      ...OPTIONS,
      canaryPipelineId: CANARY,
      canaryBranch: 'refs/heads/main',
    });
    // Assess
    expect(report.actions).toEqual([
      `created the OIDC provider ${PROVIDER_ARN}`,
      `created the role ${ROLE_ARN}`,
      "gave the role the user's 1 managed and 1 inline policies",
      SWITCHED,
      `canary run 501 of pipeline ${CANARY} succeeded with the connection on OIDC (${CANARY_URL})`,
      `deactivated ${KEY}: delete it after the 9-day grace period (aws iam delete-access-key --user-name ado-web ` +
        `--access-key-id ${KEY})`,
      'target web no longer rotates: remove it from the configuration and redeploy',
    ]);
    expect(report).toMatchObject({
      outcome: 'migrated',
      stateLeft: `The connection uses OIDC with ${ROLE_ARN}; the user's keys are inactive.`,
      warnings: [RETIRING],
      error: null,
    });
    expect(world.mutations()).toEqual([
      'iam.createOidcProvider',
      'iam.createRole',
      'iam.attachRolePolicy',
      'iam.putRolePolicy',
      'inventory.switchToOidc',
      'iam.setKeyStatus',
    ]);
    expect(world.roleDescriptions).toEqual([
      `ado-key-rotator: keyless access for Azure DevOps connection aws-web (${CONNECTION_ID})`,
    ]);
    expect(world.identity.roles.get('ado-oidc-web')).toMatchObject({ attached: [MANAGED] });
    expect([...(world.identity.roles.get('ado-oidc-web')?.inline.keys() ?? [])]).toEqual(['deploy']);
    expect(world.identity.providers.get(HOST)?.clientIds).toEqual(['api://AzureADTokenExchange']);
    expect(world.iam.keys('ado-web').map((k) => k.status)).toEqual(['Inactive']);
    expect(world.inventory.connections.get(CONNECTION_ID)).toMatchObject({ auth: 'oidc', assumeRoleArn: ROLE_ARN });
    expect(world.clock.sleeps).toEqual([10_000, 10_000]);
  });

  it('runs the canary the target names, on the branch given, with its own credential', async () => {
    // Prepare
    const canary = { organizationUrl: ORG, project: 'payments', pipelineId: CANARY, credentialParameter: '/other' };
    world.targets.replace({ ...TARGET, canary });
    world.seedCanary();
    // Act
    const report = await world.migration().execute('web', { ...OPTIONS, canaryBranch: 'refs/heads/canary' });
    // Assess
    expect(report.outcome).toBe('migrated');
    expect(world.queued).toEqual([{ ...canary, branch: 'refs/heads/canary' }]);
    expect(report.steps).toContain(`run the canary pipeline ${CANARY}; on failure put the key back`);
  });

  it.each<[Partial<ConnectionRef>, { branch?: string }]>([
    [{ credentialParameter: '/pat' }, {}],
    [{ federatedCredential: { tenantId: 't', clientId: 'c' } }, { branch: 'refs/heads/x' }],
  ])("runs --canary-pipeline in the connection's project with its credential (%j)", async (credential, branch) => {
    // Prepare
    const { credentialParameter: _, ...connection } = TARGET.connection;
    world.targets.replace({ ...TARGET, connection: { ...connection, ...credential } });
    world.seedCanary();
    // Act
    await world.migration().execute('web', {
      ...OPTIONS,
      canaryPipelineId: CANARY,
      ...(branch.branch ? { canaryBranch: branch.branch } : {}),
    });
    // Assess
    expect(world.queued).toEqual([
      { organizationUrl: ORG, project: 'payments', pipelineId: CANARY, ...credential, ...branch },
    ]);
  });

  it('refuses a canary without a pipeline-runs adapter before changing anything', async () => {
    // Act / Assess
    await expect(world.migration(false).execute('web', { ...OPTIONS, canaryPipelineId: CANARY })).rejects.toThrow(
      'a canary pipeline was given but no pipeline-runs adapter is wired',
    );
    expect(world.mutations()).toEqual([]);
  });

  it('reuses what a first run created, adds a missing audience, copies nothing for a user with no policy', async () => {
    // Prepare
    world.identity.seedProvider(`https://${HOST}`, ['sts.amazonaws.com']);
    world.identity.seedUserPolicies('ado-web', {});
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(report.actions.slice(0, 3)).toEqual([
      `added the audience api://AzureADTokenExchange to ${PROVIDER_ARN}`,
      `created the role ${ROLE_ARN}`,
      SWITCHED,
    ]);
    expect(world.identity.providers.get(HOST)?.clientIds).toEqual(['sts.amazonaws.com', 'api://AzureADTokenExchange']);
    const again = new MigrationWorld();
    again.identity.seedProvider(`https://${HOST}`, ['api://AzureADTokenExchange']);
    again.identity.roles.set('ado-oidc-web', world.identity.roles.get('ado-oidc-web') as never);
    expect((await again.migration().execute('web', OPTIONS)).actions.slice(0, 2)).toEqual([
      "gave the role the user's 1 managed and 1 inline policies",
      SWITCHED,
    ]);
    expect(again.mutations()).not.toContain('iam.createRole');
  });

  it("uses an operator's role as it is: nothing created on it, nothing copied", async () => {
    // Prepare
    const operator = 'arn:aws:iam::123456789012:role/team/deployer';
    world.identity.seedProvider(`https://${HOST}`, ['api://AzureADTokenExchange']);
    // Act
    const report = await world.migration().execute('web', { ...OPTIONS, roleArn: operator });
    // Assess
    expect(report.actions[0]).toBe(
      `switched connection ${CONNECTION_ID} to OIDC with role ${operator} (read back: same id, same 2 project(s))`,
    );
    expect(world.mutations()).toEqual(['inventory.switchToOidc', 'iam.setKeyStatus']);
  });

  it('fills an Entra issuer with --tenant-id, and then warns of no retirement', async () => {
    // Act
    const report = await world.migration().execute('web', {
      ...OPTIONS,
      apply: false,
      oidc: { ...DEFAULT_OIDC_SETTINGS, issuerTemplate: ENTRA_ISSUER_TEMPLATE },
      tenantId: 'tenant-1',
    });
    // Assess
    expect(report.plan?.issuer).toBe('https://login.microsoftonline.com/tenant-1/v2.0');
    expect(report.warnings).toEqual([]);
  });

  it.each([
    ['iam.createOidcProvider', 'nothing created'],
    ['iam.createRole', `created the OIDC provider ${PROVIDER_ARN}`],
    ['iam.putRolePolicy', `created the OIDC provider ${PROVIDER_ARN}; created the role ${ROLE_ARN}`],
  ])('stops at a failed %s with the connection unchanged, saying what IAM holds', async (call, done) => {
    // Prepare
    const error = new AwsCallFailedError(`${call} failed with HTTP 500`);
    world.faults.fail(call, error);
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(report).toMatchObject({
      outcome: 'failed',
      stateLeft:
        `The connection is unchanged (it still holds its key); IAM is partly set up (${done}): fix the cause and ` +
        're-run, which reuses what exists.',
      error: { name: 'AwsCallFailedError', message: `${call} failed with HTTP 500` },
    });
    expect(world.mutations()).not.toContain('inventory.switchToOidc');
  });

  it('lets an error that is not a rotator error through while setting up IAM', async () => {
    // Prepare
    world.faults.fail('iam.createRole', new TypeError('bug'));
    // Act / Assess
    await expect(world.migration().execute('web', OPTIONS)).rejects.toThrow(TypeError);
  });

  it("does not switch when the secret no longer holds the connection's key (no way back)", async () => {
    // Prepare: a rotation replaced the secret's value between the plan and the switch.
    const getVersion = world.secrets.getVersion.bind(world.secrets);
    world.secrets.getVersion = async (...args) => ({
      ...(await getVersion(...args)),
      accessKeyId: 'AKIANEWER0000000001',
    });
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(report).toMatchObject({
      outcome: 'failed',
      stateLeft:
        'The connection is unchanged: the secret no longer holds its key, so the move could not be undone; run a ' +
        'rotation first.',
      error: null,
    });
    expect(report.actions).toEqual([
      `created the OIDC provider ${PROVIDER_ARN}`,
      `created the role ${ROLE_ARN}`,
      "gave the role the user's 1 managed and 1 inline policies",
    ]);
    expect(world.mutations()).not.toContain('inventory.switchToOidc');
  });

  it('keeps its migration when a key cannot be deactivated, and says to do it by hand', async () => {
    // Prepare
    world.faults.fail('iam.setKeyStatus', new AwsAccessDeniedError('iam:UpdateAccessKey denied'));
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(report.outcome).toBe('migrated');
    expect(report.warnings).toEqual([
      RETIRING,
      `could not deactivate ${KEY} (AwsAccessDeniedError: iam:UpdateAccessKey denied); the connection no longer ` +
        'uses it: deactivate it by hand',
    ]);
    expect(report.actions.at(-1)).toBe('target web no longer rotates: remove it from the configuration and redeploy');
    expect(world.iam.keys('ado-web').map((k) => k.status)).toEqual(['Active']);
  });

  it('lets an error that is not a rotator error through while deactivating', async () => {
    // Prepare
    world.faults.fail('iam.setKeyStatus', new TypeError('bug'));
    // Act / Assess
    await expect(world.migration().execute('web', OPTIONS)).rejects.toThrow(TypeError);
  });

  it('keeps the held secret out of the report', async () => {
    // Act
    const report = await world.migration().execute('web', OPTIONS);
    // Assess
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });
});
