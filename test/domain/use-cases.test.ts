/**
 * Over 300 lines on purpose: one describe per use case, sharing the world-building helpers at the
 * top; split it into test/domain/use-cases/<use-case>.test.ts when one of them grows.
 *
 * Each use case's guards and messages, one branch at a time, over the in-memory world: what it
 * refuses (exact error, message and context), what it changes, and what it reports. Added from
 * the mutants Stryker found surviving in src/domain/use-cases/.
 */
import { describe, expect, it } from 'vitest';
import {
  AccessKeyNotFoundError,
  AccessKeyQuotaExceededError,
  AwsCallFailedError,
  AwsThrottledError,
  NotificationFailedError,
  PublishNotVerifiedError,
  RotationError,
  RotationInProgressError,
  StateConflictError,
  UnknownTargetError,
} from '../../src/domain/errors.js';
import type { RunSummary } from '../../src/domain/report.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import {
  buildUseCases,
  CleanUpKeys,
  CreateKey,
  DescribeTarget,
  NotifyRun,
  PlanRotation,
  ReportTarget,
  RevokeOldKey,
  RollBack,
  VerifyPublish,
} from '../../src/domain/use-cases/index.js';
import type { AzureDevOpsPort } from '../../src/ports/azure-devops.port.js';
import type { MetricsPort } from '../../src/ports/metrics.port.js';
import { FakeWorld } from '../../local/fakes/world.js';

const start = (world: FakeWorld, extra: Partial<RotationState> = {}): RotationState => ({
  rotationId: world.newRotationId(),
  targetName: 'target-1',
  mode: 'rotate',
  startedAt: world.clock.now().toISOString(),
  completed: [],
  warnings: [],
  ...extra,
});

async function errorOf(promise: Promise<unknown>): Promise<RotationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RotationError) return error;
    throw error;
  }
  throw new Error('expected a RotationError');
}

const MUTATING = [
  'iam.createKey',
  'iam.setKeyStatus',
  'iam.deleteKey',
  'secrets.putPending',
  'secrets.promote',
  'secrets.dropPending',
  'ado.updateCredential',
];
const mutations = (world: FakeWorld) => world.faults.calls.filter((c) => MUTATING.includes(c));

/** Runs plan, cleanup and create, as a run would, and returns the state after create. */
async function created(world: FakeWorld) {
  const steps = buildUseCases(world.ports);
  let state = await steps.plan.execute(start(world));
  state = await steps.cleanup.execute(state);
  state = await steps.create.execute(state);
  return { steps, state };
}

describe('Use case: PlanRotation', () => {
  it('records the connection, the held key and the current secret version', async () => {
    const world = new FakeWorld();
    const before = world.snapshot();

    const state = await buildUseCases(world.ports).plan.execute(start(world));

    expect(state).toMatchObject({
      connectionId: before.connectionId,
      oldAccessKeyId: before.connectionKeyId,
      oldVersionId: before.secretVersions[0]?.versionId,
      completed: ['plan'],
      warnings: [],
    });
  });

  it('records as the old version the one its clean-up promotes (an aborted run published its key)', async () => {
    // Prepare: an aborted run put key N in a pending version and into the connection, and died before promoting.
    const world = new FakeWorld();
    const target = world.target();
    const created = await world.iam.createKey(target.iamUserName);
    const pendingVersion = await world.secrets.putPending(target.secretId, '11111111-1111-4111-8111-111111111111', {
      ...created,
      iamUserName: target.iamUserName,
    });
    Object.assign(world.azureDevOps.connection(world.connectionIds.get('target-1') as string), {
      accessKeyId: created.accessKeyId,
      secretAccessKey: created.secretAccessKey.reveal(),
    });
    world.clock.advance(3 * 60 * 60_000);

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world, { mode: 'emergency' }));

    // Assess: a rollback moves AWSCURRENT back to the version holding the connection's key, not the stale one.
    expect(state.plan?.cleanup[0]).toMatchObject({ kind: 'promote-pending', versionId: pendingVersion });
    expect(state.oldVersionId).toBe(pendingVersion);
  });

  it('warns that a missing secret is created with the new key, and records no old version', async () => {
    const world = new FakeWorld({ targets: 0 });
    const target = world.addTarget('target-1');
    const secrets = {
      ...world.secrets,
      describe: async () => ({ exists: false, current: null, pending: null, previous: null }),
    };
    const plan = new PlanRotation(world.targets, world.iam, secrets as never, world.azureDevOps, world.clock);

    const state = await plan.execute(start(world, { warnings: ['earlier'] }));

    expect(state.oldVersionId).toBeNull();
    expect(state.warnings).toEqual([
      'earlier',
      `secret ${target.secretId} does not exist yet; it is created with the new key`,
    ]);
  });

  it('does not record a held key when the connection holds none', async () => {
    const world = new FakeWorld({ targets: 0 });
    const target = world.addTarget('target-1');
    world.azureDevOps.connection(world.connectionIds.get('target-1') as string).accessKeyId = null;

    const state = await buildUseCases(world.ports).plan.execute(start(world));

    expect(state.plan?.code).toBe('HeldKeyUnknownError');
    expect('oldAccessKeyId' in state).toBe(false);
    expect(target.name).toBe('target-1');
  });

  it('turns a refusal from a port into a refuse plan with its name and message', async () => {
    const world = new FakeWorld();
    world.faults.fail('iam.listKeys', () => new UnknownTargetError('nope, fix it'));

    const state = await buildUseCases(world.ports).plan.execute(start(world));

    expect(state.plan).toEqual({ action: 'refuse', reason: 'nope, fix it', code: 'UnknownTargetError', cleanup: [] });
    expect(state.completed).toEqual(['plan']);
  });

  it('throws any other error (the runner reports the plan as failed)', async () => {
    const world = new FakeWorld();
    world.faults.fail('ado.findConnection', () => new AwsCallFailedError('boom'));

    await expect(buildUseCases(world.ports).plan.execute(start(world))).rejects.toThrow(AwsCallFailedError);
  });
});

