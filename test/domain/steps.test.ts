import { describe, expect, it } from 'vitest';
import { InvalidStepInputError } from '../../src/domain/errors.js';
import { parseRotationState, type RotationState } from '../../src/domain/rotation-state.js';
import { buildUseCases } from '../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../local/fakes/world.js';

const start = (world: FakeWorld, mode: RotationState['mode'] = 'rotate'): RotationState => ({
  rotationId: world.newRotationId(),
  targetName: 'target-1',
  mode,
  startedAt: world.clock.now().toISOString(),
  completed: [],
  warnings: [],
});

/** Runs the steps one by one, as separate Lambdas would, each twice (a retried or re-delivered task). */
async function runEachStepTwice(world: FakeWorld, mode: RotationState['mode'] = 'rotate') {
  const steps = buildUseCases(world.ports);
  world.clock.advance(10_000); // let the new key propagate between steps
  let state = start(world, mode);
  const order = [
    steps.plan,
    steps.cleanup,
    steps.create,
    steps.verifyKey,
    steps.publish,
    steps.verifyPublish,
    steps.promote,
    steps.revoke,
  ];
  for (const step of order) {
    const first = await step.execute(state);
    world.clock.advance(10_000);
    const second = await step.execute(state);
    // Publish records when it wrote the new key (the evidence threshold of revoke): a re-run writes again, later.
    const { publishedAt: firstPublishedAt, ...firstRest } = first;
    const { publishedAt: secondPublishedAt, ...secondRest } = second;
    expect(secondRest).toEqual(firstRest);
    expect(
      Date.parse(secondPublishedAt ?? '') >= Date.parse(firstPublishedAt ?? '') ||
        firstPublishedAt === secondPublishedAt,
    ).toBe(true);
    state = first;
    expect(world.violations('target-1', { final: false })).toEqual([]);
  }
  return state;
}

describe('Use cases, one step at a time', () => {
  it('re-running any step with the same input is safe (invariant: idempotent steps)', async () => {
    const world = new FakeWorld({ propagationMs: 5_000 });

    const state = await runEachStepTwice(world);

    expect(state.completed).toEqual([
      'plan',
      'cleanup',
      'create',
      'verify-key',
      'publish',
      'verify-publish',
      'promote',
      'revoke',
    ]);
    expect(world.snapshot().keys).toHaveLength(2);
    expect(world.violations()).toEqual([]);
  });

  it('keeps the connection on an active key at every call (invariant: held key active)', async () => {
    const world = new FakeWorld({ propagationMs: 5_000 });
    const seen: string[] = [];
    world.faults.afterEach = (call) => {
      for (const v of world.violations('target-1', { final: false })) seen.push(`${call}: ${v}`);
    };

    await world.runner().run({ mode: 'rotate', targetNames: ['target-1'], newRotationId: () => world.newRotationId() });

    expect(seen).toEqual([]);
  });

  it('never holds more than two keys, even when a create answer was lost (invariant: two keys)', async () => {
    const world = new FakeWorld();
    // The first create happens but its answer is lost, as when the Lambda dies after IAM answered.
    world.faults.fail('iam.createKey', () => new Error('socket hang up'), { phase: 'after' });
    const steps = buildUseCases(world.ports);
    const planned = await steps.plan.execute(start(world));

    await expect(steps.create.execute(planned)).rejects.toThrow('socket hang up');
    const retried = await steps.create.execute(planned);

    expect(world.snapshot().keys).toHaveLength(2);
    expect(retried.newAccessKeyId).toBe(world.snapshot().secretPendingKeyId);
  });

  it('leaves no pending version and no orphan after a rollback (invariant: consistent after failure)', async () => {
    const world = new FakeWorld();
    const steps = buildUseCases(world.ports);
    let state = await steps.plan.execute(start(world));
    state = await steps.cleanup.execute(state);
    state = await steps.create.execute(state);

    const rolledBack = await steps.rollback.execute({
      ...state,
      failure: { step: 'verify-key', name: 'KeyVerificationFailedError', message: 'x' },
    });
    const again = await steps.rollback.execute({
      ...state,
      failure: { step: 'verify-key', name: 'KeyVerificationFailedError', message: 'x' },
    });

    expect(rolledBack.rollback?.consistent).toBe(true);
    expect(again.rollback?.consistent).toBe(true);
    expect(world.violations()).toEqual([]);
    expect(world.snapshot().keys).toHaveLength(1);
  });

  it('refuses to revoke the old key while the connection does not hold the new one', async () => {
    const world = new FakeWorld();
    const steps = buildUseCases(world.ports);
    let state = await steps.plan.execute(start(world));
    state = await steps.create.execute(state);

    await expect(steps.revoke.execute(state)).rejects.toMatchObject({ name: 'StateConflictError' });
    expect(world.snapshot().keys.every((k) => k.status === 'Active')).toBe(true);
  });
});

describe('Function: parseRotationState', () => {
  const valid = {
    rotationId: '11111111-1111-4111-8111-111111111111',
    targetName: 'app',
    mode: 'rotate',
    startedAt: '2026-11-29T03:00:00Z',
  };

  it('accepts the minimal input and fills defaults', () => {
    expect(parseRotationState(valid)).toMatchObject({ ...valid, completed: [], warnings: [] });
  });

  const bad: Array<[string, unknown, string]> = [
    ['a missing rotationId', { ...valid, rotationId: undefined }, 'rotationId'],
    ['a short rotationId', { ...valid, rotationId: 'abc' }, 'rotationId'],
    ['a missing targetName', { ...valid, targetName: undefined }, 'targetName'],
    ['an unknown mode', { ...valid, mode: 'yolo' }, 'mode'],
    ['a bad startedAt', { ...valid, startedAt: 'yesterday' }, 'startedAt'],
    ['an unknown field', { ...valid, extra: 1 }, 'extra'],
    ['a secret-bearing field', { ...valid, secretAccessKey: 'x' }, 'secretAccessKey'],
    [
      'a nested secret-bearing field',
      { ...valid, plan: { action: 'rotate', reason: 'r', cleanup: [], password: 'x' } },
      'plan.password',
    ],
    ['a PAT field', { ...valid, pat: 'x' }, 'pat'],
    ['a bad access key id', { ...valid, newAccessKeyId: 'not-a-key' }, 'newAccessKeyId'],
    ['a non-object', 'hello', '(root)'],
  ];
  for (const [what, input, field] of bad) {
    it(`throws InvalidStepInputError naming the field for ${what}`, () => {
      let thrown: unknown;
      try {
        parseRotationState(input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidStepInputError);
      expect((thrown as InvalidStepInputError).context.field).toBe(field);
    });
  }
});
