import { type CanaryReport, canaryReport } from './canary.js';
import { InvalidStepInputError } from './errors.js';
import { parseLeak, type RunLeak, summarizeLeak, type TargetLeak } from './leak.js';
import { stepDeclaration } from './lifecycle/catalog.js';
import { ROTATION_MODES, type RotationMode } from './model.js';
import { type RotationState, rejectSecretFields, type StepFailure } from './rotation-state.js';

export type TargetOutcome =
  /** A new key is live in the connection and the secret; the old key is retired. */
  | 'rotated'
  /** Nothing needed doing. */
  | 'skipped'
  /** The plan refused: nothing was changed; a human must act. */
  | 'refused'
  /** dry-run: the plan only. */
  | 'planned'
  /** Leftovers of an aborted run were cleaned up; no new key. */
  | 'repaired'
  /** A step failed and everything was put back as it was. */
  | 'rolled-back'
  /** A step failed and the rollback could not restore a consistent state: a human must act now. */
  | 'failed';

/** One target's outcome: ids, timings and sentences, never a secret. */
export interface TargetReport {
  rotationId: string;
  targetName: string;
  connectionName: string;
  project: string;
  organizationUrl: string;
  connectionId: string | null;
  mode: RotationMode;
  outcome: TargetOutcome;
  /** One sentence saying what happened, for people. */
  summary: string;
  newAccessKeyId: string | null;
  oldAccessKeyId: string | null;
  oldKeyStatus: 'Active' | 'Inactive' | 'Deleted' | null;
  /** Age in days of the key the connection holds at the end of the run. */
  heldKeyAgeDays: number | null;
  durationMs: number;
  warnings: string[];
  /** The refusal or failure reason's error name. */
  reasonCode: string | null;
  failure: StepFailure | null;
  rolledBack: string[];
  /** What the target is left in, for people ("the connection holds AKIA...WXYZ, the old key, which is active"). */
  stateLeft: string;
  /** Only in a run for a leaked key (AWS Health): which leaked keys this target held, and how fast it rotated. */
  leak?: TargetLeak;
  /** Only for a target naming a canary pipeline: its run, how it ended, and its link. */
  canary?: CanaryReport;
  /**
   * Only for a target whose key has several holders: each of them (`connection "x" in project "p"`,
   * `variable group "g" in project "p"`), the first connection first. Names only.
   */
  holders?: string[];
  /** When the connection's stored Azure DevOps credential expires, if the configuration records it. */
  credentialExpiry?: { parameter: string; expiresOn: string; daysLeft: number; warning: string | null };
  /** The target's own execution (a child of the run's Distributed Map), from the map run's results. */
  executionArn?: string;
}

/** The whole run, for one Slack message. */
export interface RunSummary {
  executionId: string | null;
  /** Link to the execution in the Step Functions console, when run there. */
  executionUrl: string | null;
  mode: RotationMode;
  startedAt: string;
  finishedAt: string;
  targets: TargetReport[];
  /** Only in a run for a leaked key: the keys, and those no target holds. */
  leak?: RunLeak;
}

export interface TargetDescription {
  connectionName: string;
  project: string;
  organizationUrl: string;
  /** Every holder of the key, in configuration order, when there is more than the first connection. */
  holders?: string[];
}

/** Derives the outcome from the state a run ended in. Pure, so the state machine and the runner agree. */
export function outcomeOf(state: RotationState): TargetOutcome {
  if (state.failure) return state.rollback?.consistent ? 'rolled-back' : 'failed';
  if (state.mode === 'dry-run') return 'planned';
  switch (state.plan?.action) {
    case 'refuse':
      return 'refused';
    case 'skip':
      return 'skipped';
    case 'repair':
      return 'repaired';
    case 'rotate':
      return state.completed.includes('promote') ? 'rotated' : 'failed';
    default:
      return 'failed';
  }
}