describe('Use case: CleanUpKeys', () => {
  it('does nothing, not even a read, when the plan has no clean-up (or no plan)', async () => {
    const world = new FakeWorld();
    const cleanup = buildUseCases(world.ports).cleanup;

    const state = await cleanup.execute(start(world));

    expect(state.completed).toEqual(['cleanup']);
    expect(world.faults.calls).toEqual([]);
  });

  it('refuses to delete the key the connection holds now, naming it, and deletes nothing', async () => {
    const world = new FakeWorld();
    const held = world.snapshot().connectionKeyId as string;
    const state = start(world, {
      connectionId: world.connectionIds.get('target-1') as string,
      plan: {
        action: 'repair',
        reason: 'r',
        cleanup: [{ kind: 'delete-key', accessKeyId: held, reason: 'stale plan' }],
      },
    });

    const error = await errorOf(buildUseCases(world.ports).cleanup.execute(state));

    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      `target target-1: step "cleanup" would delete key ${held}, but connection "aws-target-1" holds it now; ` +
        `it was left as it is, re-run to plan again`,
    );
    expect(error.context).toEqual({ target: 'target-1', step: 'cleanup', accessKeyId: held });
    expect(mutations(world)).toEqual([]);
  });

  it(
    'refuses a plan without the connection id as invalid input, rather than skip the check, and changes ' + 'nothing',
    async () => {
      // A crafted but valid-looking input: delete the held key, with nothing to check it against.
      const world = new FakeWorld();
      const held = world.snapshot().connectionKeyId as string;
      const state = start(world, {
        plan: {
          action: 'repair',
          reason: 'r',
          cleanup: [{ kind: 'delete-key', accessKeyId: held, reason: 'crafted' }],
        },
      });

      const error = await errorOf(buildUseCases(world.ports).cleanup.execute(state));

      expect(error.name).toBe('InvalidStepInputError');
      expect(error.message).toContain('needs "connectionId"');
      expect(mutations(world)).toEqual([]);
      expect(world.iam.keys(world.target().iamUserName).map((k) => k.accessKeyId)).toEqual([held]);
    },
  );

  it("refuses to delete or deactivate the key the secret's current version holds, whatever the plan says", async () => {
    const world = new FakeWorld();
    const target = world.target();
    const fresh = world.iam.seedKey(target.iamUserName, { lastUsedAt: null });
    world.secrets.seed(target.secretId, { ...fresh, iamUserName: target.iamUserName });
    const connectionId = world.connectionIds.get('target-1') as string;

    for (const kind of ['delete-key', 'deactivate-key'] as const) {
      const state = start(world, {
        connectionId,
        plan: { action: 'repair', reason: 'r', cleanup: [{ kind, accessKeyId: fresh.accessKeyId, reason: 'crafted' }] },
      });
      const error = await errorOf(buildUseCases(world.ports).cleanup.execute(state));
      expect(error).toBeInstanceOf(StateConflictError);
      expect(error.message).toContain(`but the secret's current version`);
    }
    expect(mutations(world)).toEqual([]);
  });

  it('deactivates a key a failed revoke left active, and a retry after it is gone succeeds', async () => {
    const world = new FakeWorld();
    const target = world.target();
    const retired = world.iam.seedKey(target.iamUserName, {});
    const connectionId = world.connectionIds.get('target-1') as string;
    const plan = {
      action: 'repair' as const,
      reason: 'r',
      cleanup: [{ kind: 'deactivate-key' as const, accessKeyId: retired.accessKeyId, reason: 'finish revoke' }],
    };

    await buildUseCases(world.ports).cleanup.execute(start(world, { connectionId, plan }));
    expect(world.iam.keys(target.iamUserName).find((k) => k.accessKeyId === retired.accessKeyId)?.status).toBe(
      'Inactive',
    );

    await world.iam.deleteKey(target.iamUserName, retired.accessKeyId);
    const again = await buildUseCases(world.ports).cleanup.execute(start(world, { connectionId, plan }));
    expect(again.completed).toEqual(['cleanup']);
  });

  it('carries out each kind of action: delete a key, drop a pending version, promote one', async () => {
    // Arrange: an aborted run's pending version and a retired key.
    const world = new FakeWorld();
    const target = world.target();
    const retired = world.iam.seedKey(target.iamUserName, { status: 'Inactive' });
    const pending = await world.secrets.putPending(target.secretId, world.newRotationId(), {
      accessKeyId: 'AKIAPENDING000000001',
      secretAccessKey: new SecretValue('pending-secret'),
      iamUserName: target.iamUserName,
      createdAt: world.clock.now(),
    });
    const cleanup = new CleanUpKeys(world.targets, world.iam, world.secrets, world.azureDevOps);
    world.faults.calls.length = 0;

    // Act
    const connectionId = world.connectionIds.get('target-1') as string;
    const done = await cleanup.execute(
      start(world, {
        connectionId,
        plan: {
          action: 'repair',
          reason: 'r',
          cleanup: [
            { kind: 'delete-key', accessKeyId: retired.accessKeyId, reason: 'old' },
            { kind: 'drop-pending', versionId: pending, reason: 'aborted' },
          ],
        },
      }),
    );

    // Assert
    expect(world.iam.keys(target.iamUserName).map((k) => k.accessKeyId)).not.toContain(retired.accessKeyId);
    expect(world.snapshot().secretPendingKeyId).toBeNull();
    // The holders are read first, once: the connection and the secret.
    expect(world.faults.calls).toEqual([
      'ado.readConnection',
      'secrets.describe',
      'iam.deleteKey',
      'secrets.dropPending',
    ]);
    expect(done.completed).toEqual(['cleanup']);

    // And a promote-pending moves AWSCURRENT.
    await world.secrets.putPending(target.secretId, 'v-again-0000000000000000000000000000', {
      accessKeyId: 'AKIAPENDING000000002',
      secretAccessKey: new SecretValue('pending-secret-2'),
      iamUserName: target.iamUserName,
      createdAt: world.clock.now(),
    });
    await cleanup.execute(
      start(world, {
        connectionId,
        plan: {
          action: 'repair',
          reason: 'r',
          cleanup: [{ kind: 'promote-pending', versionId: 'v-again-0000000000000000000000000000', reason: 'finish' }],
        },
      }),
    );
    expect(world.snapshot().secretCurrentKeyId).toBe('AKIAPENDING000000002');
  });
});

