/**
 * Use case RollBack (src/domain/use-cases/roll-back.ts) with more holders than the first connection, and the
 * decisions between restoring and rolling forward (roll-back.test.ts has the single-connection cases; this file
 * keeps both under 300 lines). Over the in-memory world: what it restores, in which order, what it leaves alone,
 * and the sentence it reports when it stops.
 */
import { describe, expect, it } from 'vitest';
import type { RotationState } from '../../../src/domain/rotation-state.js';
import { buildUseCases, RollBack } from '../../../src/domain/use-cases/index.js';
import type { AzureDevOpsPort } from '../../../src/ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../../src/ports/iam-access-keys.port.js';
import type { VariableGroupsPort } from '../../../src/ports/variable-groups.port.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { start } from './support.js';

const failure = { step: 'publish' as const, name: 'X', message: 'm' };
const GROUP_1 = 'variable group "aws-target-1-1" in project "payments"';
const GROUP_2 = 'variable group "aws-target-1-2" in project "payments"';

/** Plan, clean-up and create on a target with `groups` variable groups; published to every holder if asked. */
async function rotated(world: FakeWorld, groups: number, publish: boolean) {
  if (groups > 0) world.addHolders('target-1', { groups });
  const steps = buildUseCases(world.ports);
  let state = await steps.plan.execute(start(world));
  state = await steps.cleanup.execute(state);
  state = await steps.create.execute(state);
  if (publish) {
    world.clock.advance(10_000);
    state = await steps.publish.execute(await steps.verifyKey.execute(state));
  }
  return { steps, state: { ...state, failure } as RotationState };
}

/** Puts the old key back into the first connection only (a rollback stopped after it, or a person). */
async function connectionBackOnOldKey(world: FakeWorld, state: RotationState) {
  const old = await world.secrets.getVersion(world.target().secretId, state.oldVersionId as string);
  await world.azureDevOps.updateCredential(world.target().connection, state.connectionId as string, old);
}