function describeStateLeft(state: RotationState, outcome: TargetOutcome): string {
  switch (outcome) {
    case 'rotated':
      return (
        `The connection and the secret hold the new key ${state.newAccessKeyId}; the old key ` +
        `${state.oldAccessKeyId} is ${(state.oldKeyStatus ?? 'Active').toLowerCase()}.`
      );
    case 'rolled-back':
      if (state.rollback?.keptNewKey) {
        return (
          `Kept the new key: the connection, every holder and the secret hold ${state.newAccessKeyId} (the ` +
          `secret did not exist before this run, so the old credential could not be restored); the old key ` +
          `${state.oldAccessKeyId} is still active: delete it once nothing uses it.`
        );
      }
      return (
        `Unchanged: the connection and the secret hold the old key ${state.oldAccessKeyId}, which is ` +
        `active; the new key was deleted.`
      );
    case 'failed':
      if (state.failure?.step === 'plan') return 'Unchanged: the run stopped at the plan, before changing anything.';
      return (
        `Needs a human: the rollback did not finish (` +
        `${state.rollback?.actions.join('; ') || 'nothing was rolled back'}). Run \`ado-key-rotator status\` ` +
        `to see which key the connection holds.`
      );
    case 'planned':
    case 'skipped':
    case 'refused':
      return state.oldAccessKeyId ? `Unchanged: the connection holds ${state.oldAccessKeyId}.` : 'Unchanged.';
    case 'repaired':
      return `Cleaned up; the connection holds ${state.oldAccessKeyId}.`;
  }
}

function summarize(state: RotationState, outcome: TargetOutcome): string {
  switch (outcome) {
    case 'rotated':
      return `Rotated: ${state.oldAccessKeyId} → ${state.newAccessKeyId}.`;
    case 'skipped':
    case 'refused':
    case 'repaired':
      return state.plan?.reason ?? outcome;
    case 'planned':
      return `Dry run: would ${state.plan?.action ?? 'plan'}: ${state.plan?.reason ?? ''}`.trim();
    case 'rolled-back':
      return state.rollback?.keptNewKey
        ? `Step ${state.failure?.step} failed (${state.failure?.name}); the new key was kept (first rotation).`
        : `Step ${state.failure?.step} failed (${state.failure?.name}); rolled back.`;
    case 'failed':
      if (state.failure?.step === 'plan')
        return `The plan failed (${state.failure.name}: ${state.failure.message}); nothing was changed.`;
      return state.failure
        ? `Step ${state.failure.step} failed (${state.failure.name}) and the rollback did not complete.`
        : 'The run ended before promoting the new key.';
  }
}

/**
 * A tolerated failure in words, from its step's catalog entry (`onFailure.warning`): `{error}` is the
 * error's name and message, `{oldAccessKeyId}` the old key's id.
 */
export function toleratedWarning(state: Pick<RotationState, 'oldAccessKeyId'>, failure: StepFailure): string {
  const policy = stepDeclaration(failure.step).onFailure;
  const template = policy.kind === 'warn' ? policy.warning : `step ${failure.step} failed ({error}); the run went on`;
  return template
    .replace('{oldAccessKeyId}', state.oldAccessKeyId ?? 'unknown')
    .replace('{error}', `${failure.name}: ${failure.message}`);
}

/** What the report of a target whose report step failed is made of: what the state carries, and the error's name. */
export interface FailedReportSource {
  rotationId: string;
  targetName: string;
  mode: RotationMode;
  warnings: string[];
  errorName: string;
}

/**
 * The report of a target whose report step itself failed (the catalog's `minimal-report` policy): built
 * from what the state carries, nothing read. The state machine's `report failed` Pass state is derived
 * from this function (infra/definition.ts), so a report field added here cannot be left out there.
 */
export function reportWhenTheReportFailed(from: FailedReportSource): TargetReport {
  return {
    rotationId: from.rotationId,
    targetName: from.targetName,
    connectionName: '',
    project: '',
    organizationUrl: '',
    connectionId: null,
    mode: from.mode,
    outcome: 'failed',
    summary: `The report step failed (${from.errorName}); what the run did is in the execution history.`,
    newAccessKeyId: null,
    oldAccessKeyId: null,
    oldKeyStatus: null,
    heldKeyAgeDays: null,
    durationMs: 0,
    warnings: from.warnings,
    reasonCode: from.errorName,
    failure: null,
    rolledBack: [],
    stateLeft: 'Unknown: run `ado-key-rotator status` to see which key the connection holds.',
  };
}