describe('Use case: CreateKey', () => {
  it("re-uses this run's pending version instead of creating a second key", async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    const keysBefore = world.snapshot().keys;

    const again = await steps.create.execute({
      ...state,
      newAccessKeyId: undefined,
      pendingVersionId: undefined,
      completed: ['plan', 'cleanup'],
    });

    expect(again).toMatchObject({
      newAccessKeyId: state.newAccessKeyId,
      pendingVersionId: state.rotationId,
      completed: ['plan', 'cleanup', 'create'],
    });
    expect(world.snapshot().keys).toEqual(keysBefore);
  });

  it('stops without creating a key when another run has a pending version', async () => {
    const world = new FakeWorld();
    const first = await created(world);
    const calls = world.faults.calls.length;

    const error = await errorOf(first.steps.create.execute(start(world)));

    expect(error).toBeInstanceOf(RotationInProgressError);
    expect(error.message).toBe(
      `target target-1: another rotation (${first.state.rotationId}) created a key a moment ago; this run ` +
        `stops without creating one`,
    );
    expect(error.context).toEqual({ target: 'target-1', otherRotationId: first.state.rotationId });
    expect(world.faults.calls.slice(calls)).not.toContain('iam.createKey');
  });

  it('deletes an orphan of this run before creating, when the user already has two keys', async () => {
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const orphan = world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });

    const next = await new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state);

    const ids = world.iam.keys(target.iamUserName).map((k) => k.accessKeyId);
    expect(ids).not.toContain(orphan.accessKeyId);
    expect(ids).toEqual([state.oldAccessKeyId, next.newAccessKeyId]);
  });

  it('refuses to make room by deleting a key that is not an orphan of this run, listing the keys', async () => {
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const other = world.iam.seedKey(target.iamUserName, { status: 'Inactive' });
    const held = state.oldAccessKeyId as string;

    const error = await errorOf(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state),
    );

    expect(error).toBeInstanceOf(AccessKeyQuotaExceededError);
    expect(error.message).toBe(
      `target target-1: IAM user ${target.iamUserName} already has two keys (${held} Active, ` +
        `${other.accessKeyId} Inactive) and neither is an orphan of this run; re-run to plan the clean-up`,
    );
    expect(error.context).toEqual({ target: 'target-1', userName: target.iamUserName });
    expect(mutations(world)).toEqual([]);
  });

  it("never counts the secret's current key as an orphan", async () => {
    // A fresh, never-used key the secret holds (the connection still on the old one): not ours to delete.
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const fresh = world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });
    world.secrets.seed(target.secretId, { ...fresh, iamUserName: target.iamUserName });

    await expect(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state),
    ).rejects.toThrow(AccessKeyQuotaExceededError);
    expect(world.iam.keys(target.iamUserName).map((k) => k.accessKeyId)).toContain(fresh.accessKeyId);
  });

  it('stops when the old key is gone from IAM, rather than deleting what is left', async () => {
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });

    const error = await errorOf(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute({
        ...state,
        oldAccessKeyId: 'AKIAGONE000000000001',
      }),
    );

    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      'target target-1: the old key AKIAGONE000000000001 is gone from IAM; re-run to plan again',
    );
    expect(error.context).toEqual({ target: 'target-1' });
  });

  it('makes room and tries once more when IAM says the quota is full although one key was listed', async () => {
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    // Between the listing and the create, a lost create of this run lands.
    world.faults.fail('iam.createKey', () => {
      world.iam.seedKey(target.iamUserName, {
        accessKeyId: 'AKIALATEORPHAN000001',
        lastUsedAt: null,
        createdAt: world.clock.now(),
      });
      return new AccessKeyQuotaExceededError('LimitExceeded');
    });

    const next = await new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state);

    expect(world.iam.keys(target.iamUserName).map((k) => k.accessKeyId)).toEqual([
      state.oldAccessKeyId,
      next.newAccessKeyId,
    ]);
  });

  it('passes any other create error through unchanged', async () => {
    const world = new FakeWorld();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const boom = new AwsCallFailedError('boom');
    world.faults.fail('iam.createKey', () => boom);

    await expect(new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state)).rejects.toBe(
      boom,
    );
  });

  it('deletes the new key when its pending version cannot be stored, and rethrows', async () => {
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    world.faults.fail('secrets.putPending', () => new AwsCallFailedError('denied'));
    world.faults.fail('iam.deleteKey', () => new AwsCallFailedError('also denied'));

    await expect(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state),
    ).rejects.toThrow('denied');
    // The delete failed too: the error thrown is still the store's, and the next run finds an orphan.
    expect(world.iam.keys(target.iamUserName)).toHaveLength(2);

    const again = new FakeWorld();
    const s2 = await buildUseCases(again.ports).plan.execute(start(again));
    again.faults.fail('secrets.putPending', () => new AwsCallFailedError('denied'));
    await expect(new CreateKey(again.targets, again.iam, again.secrets, again.azureDevOps).execute(s2)).rejects.toThrow(
      'denied',
    );
    expect(again.iam.keys(again.target().iamUserName)).toHaveLength(1);
  });
});

