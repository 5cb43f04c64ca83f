import type { ClockPort } from '../ports/clock.port.js';
import { type LambdaStep, STEP_CATALOG, type StepName } from './lifecycle/catalog.js';
import { holds, type Lifecycle, nodeOf, TARGET_LIFECYCLE } from './lifecycle/lifecycle.js';
import {
  type BackoffPolicy,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type RetryRule,
  retryRuleFor,
} from './lifecycle/retry.js';
import type { RotationMode } from './model.js';
import { type RunSummary, reportWhenTheReportFailed, type TargetReport } from './report.js';
import type { RotationState, StepFailure } from './rotation-state.js';
import type { NotifyResult } from './use-cases/notify-run.js';

export { type BackoffPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './lifecycle/retry.js';

/** A lifecycle step as the runner (and a Lambda) sees it: state in, state out. */
export interface StepUseCase {
  execute(state: RotationState): Promise<RotationState>;
}

/** `verify-key` → `verifyKey`: the use cases' property names. */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
export const useCaseKey = <S extends LambdaStep>(step: S): Camel<S> =>
  step.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()) as Camel<S>;

/**
 * The use cases the runner drives, one per catalog step: the domain's classes, or the Lambda handlers wrapped (tests do
 * that).
 */
export type RotationUseCases = { [K in Exclude<StepName, 'report'> as Camel<K>]: StepUseCase } & {
  report: { execute(state: RotationState): Promise<TargetReport> };
  notify: { execute(summary: RunSummary): Promise<NotifyResult> };
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

/** A loop in the lifecycle (a wait-and-poll step) that never ends is a bug: stop it here. */
const MAX_TRANSITIONS = 1_000;

/**
 * Runs the lifecycle in-process by walking the same description the state machine is compiled
 * from (`TARGET_LIFECYCLE`), with each step's retry and failure policy from the catalog: used by the
 * CLI, the tests and the fault-injection suite.
 */
export class RotationRunner {
  constructor(
    private readonly steps: RotationUseCases,
    private readonly clock: ClockPort,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly lifecycle: Lifecycle = TARGET_LIFECYCLE,
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
  async runTarget(
    targetName: string,
    mode: RotationMode,
    rotationId: string,
    onEvent?: (e: RunEvent) => void,
  ): Promise<TargetReport> {
    const emit = onEvent ?? (() => undefined);
    let state: RotationState = {
      rotationId,
      targetName,
      mode,
      startedAt: this.clock.now().toISOString(),
      completed: [],
      warnings: [],
    };
    const { lifecycle } = this;
    let name = lifecycle.start;
    for (let transitions = 0; name !== lifecycle.end; transitions++) {
      if (transitions >= MAX_TRANSITIONS)
        throw new Error(
          `the lifecycle of ${targetName} did not reach "${lifecycle.end}" in ${MAX_TRANSITIONS} transitions: ` +
            `a loop without an exit`,
        );
      const node = nodeOf(lifecycle, name);
      if (node.kind === 'choice') {
        name = node.rules.find((rule) => holds(rule.when, state))?.next ?? node.otherwise;
        continue;
      }
      if (node.kind === 'wait') {
        await this.clock.sleep(node.seconds * 1000);
        name = node.next;
        continue;
      }
      try {
        state = await this.attempt(node.step, state, emit);
        name = node.next;
      } catch (error) {
        const failure = failureOf(node.step, error);
        const policy = STEP_CATALOG[node.step].onFailure;
        if (policy.kind === 'warn') {
          state = { ...state, toleratedFailure: failure };
          name = node.next;
          continue;
        }
        state = { ...state, failure };
        if (policy.kind === 'rollback') state = await this.rollBack(state, emit);
        name = lifecycle.end;
      }
    }
    const report = await this.report(state);
    emit({ type: 'target-finished', targetName, report });
    return report;
  }

  /** The report step, retried as the catalog says; if it still fails, the minimal report (as the state machine). */
  private async report(state: RotationState): Promise<TargetReport> {
    try {
      // No step events: the report is announced once, by `target-finished`.
      return await this.retrying(
        'report',
        state,
        () => undefined,
        () => this.steps.report.execute(state),
      );
    } catch (error) {
      const { rotationId, targetName, mode, warnings } = state;
      return reportWhenTheReportFailed({ rotationId, targetName, mode, warnings, errorName: errorName(error) });
    }
  }

  /** The rollback step; if it fails too, the report says the rollback did not complete. */
  private async rollBack(state: RotationState, emit: (e: RunEvent) => void): Promise<RotationState> {
    try {
      return await this.attempt(this.lifecycle.rollback, state, emit);
    } catch (error) {
      const { name, message } = failureOf(this.lifecycle.rollback, error);
      return { ...state, rollback: { actions: [`stopped: ${name}: ${message}`], consistent: false } };
    }
  }

  /** Runs one step with its catalog retry rules, each rule counting its own attempts (as Step Functions does). */
  private attempt(step: StepName, state: RotationState, emit: (e: RunEvent) => void): Promise<RotationState> {
    const useCase = this.steps[useCaseKey(step) as keyof RotationUseCases] as StepUseCase;
    return this.retrying(step, state, emit, () => useCase.execute(state));
  }

  /** Calls `call` with the step's catalog retry rules (the use case, or the report step's own signature). */
  private async retrying<T>(
    step: StepName,
    state: RotationState,
    emit: (e: RunEvent) => void,
    call: () => Promise<T>,
  ): Promise<T> {
    const retried = new Map<RetryRule, { attempts: number; delay: number }>();
    for (;;) {
      const started = this.clock.now().getTime();
      emit({ type: 'step-started', targetName: state.targetName, step });
      try {
        const next = await call();
        emit({
          type: 'step-succeeded',
          targetName: state.targetName,
          step,
          durationMs: this.clock.now().getTime() - started,
        });
        return next;
      } catch (error) {
        const rule = retryRuleFor(STEP_CATALOG[step].retry, errorName(error));
        const policy: BackoffPolicy | undefined = rule && this.retry[rule.policy];
        const count = rule && policy ? (retried.get(rule) ?? { attempts: 1, delay: policy.initialDelayMs }) : undefined;
        if (rule && policy && count && count.attempts < policy.maxAttempts) {
          emit({
            type: 'step-retried',
            targetName: state.targetName,
            step,
            attempt: count.attempts,
            errorName: errorName(error),
            delayMs: count.delay,
          });
          await this.clock.sleep(count.delay);
          // Whole milliseconds: 1,000 × 1.1 is 1,100.0000000000002 in floating point.
          retried.set(rule, {
            attempts: count.attempts + 1,
            delay: Math.min(policy.maxDelayMs, Math.round(count.delay * policy.backoffRate)),
          });
          continue;
        }
        emit({
          type: 'step-failed',
          targetName: state.targetName,
          step,
          errorName: errorName(error),
          message: errorMessage(error),
        });
        throw error;
      }
    }
  }
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const failureOf = (step: StepName, error: unknown): StepFailure => ({
  step,
  name: errorName(error),
  message: errorMessage(error),
});
