import type { ClockPort } from '../ports/clock.port.js';
import { isTransient, KeyNotYetUsableError } from './errors.js';
import type { RotationMode } from './model.js';
import type { RunSummary, TargetReport } from './report.js';
import type { RotationState, StepName } from './rotation-state.js';
import type { NotifyResult } from './use-cases/notify-run.js';

/** A lifecycle step as the runner (and a Lambda) sees it: state in, state out. */
export interface StepUseCase {
  execute(state: RotationState): Promise<RotationState>;
}

/** The use cases the runner drives: the domain's classes, or the Lambda handlers wrapped (tests do that). */
export interface RotationUseCases {
  plan: StepUseCase;
  cleanup: StepUseCase;
  create: StepUseCase;
  verifyKey: StepUseCase;
  publish: StepUseCase;
  verifyPublish: StepUseCase;
  promote: StepUseCase;
  revoke: StepUseCase;
  rollback: StepUseCase;
  report: { execute(state: RotationState): Promise<TargetReport> };
  notify: { execute(summary: RunSummary): Promise<NotifyResult> };
}

export interface BackoffPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  backoffRate: number;
  maxDelayMs: number;
}

/** The same retry rules as the state machine's `Retry` blocks (see infra/). */
export interface RetryPolicy {
  /**
   * New keys take seconds to propagate: polled at short intervals while a key usually becomes
   * usable, then backing off, about a minute in all before giving up.
   */
  keyPropagation: BackoffPolicy;
  /** Throttling and unavailable services. */
  transient: BackoffPolicy;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  // A poll is one STS call; each second of delay is a second the rotation is in flight. Waits of
  // 1, 1.1, 1.21 ... s (about 16 s for the first ten), capped at 5 s: 20 retries, 55 s in all
  // (the budget of the former 2 s × 1.5 schedule). IntervalSeconds in ASL is whole seconds: 1.
  keyPropagation: { maxAttempts: 21, initialDelayMs: 1_000, backoffRate: 1.1, maxDelayMs: 5_000 },
  transient: { maxAttempts: 3, initialDelayMs: 1_000, backoffRate: 2, maxDelayMs: 10_000 },
};

export type RunEvent =
  | { type: 'step-started'; targetName: string; step: StepName }
  | { type: 'step-succeeded'; targetName: string; step: StepName; durationMs: number }
  | { type: 'step-retried'; targetName: string; step: StepName; attempt: number; errorName: string; delayMs: number }
  | { type: 'step-failed'; targetName: string; step: StepName; errorName: string; message: string }
  | { type: 'target-finished'; targetName: string; report: TargetReport };

export interface RunOptions {
  mode: RotationMode;
  targetNames: string[];
  /** A new rotation id (32-64 chars) per target; ids come from outside so the domain stays deterministic. */
  newRotationId: () => string;
  executionId?: string | null;
  executionUrl?: string | null;
  /** How many targets run at once (the state machine's Map concurrency). */
  concurrency?: number;
  onEvent?: (event: RunEvent) => void;
}

export interface RunResult {
  summary: RunSummary;
  notification: NotifyResult;
}

/**
 * Runs the lifecycle in-process with the same order, retry and rollback rules as the state
 * machine: used by the CLI, the tests and the fault-injection suite.
 */
