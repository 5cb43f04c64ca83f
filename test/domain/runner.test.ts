/**
 * The runner's order, retry and rollback rules pinned with scripted steps: which steps run for
 * each plan, the exact events and backoff delays, what a failure, a failed rollback and a failed
 * revoke leave in the report, and how targets share the concurrency. Added from the mutants
 * Stryker found surviving in runner.ts.
 */
import { describe, expect, it } from 'vitest';
import { AwsThrottledError, KeyNotYetUsableError, KeyVerificationFailedError } from '../../src/domain/errors.js';
import { buildTargetReport, type RunSummary, type TargetReport } from '../../src/domain/report.js';
import type { PlanAction, RotationState, StepName } from '../../src/domain/rotation-state.js';
import { type RetryPolicy, type RotationUseCases, RotationRunner, type RunEvent } from '../../src/domain/runner.js';
import { FakeClock } from '../../local/fakes/fake-clock.js';

const POLICY: RetryPolicy = {
  keyPropagation: { maxAttempts: 5, initialDelayMs: 1_000, backoffRate: 3, maxDelayMs: 5_000 },
  transient: { maxAttempts: 3, initialDelayMs: 100, backoffRate: 2, maxDelayMs: 10_000 },
  rateLimited: { maxAttempts: 2, initialDelayMs: 60_000, backoffRate: 2, maxDelayMs: 60_000 },
};

type Script = Partial<Record<StepName, Array<Error | string | null>>>;

/** Steps that record their calls and fail as scripted (one entry per call; null = succeed). */
function scripted(action: PlanAction, script: Script = {}, clock = new FakeClock()) {
  const calls: StepName[] = [];
  const reports: RotationState[] = [];
  const notified: RunSummary[] = [];
  const step = (name: StepName, change: (s: RotationState) => RotationState = (s) => s) => ({
    execute: async (state: RotationState) => {
      calls.push(name);
      clock.advance(250);
      const outcome = script[name]?.shift();
      if (outcome instanceof Error) throw outcome;
      if (typeof outcome === 'string') throw outcome;
      return change({ ...state, completed: [...state.completed, name] });
    },
  });
  const steps: RotationUseCases = {
    plan: step('plan', (s) => ({
      ...s,
      plan: { action, reason: 'r', cleanup: [] },
      oldAccessKeyId: 'AKIAOLD0000000000001',
    })),
    cleanup: step('cleanup'),
    create: step('create', (s) => ({ ...s, newAccessKeyId: 'AKIANEW0000000000001' })),
    verifyKey: step('verify-key'),
    publish: step('publish'),
    verifyPublish: step('verify-publish'),
    canary: step('canary'),
    checkCanary: step('check-canary'),
    promote: step('promote'),
    revoke: step('revoke'),
    rollback: step('rollback', (s) => ({ ...s, rollback: { actions: ['undone'], consistent: true } })),
    report: {
      execute: async (state) => {
        reports.push(state);
        return { targetName: state.targetName, outcome: state.failure ? 'rolled-back' : 'rotated' } as TargetReport;
      },
    },
    notify: {
      execute: async (summary) => {
        notified.push(summary);
        return { notified: true };
      },
    },
  };
  return { steps, calls, reports, notified, clock, runner: new RotationRunner(steps, clock, POLICY) };
}

const ALL: StepName[] = ['plan', 'cleanup', 'create', 'verify-key', 'publish', 'verify-publish', 'promote', 'revoke'];