describe('Use cases: the steps that need an earlier step', () => {
  it.each([
    ['verifyKey', 'verify-key', 'newAccessKeyId', {}],
    ['verifyKey', 'verify-key', 'pendingVersionId', { newAccessKeyId: 'AKIANEW0000000000001' }],
    ['publish', 'publish', 'connectionId', {}],
    ['publish', 'publish', 'pendingVersionId', { connectionId: 'c1' }],
    ['verifyPublish', 'verify-publish', 'connectionId', {}],
    ['verifyPublish', 'verify-publish', 'newAccessKeyId', { connectionId: 'c1' }],
    ['promote', 'promote', 'pendingVersionId', {}],
    ['revoke', 'revoke', 'oldAccessKeyId', {}],
    ['revoke', 'revoke', 'newAccessKeyId', { oldAccessKeyId: 'AKIAOLD0000000000001' }],
    [
      'revoke',
      'revoke',
      'connectionId',
      { oldAccessKeyId: 'AKIAOLD0000000000001', newAccessKeyId: 'AKIANEW0000000000001' },
    ],
  ] as const)('%s names step "%s" and field %s when it is missing', async (useCase, step, field, extra) => {
    const world = new FakeWorld();
    const steps = buildUseCases(world.ports);

    const error = await errorOf(steps[useCase].execute(start(world, extra)));

    expect(error.message).toBe(
      `Step "${step}" of target target-1 needs "${field}" in its input; it is set by an earlier step (is the ` +
        `state machine passing the whole state?)`,
    );
    expect(world.faults.calls).toEqual([]);
  });
});

describe('Use case: VerifyKey', () => {
  it('refuses a pending version that holds another key than the new one', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);

    const error = await errorOf(steps.verifyKey.execute({ ...state, newAccessKeyId: 'AKIAOTHER00000000001' }));

    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      `target target-1: pending version ${state.rotationId} holds ${state.newAccessKeyId}, not the new key ` +
        `AKIAOTHER00000000001`,
    );
    expect(error.context).toEqual({ target: 'target-1', versionId: state.rotationId });
    expect(world.verifier.attempts).toBe(0);
  });
});

describe('Use case: VerifyPublish', () => {
  it('throws PublishNotVerifiedError naming what the connection holds', async () => {
    const world = new FakeWorld();
    const { state } = await created(world);
    const verify = new VerifyPublish(world.targets, world.azureDevOps);

    const error = await errorOf(verify.execute(state));

    expect(error).toBeInstanceOf(PublishNotVerifiedError);
    expect(error.message).toBe(
      `target target-1: connection "aws-target-1" (${state.connectionId}) holds ${state.oldAccessKeyId} after ` +
        `the update, not the new key ${state.newAccessKeyId}`,
    );
    expect(error.context).toEqual({ target: 'target-1', connectionId: state.connectionId });
  });

  it('says "no key" when the connection holds none', async () => {
    const world = new FakeWorld();
    const { state } = await created(world);
    world.azureDevOps.connection(state.connectionId as string).accessKeyId = null;

    await expect(new VerifyPublish(world.targets, world.azureDevOps).execute(state)).rejects.toThrow(
      `holds no key after the update, not the new key ${state.newAccessKeyId}`,
    );
  });
});

