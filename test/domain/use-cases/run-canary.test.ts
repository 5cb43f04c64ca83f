/**
 * Use cases QueueCanary and CheckCanary (src/domain/use-cases/run-canary.ts), which queue and read a target's
 * canary pipeline run: the inputs they refuse (exact error, message and context) and what a repeated queue does.
 * The whole canary flow, through the runner, is in test/domain/canary.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidStepInputError } from '../../../src/domain/errors.js';
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
