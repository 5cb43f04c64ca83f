/**
 * Use case CreateKey (src/domain/use-cases/create-key.ts), which creates the new key and its pending secret
 * version: its guards and messages, one branch at a time, over the in-memory world: what it refuses (exact error,
 * message and context), what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import {
  AccessKeyQuotaExceededError,
  AwsCallFailedError,
  RotationInProgressError,
  StateConflictError,
} from '../../../src/domain/errors.js';
import { buildUseCases, CreateKey } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { created, errorOf, mutations, start } from './support.js';

describe('Use case: CreateKey', () => {
  it("re-uses this run's pending version instead of creating a second key", async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);
    const keysBefore = world.snapshot().keys;

    // Act
    const again = await steps.create.execute({
      ...state,
      newAccessKeyId: undefined,
      pendingVersionId: undefined,
      completed: ['plan', 'cleanup'],
    });

    // Assess
    expect(again).toMatchObject({
      newAccessKeyId: state.newAccessKeyId,
      pendingVersionId: state.rotationId,
      completed: ['plan', 'cleanup', 'create'],
    });
    expect(world.snapshot().keys).toEqual(keysBefore);
  });

  it('stops without creating a key when another run has a pending version', async () => {
    // Prepare
    const world = new FakeWorld();
    const first = await created(world);
    const calls = world.faults.calls.length;

    // Act
    const error = await errorOf(first.steps.create.execute(start(world)));

    // Assess
    expect(error).toBeInstanceOf(RotationInProgressError);
    expect(error.message).toBe(
      `target target-1: another rotation (${first.state.rotationId}) created a key a moment ago; this run ` +
        `stops without creating one`,
    );
    expect(error.context).toEqual({ target: 'target-1', otherRotationId: first.state.rotationId });
    expect(world.faults.calls.slice(calls)).not.toContain('iam.createKey');
  });

  it('deletes an orphan of this run before creating, when the user already has two keys', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const orphan = world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });

    // Act
    const next = await new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state);

    // Assess
    const ids = world.iam.keys(target.iamUserName).map((k) => k.accessKeyId);
    expect(ids).not.toContain(orphan.accessKeyId);
    expect(ids).toEqual([state.oldAccessKeyId, next.newAccessKeyId]);
    // Room is made first: IAM is not asked to create a third key and refuse.
    expect(world.faults.calls.filter((c) => c === 'iam.createKey')).toEqual(['iam.createKey']);
  });

  it('refuses to look for orphans without the connection id, deleting nothing', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });

    // Act
    const error = await errorOf(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute({
        ...state,
        connectionId: undefined,
      }),
    );

    // Assess
    expect(error.message).toBe(
      'Step "create" of target target-1 needs "connectionId" in its input; it is set by an earlier step (is the ' +
        'state machine passing the whole state?)',
    );
    expect(mutations(world)).toEqual([]);
  });

  it('refuses to make room by deleting a key that is not an orphan of this run, listing the keys', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    const other = world.iam.seedKey(target.iamUserName, { status: 'Inactive' });
    const held = state.oldAccessKeyId as string;

    // Act
    const error = await errorOf(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state),
    );

    // Assess
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
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    world.iam.seedKey(target.iamUserName, { lastUsedAt: null, createdAt: world.clock.now() });

    // Act
    const error = await errorOf(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute({
        ...state,
        oldAccessKeyId: 'AKIAGONE000000000001',
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      'target target-1: the old key AKIAGONE000000000001 is gone from IAM; re-run to plan again',
    );
    expect(error.context).toEqual({ target: 'target-1' });
  });

  it('makes room and tries once more when IAM says the quota is full although one key was listed', async () => {
    // Prepare
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

    // Act
    const next = await new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state);

    // Assess
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
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    const state = await buildUseCases(world.ports).plan.execute(start(world));
    world.faults.fail('secrets.putPending', () => new AwsCallFailedError('denied'));
    world.faults.fail('iam.deleteKey', () => new AwsCallFailedError('also denied'));

    // Act
    await expect(
      new CreateKey(world.targets, world.iam, world.secrets, world.azureDevOps).execute(state),
    ).rejects.toThrow('denied');
    // The delete failed too: the error thrown is still the store's, and the next run finds an orphan.
    expect(world.iam.keys(target.iamUserName)).toHaveLength(2);

    // Assess
    const again = new FakeWorld();
    const s2 = await buildUseCases(again.ports).plan.execute(start(again));
    again.faults.fail('secrets.putPending', () => new AwsCallFailedError('denied'));
    await expect(new CreateKey(again.targets, again.iam, again.secrets, again.azureDevOps).execute(s2)).rejects.toThrow(
      'denied',
    );
    expect(again.iam.keys(again.target().iamUserName)).toHaveLength(1);
  });
});