describe('Use case: RevokeOldKey', () => {
  async function published(world: FakeWorld) {
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    let next = await steps.verifyKey.execute(state);
    next = await steps.publish.execute(next);
    next = await steps.verifyPublish.execute(next);
    return { steps, state: await steps.promote.execute(next) };
  }

  it('refuses to retire the old key while the connection does not hold the new one', async () => {
    const world = new FakeWorld();
    const { state } = await created(world);
    const revoke = new RevokeOldKey(world.targets, world.iam, world.azureDevOps, world.secrets);

    const error = await errorOf(revoke.execute(state));

    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      `target target-1: connection "aws-target-1" holds ${state.oldAccessKeyId}, not the new key ` +
        `${state.newAccessKeyId}; the old key ${state.oldAccessKeyId} was left active`,
    );
    expect(error.context).toEqual({ target: 'target-1', connectionId: state.connectionId });
    expect(mutations(world).filter((c) => c.startsWith('iam.setKeyStatus') || c === 'iam.deleteKey')).toEqual([]);
  });

  it('says "no key" when the connection holds none', async () => {
    const world = new FakeWorld();
    const { state } = await created(world);
    world.azureDevOps.connection(state.connectionId as string).accessKeyId = null;

    await expect(
      new RevokeOldKey(world.targets, world.iam, world.azureDevOps, world.secrets).execute(state),
    ).rejects.toThrow(`connection "aws-target-1" holds no key, not the new key`);
  });

  it('deactivates the old key', async () => {
    const world = new FakeWorld();
    const { steps, state } = await published(world);

    const next = await steps.revoke.execute(state);

    expect(next.oldKeyStatus).toBe('Inactive');
    expect(next.completed.at(-1)).toBe('revoke');
    expect(world.iam.keys(world.target().iamUserName).find((k) => k.accessKeyId === state.oldAccessKeyId)?.status).toBe(
      'Inactive',
    );
  });

  it('deletes the old key in emergency mode', async () => {
    const world = new FakeWorld();
    const { steps, state } = await published(world);

    const next = await steps.revoke.execute({ ...state, mode: 'emergency' });

    expect(next.oldKeyStatus).toBe('Deleted');
    expect(next.completed.at(-1)).toBe('revoke');
    expect(world.iam.keys(world.target().iamUserName).map((k) => k.accessKeyId)).toEqual([state.newAccessKeyId]);
  });

  it('counts an old key that is already gone as deleted', async () => {
    const world = new FakeWorld();
    const { steps, state } = await published(world);
    world.faults.fail('iam.setKeyStatus', () => new AccessKeyNotFoundError('gone'));

    const next = await steps.revoke.execute(state);

    expect(next).toMatchObject({ oldKeyStatus: 'Deleted' });
    expect(next.completed.at(-1)).toBe('revoke');
  });

  it('passes any other error through', async () => {
    const world = new FakeWorld();
    const { steps, state } = await published(world);
    world.faults.fail('iam.setKeyStatus', () => new AwsCallFailedError('denied'));

    await expect(steps.revoke.execute(state)).rejects.toThrow(AwsCallFailedError);
  });
});

