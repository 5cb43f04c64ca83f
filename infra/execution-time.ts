import type { RotationMode } from '../src/domain/model.js';
import { type LambdaStep, STEP_CATALOG } from '../src/domain/lifecycle/catalog.js';
import { holds, type Lifecycle, nodeOf, TARGET_LIFECYCLE } from '../src/domain/lifecycle/lifecycle.js';
import { DEFAULT_RETRY_POLICY, KEY_PROPAGATION_RETRY } from '../src/domain/lifecycle/retry.js';

/**
 * Time as the service would spend it: the model the local run's virtual clock (local/virtual-clock.ts)
 * and the execution timeouts (infra/execution-timeout.ts) both use, so what a local run projects and
 * what the deployment allows come from one place.
 *
 * A Lambda task's duration is modelled, not measured on AWS: a warm invocation costs
 * `invokeMs` (Step Functions scheduling the task and Lambda's invoke, warm), plus `awsCallMs` per
 * AWS API call and `azureDevOpsCallMs` per Azure DevOps request the step makes. The call counts
 * are the ones bench/warm-durations.ts counts on the wire (test/infra/execution-time.test.ts checks
 * them against bench/results.json); the per-call figures are assumptions, well above the loopback
 * figures measured there (an AWS API call in the same region answers in tens of milliseconds, an
 * Azure DevOps request from AWS in one or two hundred). Cold starts are not modelled (a weekly run
 * starts at most `maxConcurrency` instances of each function, under a second each).
 * Every other state is one transition, `transitionMs`. Waits and retry intervals are the
 * definition's own (IntervalSeconds × BackoffRate^n, capped at MaxDelaySeconds; FULL jitter spreads
 * a delay over [0, delay], so its expected value is half).
 */
export const TIME_MODEL = {
  invokeMs: 200,
  awsCallMs: 150,
  azureDevOpsCallMs: 300,
  transitionMs: 50,
  /** An S3 call the state machine makes itself (the manual run's target list). */
  s3CallMs: 150,
  /**
   * Retries of verify-key a rotation expects while IAM propagates the new key: it takes seconds, so
   * the first attempt usually fails and the retry a second later passes, as in the one-target local
   * run (test/infra/virtual-clock.local.test.ts); the fleet run (bench/fleet.ts) sees about two. A
   * retry or two more moves a target by a second or two: the execution timeout is set by the worst
   * case (infra/execution-timeout.ts), which this figure barely touches.
   */
  expectedVerifyKeyRetries: 1,
} as const;

/** Remote calls per invocation, by step (as bench/warm-durations.ts counts them on the wire). */
export const REMOTE_CALLS: Readonly<Record<LambdaStep, { aws: number; azureDevOps: number }>> = {
  plan: { aws: 4, azureDevOps: 1 },
  cleanup: { aws: 0, azureDevOps: 0 },
  create: { aws: 7, azureDevOps: 0 },
  'verify-key': { aws: 2, azureDevOps: 0 },
  publish: { aws: 1, azureDevOps: 2 },
  'verify-publish': { aws: 0, azureDevOps: 1 },
  // Not on a rotation's usual path: counted from their use cases (a run of pipeline and a read of it; a rollback
  // reads and writes IAM, the secret and the connection).
  canary: { aws: 0, azureDevOps: 2 },
  'check-canary': { aws: 0, azureDevOps: 1 },
  promote: { aws: 3, azureDevOps: 0 },
  revoke: { aws: 7, azureDevOps: 1 },
  rollback: { aws: 6, azureDevOps: 2 },
  report: { aws: 0, azureDevOps: 0 },
  // Reads the map run's result files and posts to Slack.
  notify: { aws: 2, azureDevOps: 1 },
};

/**
 * A step added to the catalog that this table does not count yet: modelled as a mid-sized step until its calls
 * are counted (bench/warm-durations.ts).
 */
