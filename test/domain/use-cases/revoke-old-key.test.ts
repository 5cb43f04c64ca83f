/**
 * Use case RevokeOldKey (src/domain/use-cases/revoke-old-key.ts), which retires the old key: its guards and
 * messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and context),
 * what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { AccessKeyNotFoundError, AwsCallFailedError, StateConflictError } from '../../../src/domain/errors.js';
import { RevokeOldKey } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { created, errorOf, mutations, needsEarlierStepField } from './support.js';

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
    // Prepare
    const world = new FakeWorld();
    const { state } = await created(world);
    const revoke = new RevokeOldKey(world.targets, world.iam, world.azureDevOps, world.secrets);

    // Act
    const error = await errorOf(revoke.execute(state));

    // Assess
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
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await published(world);

    // Act
    const next = await steps.revoke.execute(state);

    // Assess
    expect(next.oldKeyStatus).toBe('Inactive');
    expect(next.completed.at(-1)).toBe('revoke');
    expect(world.iam.keys(world.target().iamUserName).find((k) => k.accessKeyId === state.oldAccessKeyId)?.status).toBe(
      'Inactive',
    );
  });

  it('deletes the old key in emergency mode', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await published(world);

    // Act
    const next = await steps.revoke.execute({ ...state, mode: 'emergency' });

    // Assess
    expect(next.oldKeyStatus).toBe('Deleted');
    expect(next.completed.at(-1)).toBe('revoke');
    expect(world.iam.keys(world.target().iamUserName).map((k) => k.accessKeyId)).toEqual([state.newAccessKeyId]);
  });

  it('counts an old key that is already gone as deleted', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await published(world);
    world.faults.fail('iam.setKeyStatus', () => new AccessKeyNotFoundError('gone'));

    // Act
    const next = await steps.revoke.execute(state);

    // Assess
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

describe('Use case: RevokeOldKey, its input', () => {
  it.each([
    ['revoke', 'revoke', 'oldAccessKeyId', {}],
    ['revoke', 'revoke', 'newAccessKeyId', { oldAccessKeyId: 'AKIAOLD0000000000001' }],
    [
      'revoke',
      'revoke',
      'connectionId',
      { oldAccessKeyId: 'AKIAOLD0000000000001', newAccessKeyId: 'AKIANEW0000000000001' },
    ],
  ] as const)('%s names step "%s" and field %s when it is missing', async (useCase, step, field, extra) => {
    await needsEarlierStepField(useCase, step, field, extra);
  });
});