describe('Use case: RollBack', () => {
  const failure = { step: 'publish' as const, name: 'X', message: 'm' };

  it('deletes a key this run created but never stored, saying so', async () => {
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const orphan = world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });

    const next = await buildUseCases(world.ports).rollback.execute({ ...state, failure });

    expect(next.rollback).toEqual({
      actions: [`deleted key ${orphan.accessKeyId}, created by this run but never stored`],
      consistent: true,
    });
    expect(next.completed.at(-1)).toBe('rollback');
    expect(world.violations()).toEqual([]);
  });

  it('says there was nothing to roll back when no key was stored or left', async () => {
    const world = new FakeWorld();
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    const next = await buildUseCases(world.ports).rollback.execute({ ...state, failure });

    expect(next.rollback).toEqual({ actions: ['nothing to roll back: no new key was stored'], consistent: true });
    expect(mutations(world)).toEqual([]);
  });

  it("keeps the secret's previous and current keys when looking for orphans", async () => {
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    // A fresh key that the secret holds as current (its previous is the connection's key): not an orphan.
    const fresh = world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });
    await world.secrets.putPending(target.secretId, 'v-fresh-00000000000000000000000000000', {
      accessKeyId: fresh.accessKeyId,
      secretAccessKey: new SecretValue(fresh.secretAccessKey),
      iamUserName: target.iamUserName,
      createdAt: world.clock.now(),
    });
    await world.secrets.promote(target.secretId, 'v-fresh-00000000000000000000000000000');

    const next = await buildUseCases(world.ports).rollback.execute({ ...state, failure });

    expect(next.rollback?.actions).toEqual(['nothing to roll back: no new key was stored']);
    expect(world.iam.keys(target.iamUserName).map((k) => k.accessKeyId)).toContain(fresh.accessKeyId);
  });

  it('finds the new key from the secret when the state lost it, and undoes everything in order', async () => {
    // Arrange: published and promoted, then the state lost newAccessKeyId and pendingVersionId.
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    let next = await steps.verifyKey.execute(state);
    next = await steps.publish.execute(next);
    next = await steps.promote.execute(next);
    const oldVersion = state.oldVersionId as string;

    // Act
    const rolled = await steps.rollback.execute({
      ...next,
      newAccessKeyId: undefined,
      pendingVersionId: undefined,
      failure,
    });

    // Assert
    expect(rolled.rollback).toEqual({
      actions: [
        `restored the connection to the old key ${state.oldAccessKeyId}`,
        `moved the secret's AWSCURRENT back to version ${oldVersion}`,
        `deleted the new key ${state.newAccessKeyId}`,
        // Last: the pending version is the record that the new key was ours.
        `dropped the pending secret version ${state.rotationId}`,
      ],
      consistent: true,
    });
    expect(world.violations()).toEqual([]);
  });

  it('reactivates the old key when something deactivated it', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    await world.iam.setKeyStatus(world.target().iamUserName, state.oldAccessKeyId as string, 'Inactive');

    const rolled = await steps.rollback.execute({ ...state, failure });

    expect(rolled.rollback?.actions).toEqual([
      `reactivated the old key ${state.oldAccessKeyId}`,
      `deleted the new key ${state.newAccessKeyId}`,
      `dropped the pending secret version ${state.rotationId}`,
    ]);
    expect(world.violations()).toEqual([]);
  });

  it('is a no-op the second time', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    await steps.rollback.execute({ ...state, failure });
    const after = world.snapshot();

    const again = await steps.rollback.execute({ ...state, failure, pendingVersionId: undefined });

    expect(again.rollback).toEqual({ actions: [], consistent: true });
    expect(world.snapshot()).toEqual(after);
  });

  it('stops, inconsistent, when the old secret version holds another key than the old one', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    const next = await steps.publish.execute(await steps.verifyKey.execute(state));
    const held = world.snapshot().connectionKeyId;

    const rolled = await steps.rollback.execute({ ...next, oldAccessKeyId: 'AKIAELSEWHERE0000001', failure });

    expect(rolled.rollback).toEqual({
      actions: [
        `stopped: RollbackFailedError: the secret's version ${state.oldVersionId} holds ` +
          `${state.oldAccessKeyId}, not the old key AKIAELSEWHERE0000001; the connection was left holding ${held}`,
      ],
      consistent: false,
    });
    expect(world.snapshot().connectionKeyId).toBe(held);
  });

  it('stops, inconsistent, and keeps the new key, when restoring the connection does not take', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    const next = await steps.publish.execute(await steps.verifyKey.execute(state));
    const ado = world.azureDevOps;
    const deaf: AzureDevOpsPort = {
      findConnection: (ref) => ado.findConnection(ref),
      readConnection: (ref, id) => ado.readConnection(ref, id),
      updateCredential: async () => undefined,
    };

    const rolled = await new RollBack(world.targets, world.iam, world.secrets, deaf).execute({ ...next, failure });

    expect(rolled.rollback).toEqual({
      actions: [
        `stopped: RollbackFailedError: restoring the connection did not take: it holds ` +
          `${state.newAccessKeyId}; the new key ${state.newAccessKeyId} was kept so it keeps working`,
      ],
      consistent: false,
    });
    expect(rolled.completed.at(-1)).toBe('rollback');
    expect(world.iam.keys(world.target().iamUserName).map((k) => k.accessKeyId)).toContain(state.newAccessKeyId);
  });

  it('rolls forward when the secret did not exist before and the connection already holds the new key', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    const next = await steps.publish.execute(await steps.verifyKey.execute(state));

    const rolled = await steps.rollback.execute({ ...next, oldVersionId: null, failure });

    expect(rolled.rollback).toEqual({
      actions: [
        `kept the new key ${state.newAccessKeyId}: the connection already held it and the old credential was ` +
          `never in the secret, so it could not be restored; the old key ${state.oldAccessKeyId} stays active`,
      ],
      consistent: true,
      keptNewKey: true,
    });
    expect(world.snapshot().secretCurrentKeyId).toBe(state.newAccessKeyId);
  });

  it('stops when the secret did not exist before and the connection holds neither key', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.azureDevOps.connection(state.connectionId as string).accessKeyId = null;

    const rolled = await steps.rollback.execute({ ...state, oldVersionId: null, failure });

    expect(rolled.rollback).toEqual({
      actions: [
        'stopped: RollbackFailedError: the connection holds no key, and the old credential cannot be restored ' +
          'because the secret did not exist before this run',
      ],
      consistent: false,
    });
  });

  it('throws a transient error for the caller to retry, instead of giving up', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.faults.fail('secrets.describe', () => new AwsThrottledError('slow down'));

    await expect(steps.rollback.execute({ ...state, failure })).rejects.toThrow(AwsThrottledError);
  });

  it('records a thrown non-error by its text', async () => {
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.faults.fail('secrets.describe', () => 'plain failure' as unknown as Error);

    const rolled = await steps.rollback.execute({ ...state, failure });

    expect(rolled.rollback).toEqual({ actions: ['stopped: plain failure'], consistent: false });
  });

  it(
    'stops without the connection id (it cannot check what it would delete), deleting nothing and ' + 'saying so',
    async () => {
      const world = new FakeWorld();
      const { steps, state } = await created(world);
      const before = world.iam.keys(world.target().iamUserName);

      const rolled = await steps.rollback.execute({ ...state, connectionId: undefined, failure });

      expect(rolled.rollback?.consistent).toBe(false);
      expect(rolled.rollback?.actions.join(' ')).toContain('InvalidStepInputError');
      expect(world.iam.keys(world.target().iamUserName)).toEqual(before);
    },
  );

  it('never deletes the key the connection holds, whatever its input calls the new key', async () => {
    // A crafted but valid-looking input: the "new" key is the one the connection holds.
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    const held = state.oldAccessKeyId as string;
    world.faults.calls.length = 0;

    const rolled = await steps.rollback.execute({ ...state, newAccessKeyId: held, failure });

    expect(rolled.rollback?.consistent).toBe(false);
    expect(rolled.rollback?.actions.at(-1)).toContain(`holds the new key ${held}, so it was not deleted`);
    expect(world.iam.keys(world.target().iamUserName).map((k) => k.accessKeyId)).toContain(held);
    expect(world.faults.calls).not.toContain('iam.deleteKey');
  });
});

