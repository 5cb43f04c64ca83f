/**
 * Use case VerifyPublish (src/domain/use-cases/verify-publish.ts), which reads every holder back: its guards and
 * messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and context),
 * what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { PublishNotVerifiedError } from '../../../src/domain/errors.js';
import { VerifyPublish } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { created, errorOf, needsEarlierStepField } from './support.js';

describe('Use case: VerifyPublish', () => {
  it('throws PublishNotVerifiedError naming what the connection holds', async () => {
    // Prepare
    const world = new FakeWorld();
    const { state } = await created(world);
    const verify = new VerifyPublish(world.targets, world.azureDevOps);

    // Act
    const error = await errorOf(verify.execute(state));

    // Assess
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

describe('Use case: VerifyPublish, other holders', () => {
  it.each([
    ['the old key', (old: string) => old, (old: string) => old],
    ['no key', () => '', () => 'no key'],
  ])('throws PublishNotVerifiedError naming a variable group that holds %s', async (_, value, shown) => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { groups: 1 });
    const { steps, state } = await created(world);
    world.clock.advance(10_000);
    const published = await steps.publish.execute(await steps.verifyKey.execute(state));
    const old = state.oldAccessKeyId as string;
    const group = world.variableGroups.variableGroupNamed('aws-target-1-1');
    Object.assign(group.variables.AWS_ACCESS_KEY_ID as object, { value: value(old) });

    // Act
    const error = await errorOf(steps.verifyPublish.execute(published));

    // Assess
    expect(error).toBeInstanceOf(PublishNotVerifiedError);
    expect(error.message).toBe(
      `target target-1: variable group "aws-target-1-1" in project "payments" (${state.holderIds?.[0]}) holds ` +
        `${shown(old)} after the update, not the new key ${state.newAccessKeyId}`,
    );
    expect(error.context).toEqual({ target: 'target-1', holderId: state.holderIds?.[0] });
  });
});

describe('Use case: VerifyPublish, its input', () => {
  it.each([
    ['verifyPublish', 'verify-publish', 'connectionId', {}],
    ['verifyPublish', 'verify-publish', 'newAccessKeyId', { connectionId: 'c1' }],
  ] as const)('%s names step "%s" and field %s when it is missing', async (useCase, step, field, extra) => {
    await needsEarlierStepField(useCase, step, field, extra);
  });
});
