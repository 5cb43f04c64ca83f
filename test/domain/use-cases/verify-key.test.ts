/**
 * Use case VerifyKey (src/domain/use-cases/verify-key.ts), which proves the new key authenticates: its guards and
 * messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and context),
 * what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { StateConflictError } from '../../../src/domain/errors.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { created, errorOf, needsEarlierStepField } from './support.js';

describe('Use case: VerifyKey', () => {
  it('refuses a pending version that holds another key than the new one', async () => {
    // Prepare
    const world = new FakeWorld();
    const { steps, state } = await created(world);

    // Act
    const error = await errorOf(steps.verifyKey.execute({ ...state, newAccessKeyId: 'AKIAOTHER00000000001' }));

    // Assess
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toBe(
      `target target-1: pending version ${state.rotationId} holds ${state.newAccessKeyId}, not the new key ` +
        `AKIAOTHER00000000001`,
    );
    expect(error.context).toEqual({ target: 'target-1', versionId: state.rotationId });
    expect(world.verifier.attempts).toBe(0);
  });
});

describe('Use case: VerifyKey, its input', () => {
  it.each([
    ['verifyKey', 'verify-key', 'newAccessKeyId', {}],
    ['verifyKey', 'verify-key', 'pendingVersionId', { newAccessKeyId: 'AKIANEW0000000000001' }],
  ] as const)('%s names step "%s" and field %s when it is missing', async (useCase, step, field, extra) => {
    await needsEarlierStepField(useCase, step, field, extra);
  });
});