describe('Use case: DescribeTarget', () => {
  it('lists every key with its status, age, last use, and who holds it', async () => {
    const world = new FakeWorld({ keyAgeDays: 3 });
    const target = world.target();
    const spare = world.iam.seedKey(target.iamUserName, {
      status: 'Inactive',
      lastUsedAt: null,
      createdAt: new Date(world.clock.now().getTime() - 10 * 86_400_000),
    });
    const held = world.snapshot().connectionKeyId as string;
    const describe = new DescribeTarget(world.targets, world.iam, world.secrets, world.azureDevOps, world.clock);

    const status = await describe.execute('target-1');

    expect(status).toEqual({
      targetName: 'target-1',
      iamUserName: target.iamUserName,
      iamUser: target.iamUserName,
      connectionName: 'aws-target-1',
      connectionId: world.connectionIds.get('target-1'),
      keys: [
        {
          accessKeyId: held,
          status: 'Active',
          ageDays: 3,
          lastUsedAt: world.clock.now().toISOString(),
          heldByConnection: true,
          inSecret: true,
        },
        {
          accessKeyId: spare.accessKeyId,
          status: 'Inactive',
          ageDays: 10,
          lastUsedAt: null,
          heldByConnection: false,
          inSecret: false,
        },
      ],
      heldAccessKeyId: held,
      secretCurrentAccessKeyId: held,
      secretMatchesConnection: true,
      couldMoveToOidc: true,
      usesOidc: false,
      holders: [],
      attention: [],
    });
  });

  it('flags each thing a human should look at, in order', async () => {
    // Arrange: the connection holds an inactive, overdue key; the secret holds another; a pending version; a stray
    // active key.
    const world = new FakeWorld({ keyAgeDays: 13 });
    const target = world.target();
    const held = world.snapshot().connectionKeyId as string;
    await world.iam.setKeyStatus(target.iamUserName, held, 'Inactive');
    const stray = world.iam.seedKey(target.iamUserName);
    world.secrets.seed(target.secretId, { ...stray, iamUserName: target.iamUserName });
    await world.secrets.putPending(target.secretId, 'v-pending-000000000000000000000000000', {
      accessKeyId: stray.accessKeyId,
      secretAccessKey: new SecretValue('s'),
      iamUserName: target.iamUserName,
      createdAt: world.clock.now(),
    });
    world.faults.calls.length = 0;

    // Act
    const status = await new DescribeTarget(
      world.targets,
      world.iam,
      world.secrets,
      world.azureDevOps,
      world.clock,
    ).execute('target-1');

    // Assert
    expect(status.attention).toEqual([
      'the connection holds an inactive key: pipelines cannot authenticate',
      'a pending secret version v-pending-000000000000000000000000000 exists: a rotation is running or was aborted',
      `the secret holds ${stray.accessKeyId}, the connection ${held}`,
      `key ${stray.accessKeyId} is active but the connection does not hold it`,
    ]);
    expect(status.secretMatchesConnection).toBe(false);
    expect(mutations(world)).toEqual([]);
  });

  it('flags a key one day past the minimum age plus the grace period as overdue, not the day before', async () => {
    const overdue = new FakeWorld({ keyAgeDays: 13 });
    const due = new FakeWorld({ keyAgeDays: 12 });
    const describe = (w: FakeWorld) =>
      new DescribeTarget(w.targets, w.iam, w.secrets, w.azureDevOps, w.clock).execute('target-1');

    expect((await describe(overdue)).attention).toEqual(['the held key is 13 days old: rotation is overdue']);
    expect((await describe(due)).attention).toEqual([]);
  });

  it('flags a connection holding a key the user does not have, and a secret that does not exist', async () => {
    const world = new FakeWorld();
    const target = world.target();
    world.azureDevOps.connection(world.connectionIds.get('target-1') as string).accessKeyId = null;
    const secrets = {
      ...world.secrets,
      describe: async () => ({ exists: false, current: null, pending: null, previous: null }),
    };

    const status = await new DescribeTarget(
      world.targets,
      world.iam,
      secrets as never,
      world.azureDevOps,
      world.clock,
    ).execute('target-1');

    expect(status.attention).toEqual([
      "the connection holds no key, which is not one of the user's keys",
      `secret ${target.secretId} does not exist yet (created on the first rotation)`,
      `key ${status.keys[0]?.accessKeyId} is active but the connection does not hold it`,
    ]);
    expect(status).toMatchObject({
      secretCurrentAccessKeyId: null,
      secretMatchesConnection: false,
      heldAccessKeyId: null,
    });
  });

  it('turns each port refusal into an attention line naming the service, and carries on', async () => {
    const world = new FakeWorld();
    world.faults.fail('iam.listKeys', () => new UnknownTargetError('no user'));
    world.faults.fail('ado.findConnection', () => new UnknownTargetError('no connection'));
    world.faults.fail('secrets.describe', () => new UnknownTargetError('no secret'));

    const status = await new DescribeTarget(
      world.targets,
      world.iam,
      world.secrets,
      world.azureDevOps,
      world.clock,
    ).execute('target-1');

    expect(status).toMatchObject({
      keys: [],
      connectionId: null,
      heldAccessKeyId: null,
      usesOidc: false,
      couldMoveToOidc: false,
      secretCurrentAccessKeyId: null,
    });
    expect(status.attention).toEqual([
      'IAM: UnknownTargetError: no user',
      'Azure DevOps: UnknownTargetError: no connection',
      'Secrets Manager: UnknownTargetError: no secret',
    ]);
  });

  it('throws an error that is not a rotator error (a bug, not a state to report)', async () => {
    const world = new FakeWorld();
    world.faults.fail('iam.listKeys', () => new TypeError('bug'));

    await expect(
      new DescribeTarget(world.targets, world.iam, world.secrets, world.azureDevOps, world.clock).execute('target-1'),
    ).rejects.toThrow(TypeError);
  });

  it(
    'does not offer OIDC for a connection that uses it or is not AWS, and skips the held-key checks ' + 'for OIDC',
    async () => {
      const oidc = new FakeWorld({ targets: 0 });
      const t1 = oidc.addTarget('target-1', 30);
      oidc.azureDevOps.connection(oidc.connectionIds.get('target-1') as string).usesOidc = true;
      const other = new FakeWorld();
      other.azureDevOps.connection(other.connectionIds.get('target-1') as string).type = 'Generic';

      const a = await new DescribeTarget(oidc.targets, oidc.iam, oidc.secrets, oidc.azureDevOps, oidc.clock).execute(
        t1.name,
      );
      const b = await new DescribeTarget(
        other.targets,
        other.iam,
        other.secrets,
        other.azureDevOps,
        other.clock,
      ).execute('target-1');

      // No held-key check; only the retiring OIDC issuer is flagged.
      expect(a).toMatchObject({ usesOidc: true, couldMoveToOidc: false });
      expect(a.attention).toEqual([
        expect.stringMatching(/^the connection uses OIDC with tokens from vstoken\.dev\.azure\.com/),
      ]);
      expect(b).toMatchObject({ usesOidc: false, couldMoveToOidc: false });
    },
  );
});

