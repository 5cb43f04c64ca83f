/**
 * Use case CleanUpKeys (src/domain/use-cases/clean-up-keys.ts), which carries out the plan's clean-up: its guards
 * and messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and
 * context), what it changes, and what it reports.
 */
import { describe, expect, it, vi } from 'vitest';
import { AwsCallFailedError, StateConflictError } from '../../../src/domain/errors.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { buildUseCases, CleanUpKeys } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { errorOf, mutations, start } from './support.js';

describe('Use case: CleanUpKeys', () => {
  it.each([
    ['no plan', {}],
    ['a plan without clean-up', { plan: { action: 'rotate' as const, reason: 'r', cleanup: [] } }],
  ])('does nothing, not even a read of the target, when there is %s', async (_, extra) => {
    // Prepare
    const world = new FakeWorld();
    const getTarget = vi.spyOn(world.targets, 'getTarget');
    const cleanup = buildUseCases(world.ports).cleanup;

    // Act
    const state = await cleanup.execute(start(world, extra));

    // Assess
    expect(state.completed).toEqual(['cleanup']);
    expect(world.faults.calls).toEqual([]);
    expect(getTarget).not.toHaveBeenCalled();
  });

  it('refuses to delete the key the connection holds now, naming it, and deletes nothing', async () => {
    // Prepare
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

    // Act
    const error = await errorOf(buildUseCases(world.ports).cleanup.execute(state));

    // Assess
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
      expect(error.message).toBe(
        'Step "cleanup" of target target-1 needs "connectionId" in its input; it is set by an earlier step (is ' +
          'the state machine passing the whole state?)',
      );
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

    const current = (await world.secrets.describe({ secretId: target.secretId })).current?.versionId;

    for (const [kind, verb] of [
      ['delete-key', 'delete'],
      ['deactivate-key', 'deactivate'],
    ] as const) {
      const state = start(world, {
        connectionId,
        plan: { action: 'repair', reason: 'r', cleanup: [{ kind, accessKeyId: fresh.accessKeyId, reason: 'crafted' }] },
      });
      const error = await errorOf(buildUseCases(world.ports).cleanup.execute(state));
      expect(error).toBeInstanceOf(StateConflictError);
      expect(error.message).toBe(
        `target target-1: step "cleanup" would ${verb} key ${fresh.accessKeyId}, but the secret's current ` +
          `version ${current} holds it now; it was left as it is, re-run to plan again`,
      );
    }
    expect(mutations(world)).toEqual([]);
  });

  it('deactivates a key a failed revoke left active, and a retry after it is gone succeeds', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const retired = world.iam.seedKey(target.iamUserName, {});
    const connectionId = world.connectionIds.get('target-1') as string;
    const plan = {
      action: 'repair' as const,
      reason: 'r',
      cleanup: [{ kind: 'deactivate-key' as const, accessKeyId: retired.accessKeyId, reason: 'finish revoke' }],
    };

    // Act
    await buildUseCases(world.ports).cleanup.execute(start(world, { connectionId, plan }));
    expect(world.iam.keys(target.iamUserName).find((k) => k.accessKeyId === retired.accessKeyId)?.status).toBe(
      'Inactive',
    );

    // Assess
    await world.iam.deleteKey(target.iamUserName, retired.accessKeyId);
    const again = await buildUseCases(world.ports).cleanup.execute(start(world, { connectionId, plan }));
    expect(again.completed).toEqual(['cleanup']);
  });

  it('passes on any error but a gone key from deactivating, leaving the key active', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const retired = world.iam.seedKey(target.iamUserName, {});
    const denied = new AwsCallFailedError('access denied');
    world.faults.fail('iam.setKeyStatus', denied);
    const state = start(world, {
      connectionId: world.connectionIds.get('target-1') as string,
      plan: {
        action: 'repair',
        reason: 'r',
        cleanup: [{ kind: 'deactivate-key', accessKeyId: retired.accessKeyId, reason: 'finish revoke' }],
      },
    });

    // Act
    const outcome = buildUseCases(world.ports).cleanup.execute(state);

    // Assess
    await expect(outcome).rejects.toBe(denied);
    expect(world.iam.keys(target.iamUserName).find((k) => k.accessKeyId === retired.accessKeyId)?.status).toBe(
      'Active',
    );
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