export const UNCOUNTED_STEP_CALLS = { aws: 3, azureDevOps: 1 } as const;

/** The modelled duration of one invocation of a step's Lambda (one attempt), in ms. */
export function modelledTaskMs(step: LambdaStep): number {
  const calls =
    (REMOTE_CALLS as Partial<Record<string, { aws: number; azureDevOps: number }>>)[step] ?? UNCOUNTED_STEP_CALLS;
  return TIME_MODEL.invokeMs + calls.aws * TIME_MODEL.awsCallMs + calls.azureDevOps * TIME_MODEL.azureDevOpsCallMs;
}

export const isLambdaStep = (name: string): name is LambdaStep => Object.hasOwn(STEP_CATALOG, name);

/** An ASL retrier, as far as its timing goes. */
export interface AslRetrier {
  ErrorEquals?: readonly string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/** Low, expected and high bound of a duration (they differ by the jitter of retry intervals). */
export interface Span {
  low: number;
  expected: number;
  high: number;
}

export const ZERO: Span = { low: 0, expected: 0, high: 0 };
export const fixed = (ms: number): Span => ({ low: ms, expected: ms, high: ms });
export const plus = (a: Span, b: Span): Span => ({
  low: a.low + b.low,
  expected: a.expected + b.expected,
  high: a.high + b.high,
});

/** The wait before retry `attempt` (1 = the first retry) of a retrier, as Step Functions computes it. */
export function retryDelayMs(retrier: AslRetrier, attempt: number): Span {
  const interval = (retrier.IntervalSeconds ?? 1) * 1000;
  const rate = retrier.BackoffRate ?? 2;
  const cap = retrier.MaxDelaySeconds !== undefined ? retrier.MaxDelaySeconds * 1000 : Number.POSITIVE_INFINITY;
  const delay = Math.min(interval * rate ** (attempt - 1), cap);
  return retrier.JitterStrategy === 'FULL' ? { low: 0, expected: delay / 2, high: delay } : fixed(delay);
}

/** Every retry of a retrier spent: its MaxAttempts waits (ASL's default: 3 retries). */
export function retryBudgetMs(retrier: AslRetrier): number {
  let total = 0;
  for (let attempt = 1; attempt <= (retrier.MaxAttempts ?? 3); attempt++) total += retryDelayMs(retrier, attempt).high;
  return total;
}

/**
 * The expected time of one target's rotation (the lifecycle's path for `mode`, every step once,
 * verify-key retried `expectedVerifyKeyRetries` times at the key-propagation rule's first intervals),
 * from the catalog and the model: what the fleet's projected time is built from at synth time.
 */
export function expectedTargetMs(lifecycle: Lifecycle = TARGET_LIFECYCLE, mode: RotationMode = 'rotate'): number {
  const state = { mode, plan: { action: 'rotate' as const } };
  let total = 0;
  let name = lifecycle.start;
  for (let guard = 0; guard < 100 && name !== lifecycle.end; guard++) {
    const node = nodeOf(lifecycle, name);
    // As the virtual clock counts them: a task its attempts, a wait its Seconds, any other state one transition.
    if (node.kind === 'step') {
      total += modelledTaskMs(node.step);
      name = node.next;
    } else if (node.kind === 'wait') {
      total += node.seconds * 1000;
      name = node.next;
    } else {
      total += TIME_MODEL.transitionMs;
      name = node.rules.find((rule) => holds(rule.when, state))?.next ?? node.otherwise;
    }
  }
  const propagation = DEFAULT_RETRY_POLICY[KEY_PROPAGATION_RETRY.policy];
  for (let retry = 1; retry <= TIME_MODEL.expectedVerifyKeyRetries; retry++) {
    total += Math.min(propagation.initialDelayMs * propagation.backoffRate ** (retry - 1), propagation.maxDelayMs);
    total += modelledTaskMs('verify-key');
  }
  return total + modelledTaskMs(lifecycle.end);
}
