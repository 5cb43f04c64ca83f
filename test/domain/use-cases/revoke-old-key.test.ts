/**
 * Use case RevokeOldKey (src/domain/use-cases/revoke-old-key.ts), which retires the old key: its guards and
 * messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and context),
 * what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import type { CanaryProgress } from '../../../src/domain/canary.js';
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

describe('Use case: RevokeOldKey, its evidence', () => {
  async function published(world: FakeWorld) {
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    const next = await steps.verifyPublish.execute(await steps.publish.execute(await steps.verifyKey.execute(state)));
    return { steps, state: next };
  }

  it.each([
    ['no canary run', undefined],
    ['a failed run', { pipelineId: 42, runId: 1, state: 'completed', result: 'failed' }],
    ['a run still in progress', { pipelineId: 42, runId: 1, state: 'inProgress', result: null }],
  ] as [string, CanaryProgress | undefined][])('keeps the old key of a canary target after %s', async (_, canary) => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');
    const { steps, state } = await published(world);
    const calls = world.faults.calls.length;

    // Act
    const error = await errorOf(steps.revoke.execute({ ...(await steps.promote.execute(state)), canary }));

    // Assess
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      'target target-1 names canary pipeline 42, but no run of it succeeded in this rotation; the old key ' +
        `${state.oldAccessKeyId} was left active`,
    );
    expect(error.context).toEqual({ target: 'target-1' });
    expect(world.faults.calls.slice(calls).filter((c) => c.startsWith('iam.'))).toEqual([]);
  });

  it('retires the old key of a canary target once its run succeeded', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');
    const { steps, state } = await published(world);
    const canary: CanaryProgress = { pipelineId: 42, runId: 1, state: 'completed', result: 'succeeded' };

    // Act
    const next = await steps.revoke.execute({ ...(await steps.promote.execute(state)), canary });

    // Assess
    expect(next.oldKeyStatus).toBe('Inactive');
  });

  it("refuses while the secret's current version still holds the old key", async () => {
    // Prepare: published, not promoted.
    const world = new FakeWorld();
    const { steps, state } = await published(world);
    const calls = world.faults.calls.length;

    // Act
    const error = await errorOf(steps.revoke.execute(state));

    // Assess
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      `target target-1: the secret's current version ${state.oldVersionId} still holds the old key ` +
        `${state.oldAccessKeyId}; it was left active`,
    );
    expect(error.context).toEqual({ target: 'target-1' });
    expect(world.faults.calls.slice(calls)).not.toContain('iam.setKeyStatus');
  });

  it.each([
    ['the old key', (old: string) => old, (old: string) => old],
    ['no key', () => '', () => 'no key'],
  ])('refuses while another holder holds %s, naming it', async (_, value, shown) => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { groups: 1 });
    const { steps, state } = await published(world);
    const promoted = await steps.promote.execute(state);
    const old = state.oldAccessKeyId as string;
    const group = world.variableGroups.variableGroupNamed('aws-target-1-1');
    Object.assign(group.variables.AWS_ACCESS_KEY_ID as object, { value: value(old) });

    // Act
    const error = await errorOf(steps.revoke.execute(promoted));

    // Assess
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      `target target-1: variable group "aws-target-1-1" in project "payments" holds ${shown(old)}, not the new ` +
        `key ${state.newAccessKeyId}; the old key ${old} was left active`,
    );
    expect(error.context).toEqual({ target: 'target-1', holderId: state.holderIds?.[0] });
    expect(world.snapshot().keys.find((k) => k.accessKeyId === old)?.status).toBe('Active');
  });

  it('keeps an old key used after the publish active, saying where when IAM does not know', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await published(world);
    const promoted = await steps.promote.execute(state);
    world.clock.advance(60_000);
    world.iam.markUsed(state.oldAccessKeyId as string);

    // Act
    const next = await steps.revoke.execute(promoted);

    // Assess
    expect(next.oldKeyStatus).toBe('Active');
    expect(next.warnings.at(-1)).toContain(
      '(an unknown service in an unknown region), after the new key was published',
    );
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
