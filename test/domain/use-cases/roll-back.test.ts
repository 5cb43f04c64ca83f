/**
 * Use case RollBack (src/domain/use-cases/roll-back.ts), which puts the old key back everywhere: its guards and
 * messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and context),
 * what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { AwsThrottledError } from '../../../src/domain/errors.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { buildUseCases, RollBack } from '../../../src/domain/use-cases/index.js';
import type { AzureDevOpsPort } from '../../../src/ports/azure-devops.port.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { created, mutations, start } from './support.js';

describe('Use case: RollBack', () => {
  const failure = { step: 'publish' as const, name: 'X', message: 'm' };

  it('deletes a key this run created but never stored, saying so', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const orphan = world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });

    // Act
    const next = await buildUseCases(world.ports).rollback.execute({ ...state, failure });

    // Assess
    expect(next.rollback).toEqual({
      actions: [`deleted key ${orphan.accessKeyId}, created by this run but never stored`],
      consistent: true,
    });
    expect(next.completed.at(-1)).toBe('rollback');
    expect(world.violations()).toEqual([]);
  });

  it('says there was nothing to roll back when no key was stored or left', async () => {
    // Prepare
    const world = new FakeWorld();
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Act
    const next = await buildUseCases(world.ports).rollback.execute({ ...state, failure });

    // Assess
    expect(next.rollback).toEqual({ actions: ['nothing to roll back: no new key was stored'], consistent: true });
    expect(mutations(world)).toEqual([]);
  });

  it("keeps the secret's previous and current keys when looking for orphans", async () => {
    // Prepare
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

    // Act
    const next = await buildUseCases(world.ports).rollback.execute({ ...state, failure });

    // Assess
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
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    await world.iam.setKeyStatus(world.target().iamUserName, state.oldAccessKeyId as string, 'Inactive');

    // Act
    const rolled = await steps.rollback.execute({ ...state, failure });

    // Assess
    expect(rolled.rollback?.actions).toEqual([
      `reactivated the old key ${state.oldAccessKeyId}`,
      `deleted the new key ${state.newAccessKeyId}`,
      `dropped the pending secret version ${state.rotationId}`,
    ]);
    expect(world.violations()).toEqual([]);
  });

  it('is a no-op the second time', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    await steps.rollback.execute({ ...state, failure });
    const after = world.snapshot();

    // Act
    const again = await steps.rollback.execute({ ...state, failure, pendingVersionId: undefined });

    // Assess
    expect(again.rollback).toEqual({ actions: [], consistent: true });
    expect(world.snapshot()).toEqual(after);
  });

  it('stops, inconsistent, when the old secret version holds another key than the old one', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    const next = await steps.publish.execute(await steps.verifyKey.execute(state));
    const held = world.snapshot().connectionKeyId;

    // Act
    const rolled = await steps.rollback.execute({ ...next, oldAccessKeyId: 'AKIAELSEWHERE0000001', failure });

    // Assess
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
    // Prepare
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

    // Act
    const rolled = await new RollBack(world.targets, world.iam, world.secrets, deaf).execute({ ...next, failure });

    // Assess
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
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    const next = await steps.publish.execute(await steps.verifyKey.execute(state));

    // Act
    const rolled = await steps.rollback.execute({ ...next, oldVersionId: null, failure });

    // Assess
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
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.azureDevOps.connection(state.connectionId as string).accessKeyId = null;

    // Act
    const rolled = await steps.rollback.execute({ ...state, oldVersionId: null, failure });

    // Assess
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
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    world.faults.fail('secrets.describe', () => 'plain failure' as unknown as Error);

    // Act
    const rolled = await steps.rollback.execute({ ...state, failure });

    // Assess
    expect(rolled.rollback).toEqual({ actions: ['stopped: plain failure'], consistent: false });
  });

  it(
    'stops without the connection id (it cannot check what it would delete), deleting nothing and ' + 'saying so',
    async () => {
      const world = new FakeWorld();
      const { steps, state } = await created(world);
      const before = world.iam.keys(world.target().iamUserName);

      const rolled = await steps.rollback.execute({ ...state, connectionId: undefined, failure });

      expect(rolled.rollback).toEqual({
        actions: [
          'stopped: InvalidStepInputError: Step "rollback" of target target-1 needs "connectionId" in its input; ' +
            'it is set by an earlier step (is the state machine passing the whole state?)',
        ],
        consistent: false,
      });
      expect(world.iam.keys(world.target().iamUserName)).toEqual(before);
      // With a new key to undo, the old key's id is needed as much.
      const noOld = await steps.rollback.execute({ ...state, oldAccessKeyId: undefined, failure });
      expect(noOld.rollback?.actions).toEqual([
        'stopped: InvalidStepInputError: Step "rollback" of target target-1 needs "oldAccessKeyId" in its input; ' +
          'it is set by an earlier step (is the state machine passing the whole state?)',
      ]);
      expect(world.iam.keys(world.target().iamUserName)).toEqual(before);
    },
  );

  it('never deletes the key the connection holds, whatever its input calls the new key', async () => {
    // Prepare
    // A crafted but valid-looking input: the "new" key is the one the connection holds.
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    const held = state.oldAccessKeyId as string;
    world.faults.calls.length = 0;

    // Act
    const rolled = await steps.rollback.execute({ ...state, newAccessKeyId: held, failure });

    // Assess
    expect(rolled.rollback?.consistent).toBe(false);
    expect(rolled.rollback?.actions.at(-1)).toBe(
      `stopped: RollbackFailedError: connection "aws-target-1" holds the new key ${held}, so it was not deleted; ` +
        `the old key ${held} is kept too`,
    );
    expect(world.iam.keys(world.target().iamUserName).map((k) => k.accessKeyId)).toContain(held);
    expect(world.faults.calls).not.toContain('iam.deleteKey');
  });
});
