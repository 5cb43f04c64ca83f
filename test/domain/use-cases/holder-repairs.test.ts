/**
 * The steps that put holders back in agreement: the clean-up's `sync-holders` (an interrupted run left a
 * holder on the other key) and the first-rotation rollback that keeps the new key (every other holder
 * follows the connection to it). Each write is proven by a read; a write that does not take is an error.
 */
import { describe, expect, it } from 'vitest';
import { PublishNotVerifiedError } from '../../../src/domain/errors.js';
import type { RotationState } from '../../../src/domain/rotation-state.js';
import { buildUseCases, CleanUpKeys, RollBack } from '../../../src/domain/use-cases/index.js';
import type { VariableGroupsPort } from '../../../src/ports/variable-groups.port.js';
import { FakeWorld } from '../../../local/fakes/world.js';

const start = (world: FakeWorld): RotationState => ({
  rotationId: world.newRotationId(),
  targetName: 'target-1',
  mode: 'rotate',
  startedAt: world.clock.now().toISOString(),
  completed: [],
  warnings: [],
});

/** A variable groups port whose updates are accepted and lost (a write that does not take). */
function deaf(world: FakeWorld): VariableGroupsPort {
  return new Proxy(world.variableGroups, {
    get(target, property, receiver) {
      if (property === 'updateCredential') return async () => undefined;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A world with one more holder (a variable group) whose key was changed behind the rotator's back. */
async function drifted() {
  const world = new FakeWorld();
  world.addHolders('target-1', { groups: 1 });
  const planned = await buildUseCases(world.ports).plan.execute(start(world));
  const held = world.snapshot().connectionKeyId as string;
  const versionId = world.snapshot().secretVersions[0]?.versionId as string;
  const group = world.variableGroups.variableGroupNamed('aws-target-1-1');
  Object.assign(group.variables.AWS_ACCESS_KEY_ID as object, { value: 'AKIAOTHERKEY00000001' });
  const state: RotationState = {
    ...planned,
    plan: {
      action: 'repair',
      reason: 'r',
      cleanup: [{ kind: 'sync-holders', versionId, accessKeyId: held, reason: 'a holder drifted' }],
    },
  };
  return { world, state, held };
}

describe('Use case: CleanUpKeys (sync-holders)', () => {
  it('writes the agreed key back into a holder that holds another, read back, keeping its other secrets', async () => {
    // Prepare
    const { world, state, held } = await drifted();

    // Act
    const after = await buildUseCases(world.ports).cleanup.execute(state);

    // Assess
    expect(after.completed).toContain('cleanup');
    expect(world.otherHolderKeys()).toEqual([expect.objectContaining({ accessKeyId: held, otherSecretKept: true })]);
    expect(world.iam.authenticates(held, world.otherHolderKeys()[0]?.secretAccessKey ?? '')).not.toBe('invalid');
  });

  it('leaves a holder that already holds the agreed key untouched', async () => {
    // Prepare
    const { world, state, held } = await drifted();
    const group = world.variableGroups.variableGroupNamed('aws-target-1-1');
    Object.assign(group.variables.AWS_ACCESS_KEY_ID as object, { value: held });
    const calls = world.faults.calls.length;

    // Act
    await buildUseCases(world.ports).cleanup.execute(state);

    // Assess
    expect(world.faults.calls.slice(calls)).not.toContain('groups.updateCredential');
  });

  it('throws PublishNotVerifiedError, naming what the holder holds, when the write does not take', async () => {
    // Prepare
    const { world, state, held } = await drifted();
    const cleanup = new CleanUpKeys(world.targets, world.iam, world.secrets, world.azureDevOps, deaf(world));

    // Act
    const error = await cleanup.execute(state).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(PublishNotVerifiedError);
    expect((error as Error).message).toBe(
      `target target-1: writing ${held} back into a holder did not take (it holds AKIAOTHERKEY00000001)`,
    );
    expect((error as PublishNotVerifiedError).context).toEqual({ target: 'target-1', holderId: state.holderIds?.[0] });
  });

  it('says the holder holds no key when the write left it without one', async () => {
    // Prepare
    const { world, state, held } = await drifted();
    const blanking = new Proxy(world.variableGroups, {
      get(target, property, receiver) {
        if (property === 'updateCredential')
          return async () => {
            Object.assign(
              world.variableGroups.variableGroupNamed('aws-target-1-1').variables.AWS_ACCESS_KEY_ID as object,
              {
                value: '',
              },
            );
          };
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const cleanup = new CleanUpKeys(world.targets, world.iam, world.secrets, world.azureDevOps, blanking);

    // Act
    const error = await cleanup.execute(state).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect((error as Error).message).toBe(
      `target target-1: writing ${held} back into a holder did not take (it holds no key)`,
    );
  });

  it('refuses, writing nothing, when the state carries holder ids for another configuration', async () => {
    // Prepare
    const { world, state } = await drifted();
    const calls = world.faults.calls.length;

    // Act
    const error = await buildUseCases(world.ports)
      .cleanup.execute({ ...state, holderIds: [] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // Assess
    expect((error as Error).message).toBe(
      'step "cleanup" of target target-1: the state carries 0 holder ids for 1 holders; the configuration ' +
        'changed during the run: re-run it',
    );
    expect(world.faults.calls.slice(calls)).not.toContain('groups.updateCredential');
  });
});

describe('Use case: RollBack (first rotation, keeping the new key)', () => {
  async function publishedToConnectionOnly(world: FakeWorld) {
    world.addHolders('target-1', { groups: 1 });
    const steps = buildUseCases(world.ports);
    let state = await steps.plan.execute(start(world));
    state = await steps.cleanup.execute(state);
    state = await steps.create.execute(state);
    world.clock.advance(10_000);
    state = await steps.verifyKey.execute(state);
    // Only the first connection took the new key before the run failed.
    const { credential } = await world.secrets
      .getVersion(world.target().secretId, state.pendingVersionId as string)
      .then((c) => ({ credential: c }));
    await world.azureDevOps.updateCredential(world.target().connection, state.connectionId as string, credential);
    return {
      steps,
      state: { ...state, oldVersionId: null, failure: { step: 'publish' as const, name: 'X', message: 'm' } },
    };
  }

  it('publishes the new key to every other holder too, then promotes it, saying so', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await publishedToConnectionOnly(world);

    // Act
    const rolled = await steps.rollback.execute(state);

    // Assess
    expect(rolled.rollback?.keptNewKey).toBe(true);
    expect(rolled.rollback?.actions[0]).toBe(
      `published the new key ${state.newAccessKeyId} to variable group "aws-target-1-1" in project "payments" ` +
        'too, so that every holder agrees',
    );
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([state.newAccessKeyId]);
    expect(world.snapshot().secretCurrentKeyId).toBe(state.newAccessKeyId);
    expect(world.snapshot().secretPendingKeyId).toBeNull();
  });

  it('stops, keeping the old key active, when another holder does not take the new key', async () => {
    // Prepare
    const world = new FakeWorld();
    const { state } = await publishedToConnectionOnly(world);
    const rollback = new RollBack(world.targets, world.iam, world.secrets, world.azureDevOps, deaf(world));

    // Act
    const rolled = await rollback.execute(state);

    // Assess
    expect(rolled.rollback?.consistent).toBe(false);
    expect(rolled.rollback?.actions.at(-1)).toMatch(
      new RegExp(`did not take the new key ${state.newAccessKeyId}; the old key ${state.oldAccessKeyId} stays active$`),
    );
    expect(world.iam.keys(world.target().iamUserName).find((k) => k.accessKeyId === state.oldAccessKeyId)?.status).toBe(
      'Active',
    );
  });
});