describe('Class: RotationRunner (scripted steps)', () => {
  it.each<[PlanAction, 'rotate' | 'emergency' | 'dry-run', StepName[]]>([
    ['rotate', 'rotate', ALL],
    ['rotate', 'emergency', ALL],
    ['repair', 'rotate', ['plan', 'cleanup']],
    ['skip', 'rotate', ['plan']],
    ['refuse', 'rotate', ['plan']],
    ['rotate', 'dry-run', ['plan']],
    ['repair', 'dry-run', ['plan']],
  ])('runs exactly the steps a %s plan needs in %s mode', async (action, mode, expected) => {
    const { runner, calls, reports } = scripted(action);

    await runner.runTarget('app', mode, 'r-1');

    expect(calls).toEqual(expected);
    expect(reports[0]?.completed).toEqual(expected);
  });

  it('starts the state with the ids it is given and the clock time', async () => {
    const { runner, reports, clock } = scripted('skip');
    const started = clock.now().toISOString();

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(reports[0]).toMatchObject({
      rotationId: 'r-1',
      targetName: 'app',
      mode: 'rotate',
      startedAt: started,
      warnings: [],
    });
  });

  it('emits every step started and succeeded, with its duration, then the finished target', async () => {
    const { runner } = scripted('repair');
    const events: RunEvent[] = [];

    await runner.runTarget('app', 'rotate', 'r-1', (e) => events.push(e));

    expect(events).toEqual([
      { type: 'step-started', targetName: 'app', step: 'plan' },
      { type: 'step-succeeded', targetName: 'app', step: 'plan', durationMs: 250 },
      { type: 'step-started', targetName: 'app', step: 'cleanup' },
      { type: 'step-succeeded', targetName: 'app', step: 'cleanup', durationMs: 250 },
      { type: 'target-finished', targetName: 'app', report: { targetName: 'app', outcome: 'rotated' } },
    ]);
  });

  it('retries a transient error with exponential backoff, emitting each retry, and goes on', async () => {
    const { runner, calls, clock } = scripted('rotate', {
      publish: [new AwsThrottledError('slow down'), new AwsThrottledError('slow down')],
    });
    const events: RunEvent[] = [];

    await runner.runTarget('app', 'rotate', 'r-1', (e) => events.push(e));

    expect(calls.filter((c) => c === 'publish')).toHaveLength(3);
    expect(clock.sleeps).toEqual([100, 200]);
    expect(events.filter((e) => e.type === 'step-retried')).toEqual([
      {
        type: 'step-retried',
        targetName: 'app',
        step: 'publish',
        attempt: 1,
        errorName: 'AwsThrottledError',
        delayMs: 100,
      },
      {
        type: 'step-retried',
        targetName: 'app',
        step: 'publish',
        attempt: 2,
        errorName: 'AwsThrottledError',
        delayMs: 200,
      },
    ]);
  });

  it('gives up after the last attempt, emits the failure, and rolls back', async () => {
    const throttled = () => new AwsThrottledError('slow down');
    const { runner, calls, reports } = scripted('rotate', { promote: [throttled(), throttled(), throttled()] });
    const events: RunEvent[] = [];

    await runner.runTarget('app', 'rotate', 'r-1', (e) => events.push(e));

    expect(calls.slice(-4)).toEqual(['promote', 'promote', 'promote', 'rollback']);
    expect(events).toContainEqual({
      type: 'step-failed',
      targetName: 'app',
      step: 'promote',
      errorName: 'AwsThrottledError',
      message: 'slow down',
    });
    expect(reports[0]?.failure).toEqual({ step: 'promote', name: 'AwsThrottledError', message: 'slow down' });
    expect(reports[0]?.rollback).toEqual({ actions: ['undone'], consistent: true });
  });

  it('waits for a new key with the key-propagation policy, capped at its maximum delay', async () => {
    const notYet = () => new KeyNotYetUsableError('propagating');
    const { runner, clock, calls } = scripted('rotate', { 'verify-key': [notYet(), notYet(), notYet(), notYet()] });

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(clock.sleeps).toEqual([1_000, 3_000, 5_000, 5_000]);
    expect(calls.filter((c) => c === 'verify-key')).toHaveLength(5);
    expect(calls.at(-1)).toBe('revoke');
  });

  it('caps the transient backoff at its maximum delay', async () => {
    const policy: RetryPolicy = {
      ...POLICY,
      transient: { maxAttempts: 4, initialDelayMs: 400, backoffRate: 2, maxDelayMs: 500 },
    };
    const s = scripted('rotate', {
      create: [new AwsThrottledError('a'), new AwsThrottledError('b'), new AwsThrottledError('c')],
    });
    const runner = new RotationRunner(s.steps, s.clock, policy);

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(s.clock.sleeps).toEqual([400, 500, 500]);
  });

  it(
    'retries a key that is not yet usable only in verify-key, as its catalog entry says (the state machine ' +
      'does the same)',
    async () => {
      const notYet = () => new KeyNotYetUsableError('odd');
      const { runner, calls, clock, reports } = scripted('rotate', { publish: [notYet(), notYet(), notYet()] });

      await runner.runTarget('app', 'rotate', 'r-1');

      expect(calls.filter((c) => c === 'publish')).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
      expect(reports[0]?.failure?.name).toBe('KeyNotYetUsableError');
      expect(calls.at(-1)).toBe('rollback');
    },
  );

  it('counts each retry rule on its own, as Step Functions counts each retrier', async () => {
    const { runner, calls, clock } = scripted('rotate', {
      'verify-key': [
        new AwsThrottledError('a'),
        new KeyNotYetUsableError('b'),
        new AwsThrottledError('c'),
        new KeyNotYetUsableError('d'),
      ],
    });

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(calls.filter((c) => c === 'verify-key')).toHaveLength(5);
    expect(clock.sleeps).toEqual([100, 1_000, 200, 3_000]);
  });

  it('does not retry a failure that is not transient', async () => {
    const { runner, calls, clock } = scripted('rotate', { 'verify-key': [new KeyVerificationFailedError('rejected')] });

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(calls).toEqual(['plan', 'cleanup', 'create', 'verify-key', 'rollback']);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not roll back a failed plan (nothing was changed)', async () => {
    const { runner, calls, reports } = scripted('rotate', { plan: [new KeyVerificationFailedError('x')] });

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(calls).toEqual(['plan']);
    expect(reports[0]?.failure).toEqual({ step: 'plan', name: 'KeyVerificationFailedError', message: 'x' });
    expect(reports[0]?.rollback).toBeUndefined();
  });

  it('names a thrown non-error "Error", with its text as the message', async () => {
    const { runner, reports } = scripted('rotate', { create: ['a plain string'] });

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(reports[0]?.failure).toEqual({ step: 'create', name: 'Error', message: 'a plain string' });
  });

  it('names the revoke and rollback steps in its events', async () => {
    const ok = scripted('rotate');
    const failing = scripted('rotate', { promote: [new KeyVerificationFailedError('x')] });
    const started = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'step-started' ? [e.step] : []));
    const a: RunEvent[] = [];
    const b: RunEvent[] = [];

    await ok.runner.runTarget('app', 'rotate', 'r-1', (e) => a.push(e));
    await failing.runner.runTarget('app', 'rotate', 'r-2', (e) => b.push(e));

    expect(started(a)).toEqual(ALL);
    expect(started(b).slice(-2)).toEqual(['promote', 'rollback']);
  });

  it('records a rollback that throws as stopped and inconsistent', async () => {
    const { runner, reports } = scripted('rotate', {
      publish: [new KeyVerificationFailedError('x')],
      rollback: [new KeyVerificationFailedError('cannot restore')],
    });

    await runner.runTarget('app', 'rotate', 'r-1');

    expect(reports[0]?.rollback).toEqual({
      actions: ['stopped: KeyVerificationFailedError: cannot restore'],
      consistent: false,
    });
  });

  it('retries a report step that fails transiently, as the state machine does', async () => {
    // Prepare
    const { runner, steps } = scripted('rotate');
    const report = steps.report.execute;
    let failures = 1;
    steps.report.execute = async (state) => {
      if (failures-- > 0) throw new AwsThrottledError('GetSecretValue');
      return report(state);
    };

    // Act
    const result = await runner.runTarget('app', 'rotate', 'r-1');

    // Assess
    expect(result.outcome).toBe('rotated');
  });

  it("ends in the minimal report when the report step itself fails (the catalog's minimal-report policy)", async () => {
    // Prepare
    const { runner, steps } = scripted('rotate');
    steps.report.execute = async () => {
      throw new KeyVerificationFailedError('cannot read the connection');
    };

    // Act
    const result = await runner.runTarget('app', 'rotate', 'r-9');

    // Assess
    expect(result).toMatchObject({
      rotationId: 'r-9',
      targetName: 'app',
      outcome: 'failed',
      reasonCode: 'KeyVerificationFailedError',
    });
    expect(result.summary).toContain('The report step failed (KeyVerificationFailedError)');
  });

  it('turns a failed revoke into a warning that names the old key, keeping the warnings already there', async () => {
    const s = scripted('rotate', { revoke: [new KeyVerificationFailedError('denied')] });
    const plan = s.steps.plan;
    s.steps.plan = { execute: async (state) => ({ ...(await plan.execute(state)), warnings: ['earlier'] }) };
    const runner = new RotationRunner(s.steps, s.clock, POLICY);

    await runner.runTarget('app', 'rotate', 'r-1');

    const state = s.reports[0] as RotationState;
    expect(state.failure).toBeUndefined();
    expect(state.toleratedFailure).toEqual({ step: 'revoke', name: 'KeyVerificationFailedError', message: 'denied' });
    const target = { connectionName: 'c', project: 'p', organizationUrl: 'https://dev.azure.com/o' };
    expect(buildTargetReport(state, target, s.clock.now()).warnings).toEqual([
      'earlier',
      'the old key AKIAOLD0000000000001 could not be retired (KeyVerificationFailedError: denied); it is still ' +
        'active, and the next run retires it',
    ]);
  });

  describe('Method: run', () => {
    it('sends one summary with every target in the order given, the ids, and the start and end times', async () => {
      const { runner, notified, clock } = scripted('skip');
      const started = clock.now().toISOString();
      let n = 0;

      const { summary, notification } = await runner.run({
        mode: 'rotate',
        targetNames: ['a', 'b', 'c'],
        newRotationId: () => `r-${++n}`,
        executionId: 'exec-1',
        executionUrl: 'https://console/exec-1',
        concurrency: 2,
      });

      expect(notification).toEqual({ notified: true });
      expect(notified).toEqual([summary]);
      expect(summary).toEqual({
        executionId: 'exec-1',
        executionUrl: 'https://console/exec-1',
        mode: 'rotate',
        startedAt: started,
        finishedAt: clock.now().toISOString(),
        targets: ['a', 'b', 'c'].map((targetName) => ({ targetName, outcome: 'rotated' })),
      });
      expect(summary.finishedAt > summary.startedAt).toBe(true);
    });

    it('sets the execution id and URL to null when not given', async () => {
      const { runner } = scripted('skip');

      const { summary } = await runner.run({ mode: 'dry-run', targetNames: ['a'], newRotationId: () => 'r' });

      expect(summary).toMatchObject({ executionId: null, executionUrl: null, mode: 'dry-run' });
    });

    it.each([
      [1, 1],
      [3, 3],
      [10, 4],
      [0, 1],
      [undefined, 4],
    ])('runs at most min(concurrency %s, targets) at once: %s', async (concurrency, expected) => {
      const clock = new FakeClock();
      let running = 0;
      let peak = 0;
      const slow = {
        execute: async (state: RotationState) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          return { ...state, plan: { action: 'skip' as const, reason: 'r', cleanup: [] } };
        },
      };
      const s = scripted('skip', {}, clock);
      const runner = new RotationRunner({ ...s.steps, plan: slow }, clock, POLICY);

      await runner.run({
        mode: 'rotate',
        targetNames: ['a', 'b', 'c', 'd'],
        newRotationId: () => 'r',
        ...(concurrency === undefined ? {} : { concurrency }),
      });

      expect(peak).toBe(expected);
    });

    it('gives each target its own rotation id', async () => {
      const { runner, reports } = scripted('skip');
      let n = 0;

      await runner.run({ mode: 'rotate', targetNames: ['a', 'b'], newRotationId: () => `r-${++n}`, concurrency: 1 });

      expect(reports.map((r) => [r.targetName, r.rotationId])).toEqual([
        ['a', 'r-1'],
        ['b', 'r-2'],
      ]);
    });
  });
});
