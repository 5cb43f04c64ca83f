import { CanaryRunFailedError, CanaryRunTimedOutError, InvalidStepInputError } from './errors.js';
import type { PipelineRunResult, PipelineRunStatus } from './holders.js';

/**
 * The canary run a rotation carries between steps (issue 13): queued by `canary` after
 * verify-publish, polled by `check-canary` between Step Functions waits (never a Lambda sleeping),
 * until it completes or its budget runs out. Ids and a link only: a run carries no secret.
 */
export interface CanaryProgress {
  pipelineId: number;
  /** Set once the run is queued. */
  runId?: number;
  runName?: string;
  state?: PipelineRunStatus;
  result?: PipelineRunResult | null;
  /** The run's page in Azure DevOps, for the report. */
  webUrl?: string;
  /** ISO-8601 time the run was queued: the budget counts from it. */
  queuedAt?: string;
  /** How many times the run was read. */
  checks?: number;
}

/**
 * How long the state machine waits between two reads of the run, and how long it waits in all.
 * A canary that runs `aws sts get-caller-identity` takes a minute or two on a hosted agent; the
 * budget leaves room for a queue of waiting jobs. Every poll is one Lambda call and one wait state.
 */
export const CANARY_POLICY = { pollSeconds: 30, budgetSeconds: 30 * 60 } as const;

const fail = (field: string, problem: string, what: string): never => {
  throw new InvalidStepInputError(`Step input field "canary.${field}" ${problem}; ${what}`, {
    context: { field: `canary.${field}` },
  });
};

const STATES: readonly string[] = ['unknown', 'inProgress', 'canceling', 'completed'];
const RESULTS: readonly string[] = ['unknown', 'succeeded', 'failed', 'canceled'];

/** Validates the `canary` field of a step's input. */
export function parseCanaryProgress(value: unknown): CanaryProgress {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return fail('(root)', 'is not an object', 'it must be what the canary step wrote');
  const raw = value as Record<string, unknown>;
  const int = (field: string) => {
    const v = raw[field];
    // Number.isInteger is false for anything that is not a number.
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0))
      fail(field, `is ${JSON.stringify(v)}`, 'it must be a whole number');
    return v as number | undefined;
  };
  const str = (field: string) => {
    const v = raw[field];
    if (v !== undefined && (typeof v !== 'string' || v.length > 2000))
      fail(field, `is ${JSON.stringify(v)}`, 'it must be a string');
    return v as string | undefined;
  };
  const pipelineId = int('pipelineId');
  if (pipelineId === undefined) fail('pipelineId', 'is missing', "it must be the canary pipeline's id");
  const progress: CanaryProgress = { pipelineId: pipelineId as number };
  const runId = int('runId');
  const checks = int('checks');
  const runName = str('runName');
  const webUrl = str('webUrl');
  const queuedAt = str('queuedAt');
  if (queuedAt !== undefined && Number.isNaN(Date.parse(queuedAt)))
    fail('queuedAt', `is ${JSON.stringify(queuedAt)}`, 'it must be an ISO-8601 timestamp');
  if (raw.state !== undefined && !STATES.includes(raw.state as string))
    fail('state', `is ${JSON.stringify(raw.state)}`, `it must be one of ${STATES.join(', ')}`);
  if (raw.result !== undefined && raw.result !== null && !RESULTS.includes(raw.result as string)) {
    fail('result', `is ${JSON.stringify(raw.result)}`, `it must be null or one of ${RESULTS.join(', ')}`);
  }
  if (runId !== undefined) progress.runId = runId;
  if (runName !== undefined) progress.runName = runName;
  if (raw.state !== undefined) progress.state = raw.state as PipelineRunStatus;
  if (raw.result !== undefined) progress.result = raw.result as PipelineRunResult | null;
  if (webUrl !== undefined) progress.webUrl = webUrl;
  if (queuedAt !== undefined) progress.queuedAt = queuedAt;
  if (checks !== undefined) progress.checks = checks;
  return progress;
}

/** How a canary ended, for the report: the run's result, or why there is none. */
export type CanaryOutcome = 'succeeded' | 'failed' | 'canceled' | 'timed out' | 'not queued' | 'not run' | 'unfinished';

/** The canary as a target's report shows it (ids and a link only). */
export interface CanaryReport {
  pipelineId: number;
  runId: number | null;
  runName: string | null;
  outcome: CanaryOutcome;
  webUrl: string | null;
}

/**
 * The canary's outcome from the state a run ended in. A failed run fails `check-canary`, so the
 * state still holds the previous read: the failure says how the run ended.
 */
export function canaryReport(
  canary: CanaryProgress | undefined,
  failure: { step: string; name: string; message: string } | undefined,
): CanaryReport | null {
  if (!canary) return null;
  let outcome: CanaryOutcome;
  if (canary.state === 'completed' && canary.result === 'succeeded') outcome = 'succeeded';
  else if (failure?.step === 'check-canary' && failure.name === CanaryRunTimedOutError.name) outcome = 'timed out';
  else if (failure?.step === 'check-canary' && failure.name === CanaryRunFailedError.name)
    outcome = /: canceled\b/.test(failure.message) ? 'canceled' : 'failed';
  else if (canary.runId === undefined) outcome = failure?.step === 'canary' ? 'not queued' : 'not run';
  else outcome = 'unfinished';
  return {
    pipelineId: canary.pipelineId,
    runId: canary.runId ?? null,
    runName: canary.runName ?? null,
    outcome,
    webUrl: canary.webUrl ?? null,
  };
}

/** One line for the report and Slack: which run, how it ended, where to look. */
export function describeCanary(canary: CanaryProgress | undefined): string | null {
  if (!canary) return null;
  if (canary.runId === undefined) return `canary pipeline ${canary.pipelineId}: not run`;
  const outcome =
    canary.state === 'completed' ? (canary.result ?? 'unknown') : `${canary.state ?? 'queued'}, not completed`;
  return (
    `canary run ${canary.runName ?? canary.runId} (#${canary.runId}) of pipeline ${canary.pipelineId}: ` +
    `${outcome}${canary.webUrl ? ` — ${canary.webUrl}` : ''}`
  );
}