export class RotationRunner {
  constructor(
    private readonly steps: RotationUseCases,
    private readonly clock: ClockPort,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  async run(options: RunOptions): Promise<RunResult> {
    const startedAt = this.clock.now().toISOString();
    const queue = [...options.targetNames];
    const reports = new Map<string, TargetReport>();
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const report = await this.runTarget(name, options.mode, options.newRotationId(), options.onEvent);
        reports.set(name, report);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 5, queue.length)) }, worker));
    const summary: RunSummary = {
      executionId: options.executionId ?? null,
      executionUrl: options.executionUrl ?? null,
      mode: options.mode,
      startedAt,
      finishedAt: this.clock.now().toISOString(),
      targets: options.targetNames.map((n) => reports.get(n)).filter((r): r is TargetReport => r !== undefined),
    };
    const notification = await this.steps.notify.execute(summary);
    return { summary, notification };
  }

  /** One target, start to report. Never throws for a step failure: the report says what happened. */
  async runTarget(targetName: string, mode: RotationMode, rotationId: string, onEvent?: (e: RunEvent) => void): Promise<TargetReport> {
    const emit = onEvent ?? (() => undefined);
    let state: RotationState = { rotationId, targetName, mode, startedAt: this.clock.now().toISOString(), completed: [], warnings: [] };
    const step = async (name: StepName, run: (s: RotationState) => Promise<RotationState>, policy = this.retry.transient) => {
      state = await this.withRetry(name, state, run, policy, emit);
    };

    try {
      await step('plan', (s) => this.steps.plan.execute(s));
      const action = state.plan?.action;
      if (mode !== 'dry-run' && (action === 'rotate' || action === 'repair')) {
        await step('cleanup', (s) => this.steps.cleanup.execute(s));
        if (action === 'rotate') {
          await step('create', (s) => this.steps.create.execute(s));
          await step('verify-key', (s) => this.steps.verifyKey.execute(s), this.retry.keyPropagation);
          await step('publish', (s) => this.steps.publish.execute(s));
          await step('verify-publish', (s) => this.steps.verifyPublish.execute(s));
          await step('promote', (s) => this.steps.promote.execute(s));
          try {
            await step('revoke', (s) => this.steps.revoke.execute(s));
          } catch (error) {
            state = { ...state, warnings: [...state.warnings, `the old key ${state.oldAccessKeyId} could not be retired (${describe(error)}); it is still active, and the next run retires it`] };
          }
        }
      }
    } catch (error) {
      const failedStep = (error as { step?: StepName }).step ?? 'plan';
      const cause = (error as { cause?: unknown }).cause ?? error;
      state = { ...state, failure: { step: failedStep, name: errorName(cause), message: errorMessage(cause) } };
      if (failedStep !== 'plan') {
        try {
          await step('rollback', (s) => this.steps.rollback.execute(s));
        } catch (rollbackError) {
          state = { ...state, rollback: { actions: [`stopped: ${describe(rollbackError)}`], consistent: false } };
        }
      }
    }
    const report = await this.steps.report.execute(state);
    emit({ type: 'target-finished', targetName, report });
    return report;
  }

  private async withRetry(
    name: StepName,
    state: RotationState,
    run: (s: RotationState) => Promise<RotationState>,
    policy: BackoffPolicy,
    emit: (e: RunEvent) => void,
  ): Promise<RotationState> {
    let delay = policy.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      const started = this.clock.now().getTime();
      emit({ type: 'step-started', targetName: state.targetName, step: name });
      try {
        const next = await run(state);
        emit({ type: 'step-succeeded', targetName: state.targetName, step: name, durationMs: this.clock.now().getTime() - started });
        return next;
      } catch (error) {
        const retryable = isTransient(error) || (name === 'verify-key' && error instanceof KeyNotYetUsableError);
        if (retryable && attempt < policy.maxAttempts) {
          emit({ type: 'step-retried', targetName: state.targetName, step: name, attempt, errorName: errorName(error), delayMs: delay });
          await this.clock.sleep(delay);
          // Whole milliseconds: 1,000 × 1.1 is 1,100.0000000000002 in floating point.
          delay = Math.min(policy.maxDelayMs, Math.round(delay * policy.backoffRate));
          continue;
        }
        emit({ type: 'step-failed', targetName: state.targetName, step: name, errorName: errorName(error), message: errorMessage(error) });
        throw new StepError(name, error);
      }
    }
  }
}

/** Carries which step failed up to the runner's catch. */
class StepError extends Error {
  constructor(
    readonly step: StepName,
    override readonly cause: unknown,
  ) {
    super(`step ${step} failed`);
  }
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const describe = (error: unknown): string => {
  const cause = error instanceof StepError ? error.cause : error;
  return `${errorName(cause)}: ${errorMessage(cause)}`;
};
