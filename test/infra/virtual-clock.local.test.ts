import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedTargetMs, modelledTaskMs, TIME_MODEL } from '../../infra/execution-time.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { type AslDefinition, runStateMachineLocally } from '../../local/local-run.js';
import { LocalS3 } from '../../local/local-s3.js';
import { runInWorld, worldDefinition } from '../../local/local-state-machine.js';
import { schedule } from '../../local/virtual-clock.js';
import { logger } from '../../src/adapters/observability/logger.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const { invokeMs, transitionMs } = TIME_MODEL;

/** A Wait, then a task `work` retried on `Flaky` by `retrier`. */
const waitThenRetried = (retrier: Record<string, unknown>, timeoutSeconds?: number): AslDefinition =>
  ({
    StartAt: 'pause',
    ...(timeoutSeconds ? { TimeoutSeconds: timeoutSeconds } : {}),
    States: {
      pause: { Type: 'Wait', Seconds: 100, Next: 'work' },
      work: { Type: 'Task', Resource: LAMBDA, Retry: [{ ErrorEquals: ['Flaky'], ...retrier }], End: true },
    },
  }) as unknown as AslDefinition;

/** A handler that fails `times` times with `Flaky`, then answers. */
function flaky(times: number) {
  let calls = 0;
  return async () => {
    calls++;
    if (calls <= times) throw Object.assign(new Error('not yet'), { name: 'Flaky' });
    return { ok: true };
  };
}

beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => logger.setLogLevel('INFO'));

describe('The local run keeps a virtual clock', () => {
  it('advances by each Wait, each retry interval (backoff, capped) and each attempt, while running fast', async () => {
    // Prepare: retries after 2 s, then 2 × 3 = 6 s capped at 5 s.
    const definition = waitThenRetried({ IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3, MaxDelaySeconds: 5 });

    // Act
    const run = await runStateMachineLocally({ definition, handlers: { work: flaky(2) }, input: {} });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const expected = 100_000 + 3 * invokeMs + 2_000 + 5_000;
    expect(run.virtualMs).toEqual({ low: expected, expected, high: expected });
    expect(run.localMs).toBeLessThan(5_000);
  });

  it('spreads a FULL-jitter retry over [0, delay]: low, expected and high bound', async () => {
    // Prepare
    const definition = waitThenRetried({ IntervalSeconds: 4, BackoffRate: 1, MaxAttempts: 2, JitterStrategy: 'FULL' });

    // Act
    const run = await runStateMachineLocally({ definition, handlers: { work: flaky(2) }, input: {} });

    // Assess
    const base = 100_000 + 3 * invokeMs;
    expect(run.virtualMs).toEqual({ low: base, expected: base + 4_000, high: base + 8_000 });
  });

  it('fails the execution with States.Timeout when its virtual time passes TimeoutSeconds', async () => {
    // Prepare: a 100 s wait in an execution allowed 60 s.
    const definition = waitThenRetried({}, 60);

    // Act
    const run = await runStateMachineLocally({
      definition,
      handlers: { work: flaky(0) },
      input: {},
      enforceExecutionTimeout: true,
    });
    const unenforced = await runStateMachineLocally({ definition, handlers: { work: flaky(0) }, input: {} });

    // Assess
    expect(unenforced.status).toBe('SUCCEEDED');
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.Timeout');
    expect(run.cause).toMatch(/past its TimeoutSeconds of 60/);
    expect(run.events.at(-1)?.type).toBe('ExecutionTimeout');
  });

  it("schedules a Distributed Map's children over MaxConcurrency slots, in order", async () => {
    // Prepare: 10 children of one task each, 3 at a time: 4 rounds.
    const s3 = new LocalS3();
    s3.seed('data', { 'items.json': JSON.stringify([...Array(10).keys()]) });
    const definition = {
      StartAt: 'each',
      States: {
        each: {
          Type: 'Map',
          MaxConcurrency: 3,
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'data', Key: 'items.json' } },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'work',
            States: { work: { Type: 'Task', Resource: LAMBDA, End: true } },
          },
          End: true,
        },
      },
    } as unknown as AslDefinition;

    // Act
    const run = await runStateMachineLocally({ definition, handlers: { work: async () => ({}) }, input: {}, s3 });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.children.map((c) => c.virtualMs.expected)).toEqual(Array(10).fill(invokeMs));
    expect(run.virtualMs.expected).toBe(4 * invokeMs);
  });

  it('schedules uneven durations on the first free slot (the makespan, not the average)', () => {
    // Prepare
    const spans = [5, 1, 1, 1, 1, 1].map((ms) => ({ low: ms, expected: ms, high: ms }));

    // Act / Assess: slot 1 runs the 5, slot 2 the five 1s.
    expect(schedule(spans, 2).expected).toBe(5);
    expect(schedule(spans, 1).expected).toBe(10);
    expect(schedule(spans, 10).expected).toBe(5);
  });

  it("projects the synthesized rotator's run as the synth-time model does (one target, one retry)", async () => {
    // Prepare: a key that authenticates 4 s after it is made, 2 s per task: verify-key is retried once.
    const world = new FakeWorld({ targets: 1, propagationMs: 4_000 });

    // Act
    const run = await runInWorld(world, {
      definition: worldDefinition(world),
      input: { mode: 'rotate' },
      secondsBetweenTasks: 2,
    });

    // Assess
    expect(run.reports.map((r) => r.outcome)).toEqual(['rotated']);
    expect(run.events.filter((e) => e.type === 'StateRetried').map((e) => e.stateName)).toEqual(['verify-key']);
    const [child] = run.children;
    expect(child?.virtualMs.expected).toBe(expectedTargetMs());
    // The parent: its input check and target list (two transitions), the Map (its child), notify.
    expect(run.virtualMs.expected).toBe(2 * transitionMs + expectedTargetMs() + modelledTaskMs('notify'));
  });
});