/** Builds a target's report from the state its run ended in. */
export function buildTargetReport(state: RotationState, target: TargetDescription, finishedAt: Date): TargetReport {
  const outcome = outcomeOf(state);
  const rotated = outcome === 'rotated';
  return {
    rotationId: state.rotationId,
    targetName: state.targetName,
    connectionName: target.connectionName,
    project: target.project,
    organizationUrl: target.organizationUrl,
    connectionId: state.connectionId ?? null,
    mode: state.mode,
    outcome,
    summary: summarize(state, outcome),
    newAccessKeyId: state.newAccessKeyId ?? null,
    oldAccessKeyId: state.oldAccessKeyId ?? null,
    oldKeyStatus: state.oldKeyStatus ?? (state.oldAccessKeyId ? 'Active' : null),
    heldKeyAgeDays: rotated ? 0 : (state.plan?.heldKeyAgeDays ?? null),
    durationMs: Math.max(0, finishedAt.getTime() - Date.parse(state.startedAt)),
    warnings: state.toleratedFailure
      ? [...state.warnings, toleratedWarning(state, state.toleratedFailure)]
      : state.warnings,
    reasonCode: state.failure?.name ?? (outcome === 'refused' ? (state.plan?.code ?? null) : null),
    failure: state.failure ?? null,
    rolledBack: state.rollback?.actions ?? [],
    stateLeft: describeStateLeft(state, outcome),
    ...(state.canary ? { canary: canaryReport(state.canary, state.failure) as CanaryReport } : {}),
    ...(target.holders && target.holders.length > 1 ? { holders: [...target.holders] } : {}),
    ...(state.leak
      ? {
          leak: {
            held: state.plan?.leakedKeyIds ?? [],
            eventToLiveMs: rotated ? Math.max(0, finishedAt.getTime() - Date.parse(state.leak.detectedAt)) : null,
          },
        }
      : {}),
  };
}

/**
 * Validates the notify step's input (the Map's reports) and makes the run summary.
 * Throws `InvalidStepInputError` naming the bad field.
 */
export function parseNotifyInput(input: unknown, finishedAt: Date): RunSummary {
  const raw = (input ?? {}) as Record<string, unknown>;
  const bad = (field: string, what: string): never => {
    throw new InvalidStepInputError(`Notify input field "${field}" ${what}`, { context: { field } });
  };
  if (typeof input !== 'object' || input === null)
    bad('(root)', 'must be an object { executionId, mode, startedAt, reports }');
  rejectSecretFields(input, '');
  if (!Array.isArray(raw.reports)) bad('reports', 'must be the list of target reports from the Map');
  const reports = raw.reports as unknown[];
  reports.forEach((r, i) => {
    const report = r as Partial<TargetReport> | null;
    if (!report || typeof report.targetName !== 'string' || typeof report.outcome !== 'string') {
      bad(`reports[${i}]`, 'must be a target report with targetName and outcome');
    }
  });
  if (!(ROTATION_MODES as readonly unknown[]).includes(raw.mode))
    bad('mode', `must be one of ${ROTATION_MODES.join(', ')}`);
  if (typeof raw.startedAt !== 'string' || Number.isNaN(Date.parse(raw.startedAt)))
    bad('startedAt', 'must be an ISO-8601 timestamp');
  const executionId = typeof raw.executionId === 'string' ? raw.executionId : null;
  const leak = parseLeak(raw.leak);
  return {
    ...(leak ? { leak: summarizeLeak(leak, reports as TargetReport[]) } : {}),
    executionId,
    executionUrl: typeof raw.executionUrl === 'string' ? raw.executionUrl : null,
    mode: raw.mode as RotationMode,
    startedAt: raw.startedAt as string,
    finishedAt: finishedAt.toISOString(),
    targets: reports as TargetReport[],
  };
}