/** A variable groups port whose updates leave the group without a key id (a write that does not take). */
function blanking(world: FakeWorld): VariableGroupsPort {
  return new Proxy(world.variableGroups, {
    get(target, property, receiver) {
      if (property === 'updateCredential')
        return async (ref: { groupName: string }) => {
          const group = world.variableGroups.variableGroupNamed(ref.groupName);
          Object.assign(group.variables.AWS_ACCESS_KEY_ID as object, { value: '' });
        };
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('Use case: RollBack (other holders)', () => {
  it('leaves a holder that still holds the old key alone, writing nothing to it', async () => {
    // Prepare: the run failed before the publish, so the variable group never left the old key.
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 1, false);
    const calls = world.faults.calls.length;

    // Act
    const rolled = await steps.rollback.execute(state);

    // Assess
    expect(rolled.rollback).toEqual({
      actions: [
        `deleted the new key ${state.newAccessKeyId}`,
        `dropped the pending secret version ${state.rotationId}`,
      ],
      consistent: true,
    });
    expect(world.faults.calls.slice(calls)).not.toContain('groups.updateCredential');
    expect(world.violations()).toEqual([]);
  });

  it('stops, keeping the new key, if the old version does not hold the old key, naming the holders left', async () => {
    // Prepare: the connection is back on the old key, both groups hold the new one, and the state's old
    // version is in fact the pending one.
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 2, true);
    await connectionBackOnOldKey(world, state);

    // Act
    const rolled = await steps.rollback.execute({ ...state, oldVersionId: state.pendingVersionId as string });

    // Assess
    expect(rolled.rollback).toEqual({
      actions: [
        `stopped: RollbackFailedError: the secret's version ${state.pendingVersionId} holds ${state.newAccessKeyId}, ` +
          `not the old key ${state.oldAccessKeyId}; ${GROUP_1}, ${GROUP_2} left holding the new key ` +
          `${state.newAccessKeyId}, which was kept`,
      ],
      consistent: false,
    });
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([state.newAccessKeyId, state.newAccessKeyId]);
  });

  it('stops, keeping the new key, when restoring a holder does not take, saying it holds no key', async () => {
    // Prepare
    const world = new FakeWorld();
    const { state } = await rotated(world, 1, true);
    const rollback = new RollBack(world.targets, world.iam, world.secrets, world.azureDevOps, blanking(world));

    // Act
    const rolled = await rollback.execute(state);

    // Assess
    expect(rolled.rollback).toEqual({
      actions: [
        `restored the connection to the old key ${state.oldAccessKeyId}`,
        `stopped: RollbackFailedError: restoring ${GROUP_1} (${state.holderIds?.[0]}) did not take: it holds no ` +
          `key; the new key ${state.newAccessKeyId} was kept so it keeps working`,
      ],
      consistent: false,
    });
    expect(world.snapshot().keys.map((k) => k.accessKeyId)).toContain(state.newAccessKeyId);
  });

  it('refuses holder ids that do not match the configuration, changing nothing', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 1, true);
    const before = world.snapshot();

    // Act
    const rolled = await steps.rollback.execute({ ...state, holderIds: [] });

    // Assess
    expect(rolled.rollback).toEqual({
      actions: [
        'stopped: ConfigurationError: step "rollback" of target target-1: the state carries 0 holder ids for 1 ' +
          'holders; the configuration changed during the run: re-run it',
      ],
      consistent: false,
    });
    expect(world.snapshot()).toEqual(before);
  });

  it('reactivates the old key whatever order IAM lists the keys in', async () => {
    // Prepare: IAM's ListAccessKeys promises no order; here the new key comes first.
    const world = new FakeWorld();
    const { state } = await rotated(world, 0, false);
    await world.iam.setKeyStatus(world.target().iamUserName, state.oldAccessKeyId as string, 'Inactive');
    const reversed: IamAccessKeysPort = new Proxy(world.iam, {
      get(target, property, receiver) {
        if (property === 'listKeys')
          return async (user: Parameters<IamAccessKeysPort['listKeys']>[0]) => (await target.listKeys(user)).reverse();
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

    // Act
    const rolled = await new RollBack(world.targets, reversed, world.secrets, world.azureDevOps).execute(state);

    // Assess
    expect(rolled.rollback?.actions[0]).toBe(`reactivated the old key ${state.oldAccessKeyId}`);
    expect(world.violations()).toEqual([]);
  });
});

describe('Use case: RollBack (restore or roll forward)', () => {
  it('undoes a run that stopped before the publish without reading any secret value', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 0, false);
    const calls = world.faults.calls.length;

    // Act
    const rolled = await steps.rollback.execute(state);

    // Assess
    expect(rolled.rollback?.consistent).toBe(true);
    expect(world.faults.calls.slice(calls)).not.toContain('secrets.getVersion');
  });

  it('restores, rather than rolls forward, a first rotation that stopped before the publish', async () => {
    // Prepare: no old version (the secret did not exist), the connection still on the old key.
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 0, false);

    // Act
    const rolled = await steps.rollback.execute({ ...state, oldVersionId: null });

    // Assess
    expect(rolled.rollback).toEqual({
      actions: [
        `deleted the new key ${state.newAccessKeyId}`,
        `dropped the pending secret version ${state.rotationId}`,
      ],
      consistent: true,
    });
  });

  it('stops on a first rotation whose connection is back on the old key while a holder took the new one', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 1, true);
    await connectionBackOnOldKey(world, state);

    // Act
    const rolled = await steps.rollback.execute({ ...state, oldVersionId: null });

    // Assess
    expect(rolled.rollback).toEqual({
      actions: [
        `stopped: RollbackFailedError: the connection holds ${state.oldAccessKeyId}, and the old credential ` +
          'cannot be restored because the secret did not exist before this run',
      ],
      consistent: false,
    });
  });

  it('rolls forward without rewriting a holder that already holds the new key', async () => {
    // Prepare: a first rotation published to every holder.
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 1, true);
    const calls = world.faults.calls.length;

    // Act
    const rolled = await steps.rollback.execute({ ...state, oldVersionId: null });

    // Assess
    expect(rolled.rollback?.keptNewKey).toBe(true);
    expect(rolled.rollback?.actions).toHaveLength(1);
    expect(world.faults.calls.slice(calls)).not.toContain('groups.updateCredential');
  });

  it('rolls forward from the version named by the rotation id when the state lost the pending version id', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 0, true);

    // Act
    const rolled = await steps.rollback.execute({ ...state, oldVersionId: null, pendingVersionId: undefined });

    // Assess
    expect(rolled.rollback?.keptNewKey).toBe(true);
    expect(world.snapshot().secretCurrentKeyId).toBe(state.newAccessKeyId);
    expect(world.snapshot().secretPendingKeyId).toBeNull();
  });

  it('drops the pending version named by the rotation id when the state lost the key and version ids', async () => {
    // Prepare: published, not promoted: the pending version is still there.
    const world = new FakeWorld();
    const { steps, state } = await rotated(world, 0, true);

    // Act
    const rolled = await steps.rollback.execute({ ...state, newAccessKeyId: undefined, pendingVersionId: undefined });

    // Assess
    expect(rolled.rollback?.actions.at(-1)).toBe(`dropped the pending secret version ${state.rotationId}`);
    expect(world.snapshot().secretPendingKeyId).toBeNull();
    expect(world.violations()).toEqual([]);
  });
  it('moves AWSCURRENT back to the old version when the secret shows no current version', async () => {
    // Prepare: someone removed the AWSCURRENT label by hand after the publish.
    const world = new FakeWorld();
    const { state } = await rotated(world, 0, true);
    const secrets = new Proxy(world.secrets, {
      get(target, property, receiver) {
        if (property === 'describe')
          return async (ref: Parameters<typeof target.describe>[0]) => ({
            ...(await target.describe(ref)),
            current: null,
          });
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

    // Act
    const rolled = await new RollBack(world.targets, world.iam, secrets, world.azureDevOps).execute(state);

    // Assess
    expect(rolled.rollback?.actions.slice(0, 2)).toEqual([
      `restored the connection to the old key ${state.oldAccessKeyId}`,
      `moved the secret's AWSCURRENT back to version ${state.oldVersionId}`,
    ]);
    expect(rolled.rollback?.consistent).toBe(true);
  });
  it('stops, keeping the new key, when restoring the connection leaves it holding no key', async () => {
    // Prepare
    const world = new FakeWorld();
    const { state } = await rotated(world, 0, true);
    const ado = world.azureDevOps;
    const blank: AzureDevOpsPort = {
      findConnection: (ref) => ado.findConnection(ref),
      readConnection: (ref, id) => ado.readConnection(ref, id),
      updateCredential: async (_, id) => {
        ado.connection(id).accessKeyId = null;
      },
    };

    // Act
    const rolled = await new RollBack(world.targets, world.iam, world.secrets, blank).execute(state);

    // Assess
    expect(rolled.rollback?.actions).toEqual([
      'stopped: RollbackFailedError: restoring the connection did not take: it holds no key; the new key ' +
        `${state.newAccessKeyId} was kept so it keeps working`,
    ]);
  });
});
