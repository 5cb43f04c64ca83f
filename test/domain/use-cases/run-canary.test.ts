/**
 * Use cases QueueCanary and CheckCanary (src/domain/use-cases/run-canary.ts), which queue and read a target's
 * canary pipeline run: the inputs they refuse (exact error, message and context) and what a repeated queue does.
 * The whole canary flow, through the runner, is in test/domain/canary.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CanaryRunTimedOutError, ConfigurationError, InvalidStepInputError } from '../../../src/domain/errors.js';
import { CheckCanary, QueueCanary } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { errorOf, start } from './support.js';

const ids = ['canary', 'check-canary'] as const;
const build = (world: FakeWorld, step: (typeof ids)[number], wired = true) => {
  const runs = wired ? world.pipelineRuns : undefined;
  return step === 'canary'
    ? new QueueCanary(world.targets, world.clock, runs)
    : new CheckCanary(world.targets, world.clock, runs);
};

describe('Use cases: QueueCanary and CheckCanary, their input', () => {
  it.each(ids)('step "%s" refuses a target without a canary pipeline, calling nothing', async (step) => {
    // Prepare
    const world = new FakeWorld();

    // Act
    const error = await errorOf(build(world, step).execute(start(world, { canary: { pipelineId: 42 } })));

    // Assess
    expect(error).toBeInstanceOf(InvalidStepInputError);
    expect(error.message).toBe(
      `Step "${step}" of target target-1 runs only for a target naming a canary pipeline whose plan set ` +
        '"canary"; the state machine reached it without one',
    );
    expect(error.context).toEqual({ step, target: 'target-1' });
    expect(world.faults.calls).toEqual([]);
  });

  it.each(ids)('step "%s" refuses a state whose plan did not set "canary"', async (step) => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');

    // Act
    const error = await errorOf(build(world, step).execute(start(world)));

    // Assess
    expect(error).toBeInstanceOf(InvalidStepInputError);
    expect(error.message).toContain(`Step "${step}" of target target-1 runs only for a target naming a canary`);
  });

  it.each(ids)('step "%s" says what to wire when no pipeline runs client is', async (step) => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');

    // Act
    const error = await errorOf(build(world, step, false).execute(start(world, { canary: { pipelineId: 42 } })));

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      'target target-1 names a canary pipeline, but no pipeline runs client is wired; wire the azure-devops slice',
    );
  });

  it('check-canary refuses a canary that was never queued, naming the fields the canary step sets', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');

    // Act
    const error = await errorOf(build(world, 'check-canary').execute(start(world, { canary: { pipelineId: 42 } })));

    // Assess
    expect(error).toBeInstanceOf(InvalidStepInputError);
    expect(error.message).toBe(
      'Step "check-canary" of target target-1 needs "canary.runId" and "canary.queuedAt"; they are set by the ' +
        'canary step',
    );
    expect(error.context).toEqual({ step: 'check-canary', target: 'target-1' });
    expect(world.faults.calls).toEqual([]);
  });
});

describe('Use case: QueueCanary', () => {
  it('queues no second run when this rotation already queued one', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');
    const queue = build(world, 'canary');
    const first = await queue.execute(start(world, { canary: { pipelineId: 42 } }));

    // Act
    const again = await queue.execute({ ...first, completed: [] });

    // Assess
    expect(again.completed).toEqual(['canary']);
    expect(again.canary).toEqual(first.canary);
    expect(world.faults.calls.filter((c) => c === 'pipelines.queueRun')).toHaveLength(1);
  });
});

describe('Use case: QueueCanary, the run it records', () => {
  it('records the queued run, when it was queued and no reads yet, and marks "canary" done', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');
    const queuedAt = world.clock.now().toISOString();

    // Act
    const queued = await build(world, 'canary').execute(start(world, { canary: { pipelineId: 42 } }));

    // Assess
    expect(queued.completed).toEqual(['canary']);
    expect(queued.canary).toMatchObject({ pipelineId: 42, runId: 501, queuedAt, checks: 0 });
  });
});

describe('Use case: CheckCanary, one read at a time', () => {
  const queuedWorld = async (options: Parameters<FakeWorld['addCanary']>[1] = {}) => {
    const world = new FakeWorld();
    world.addCanary('target-1', options);
    const queued = await build(world, 'canary').execute(start(world, { canary: { pipelineId: 42 } }));
    return { world, queued };
  };

  it.each([
    ['runId', { runId: undefined }],
    ['queuedAt', { queuedAt: undefined }],
  ])('refuses a canary whose %s alone is missing, reading no run', async (_field, missing) => {
    // Prepare
    const { world, queued } = await queuedWorld();
    const calls = world.faults.calls.length;

    // Act
    const error = await errorOf(
      build(world, 'check-canary').execute({ ...queued, canary: { ...queued.canary, ...missing } as never }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidStepInputError);
    expect(error.message).toContain('needs "canary.runId" and "canary.queuedAt"');
    expect(world.faults.calls.slice(calls)).toEqual([]);
  });

  it('counts its reads while the run goes on, and marks "check-canary" done only once it succeeded', async () => {
    // Prepare
    const { world, queued } = await queuedWorld({ readsToComplete: 3 });
    const check = build(world, 'check-canary');

    // Act
    const first = await check.execute(queued);
    const second = await check.execute(first);
    const third = await check.execute(second);

    // Assess
    expect([first.canary?.checks, second.canary?.checks, third.canary?.checks]).toEqual([1, 2, 3]);
    expect(first.completed).toEqual(['canary']);
    expect(second.completed).toEqual(['canary']);
    expect(third.completed).toEqual(['canary', 'check-canary']);
    expect(third.canary).toMatchObject({ state: 'completed', result: 'succeeded' });
  });

  it('times out when the run is still going at its budget, not a second before', async () => {
    // Prepare
    const { world, queued } = await queuedWorld({ outcome: 'never-completes' });
    const check = new CheckCanary(world.targets, world.clock, world.pipelineRuns, 60);

    // Act
    world.clock.advance(59_000);
    const before = await check.execute(queued);
    world.clock.advance(1_000);
    const error = await errorOf(check.execute(before));

    // Assess
    expect(before.completed).toEqual(['canary']);
    expect(error).toBeInstanceOf(CanaryRunTimedOutError);
    expect(error.message).toContain('after 60 s (budget 60 s): timed out');
  });
});
