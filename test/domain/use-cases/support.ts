import { expect } from 'vitest';
import { RotationError } from '../../../src/domain/errors.js';
import type { RotationState } from '../../../src/domain/rotation-state.js';
import { buildUseCases } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';

/** What the use case tests share: a step's first input, the error a step throws, the world's writes. */

export const start = (world: FakeWorld, extra: Partial<RotationState> = {}): RotationState => ({
  rotationId: world.newRotationId(),
  targetName: 'target-1',
  mode: 'rotate',
  startedAt: world.clock.now().toISOString(),
  completed: [],
  warnings: [],
  ...extra,
});

export async function errorOf(promise: Promise<unknown>): Promise<RotationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RotationError) return error;
    throw error;
  }
  throw new Error('expected a RotationError');
}

/** The fake ports' calls that change something. */
export const MUTATING = [
  'iam.createKey',
  'iam.setKeyStatus',
  'iam.deleteKey',
  'secrets.putPending',
  'secrets.promote',
  'secrets.dropPending',
  'ado.updateCredential',
];
export const mutations = (world: FakeWorld) => world.faults.calls.filter((c) => MUTATING.includes(c));

/** Runs plan, cleanup and create, as a run would, and returns the state after create. */
export async function created(world: FakeWorld) {
  const steps = buildUseCases(world.ports);
  let state = await steps.plan.execute(start(world));
  state = await steps.cleanup.execute(state);
  state = await steps.create.execute(state);
  return { steps, state };
}

/** A step that needs a field an earlier step sets refuses an input without it, naming both, and calls nothing. */
export async function needsEarlierStepField(
  useCase: 'verifyKey' | 'publish' | 'verifyPublish' | 'promote' | 'revoke',
  step: string,
  field: string,
  extra: Partial<RotationState>,
): Promise<void> {
  // Prepare
  const world = new FakeWorld();
  const steps = buildUseCases(world.ports);

  // Act
  const error = await errorOf(steps[useCase].execute(start(world, extra)));

  // Assess
  expect(error.message).toBe(
    `Step "${step}" of target target-1 needs "${field}" in its input; it is set by an earlier step (is the ` +
      `state machine passing the whole state?)`,
  );
  expect(world.faults.calls).toEqual([]);
}