describe('Use case: NotifyRun', () => {
  const summary: RunSummary = {
    executionId: null,
    executionUrl: null,
    mode: 'rotate',
    startedAt: 's',
    finishedAt: 'f',
    targets: [],
  };
  const metrics = () => {
    const m = { failures: 0, flushes: 0, failFlush: false };
    const port: MetricsPort = {
      recordOutcome: () => undefined,
      recordNotificationFailure: () => void m.failures++,
      flush: async () => {
        m.flushes++;
        if (m.failFlush) throw new Error('flush failed');
      },
    };
    return { m, port };
  };

  it('says the run was notified, and counts nothing', async () => {
    const { m, port } = metrics();
    const result = await new NotifyRun({ notify: async () => undefined }, port).execute(summary);

    expect(result).toEqual({ notified: true });
    expect(m).toMatchObject({ failures: 0, flushes: 0 });
  });

  it('counts a failed notification, flushes it, and returns the error by name and message', async () => {
    const { m, port } = metrics();
    const result = await new NotifyRun(
      { notify: async () => Promise.reject(new NotificationFailedError('Slack answered 404')) },
      port,
    ).execute(summary);

    expect(result).toEqual({ notified: false, error: 'NotificationFailedError: Slack answered 404' });
    expect(m).toMatchObject({ failures: 1, flushes: 1 });
  });

  it('survives a metrics flush that fails too, and a thrown non-error', async () => {
    const { m, port } = metrics();
    m.failFlush = true;
    const result = await new NotifyRun({ notify: async () => Promise.reject('down') }, port).execute(summary);

    expect(result).toEqual({ notified: false, error: 'unknown error' });
  });
});

describe('Use case: ReportTarget', () => {
  it('reports an unknown target with placeholder connection details, and records its metrics', async () => {
    const world = new FakeWorld();
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(
      start(world, {
        targetName: 'nope',
        plan: { action: 'refuse', reason: 'r', code: 'UnknownTargetError', cleanup: [] },
      }),
    );

    expect(report).toMatchObject({
      targetName: 'nope',
      connectionName: '(unknown target)',
      project: '',
      organizationUrl: '',
      outcome: 'refused',
    });
    expect(world.metrics.outcomes).toEqual([report]);
    expect(world.metrics.flushes).toBe(1);
  });

  it('reports a known target with its connection details', async () => {
    const world = new FakeWorld();
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(
      start(world, { plan: { action: 'skip', reason: 'r', cleanup: [] } }),
    );

    expect(report).toMatchObject({
      connectionName: 'aws-target-1',
      project: 'payments',
      organizationUrl: 'https://dev.azure.com/contoso',
    });
  });

  it('throws when the targets cannot be read for another reason', async () => {
    const world = new FakeWorld();
    const targets = { ...world.targets, getTarget: async () => Promise.reject(new AwsCallFailedError('boom')) };

    await expect(new ReportTarget(targets as never, world.metrics, world.clock).execute(start(world))).rejects.toThrow(
      AwsCallFailedError,
    );
    expect(world.metrics.outcomes).toEqual([]);
  });
});
