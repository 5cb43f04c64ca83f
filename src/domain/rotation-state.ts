// Over 300 lines: the state carried between steps and its one validating parser, which must know every field (a
// field the parser did not know would travel unchecked between Lambdas).
import { type CanaryProgress, parseCanaryProgress } from './canary.js';
import { InvalidStepInputError } from './errors.js';
import { STEPS, type StepName } from './lifecycle/catalog.js';
import { type LeakNotice, parseLeak } from './leak.js';
import { ROTATION_MODES, type RotationMode, TARGET_NAME_PATTERN } from './model.js';

// The step names come from the step catalog; re-exported here, where every step's state is described.
export { STEPS, type StepName } from './lifecycle/catalog.js';

export type PlanAction =
  /** Clean up (if needed), then create, verify, publish, promote, revoke. */
  | 'rotate'
  /** Only clean up: finish or undo what an aborted run left, then report. */
  | 'repair'
  /** Nothing to do (key young enough, or old key still in its grace period). */
  | 'skip'
  /** Cannot rotate as things are; nothing is changed; a human must act. */
  | 'refuse';

export type CleanupAction =
  | { kind: 'delete-key'; accessKeyId: string; reason: string }
  /** Finishes a revoke that failed: the key was retired but is still active, and unused since. */
  | { kind: 'deactivate-key'; accessKeyId: string; reason: string }
  | { kind: 'drop-pending'; versionId: string; reason: string }
  | { kind: 'promote-pending'; versionId: string; reason: string }
  /** Moves AWSCURRENT back to the version holding the connection's key (a rollback stopped half-way). */
  | { kind: 'restore-current'; versionId: string; reason: string }
  /**
   * Writes the key of a secret version into every other holder that does not hold it (an interrupted run left them
   * apart).
   */
  | { kind: 'sync-holders'; versionId: string; accessKeyId: string; reason: string };

export interface Plan {
  action: PlanAction;
  /** One sentence, for people. */
  reason: string;
  /** The error name behind a refusal (e.g. `ConnectionUsesOidcError`). */
  code?: string;
  cleanup: CleanupAction[];
  /** Age in days of the key the connection holds, when known (for the key-age metric). */
  heldKeyAgeDays?: number;
  /** In a run for a leak: the leaked keys this target holds. */
  leakedKeyIds?: string[];
}

/** What a failed step left for rollback and report. */
export interface StepFailure {
  step: StepName;
  /** The error's stable name (the class name in errors.ts, or a Lambda/States error such as `States.Timeout`). */
  name: string;
  message: string;
}

export interface RollbackResult {
  /** What the rollback did, in order, for people. */
  actions: string[];
  /** True when IAM, the secret and the connection agree again. */
  consistent: boolean;
  /**
   * The first rotation of a target with no secret: the old credential was never stored, so the rollback
   * kept the new key (every holder and the secret hold it) and left the old key active.
   */
  keptNewKey?: boolean;
}

/**
 * The state a target's rotation carries from step to step (the Step Functions payload).
 *
 * Ids only: key ids, secret version ids, connection id, timings. A secret never enters it;
 * `parseRotationState` rejects any field that looks like one.
 */
export interface RotationState {
  /**
   * Unique per target and run; also the pending secret version id (Secrets Manager `ClientRequestToken`, 32-64 chars).
   */
  rotationId: string;
  targetName: string;
  mode: RotationMode;
  /** ISO-8601 time the run started for this target. */
  startedAt: string;
  plan?: Plan;
  connectionId?: string;
  /** The ids of the target's other holders (connections, variable groups), in configuration order. */
  holderIds?: string[];
  /**
   * ISO-8601 time the new key was first written to a holder: a use of the old key after it is a consumer that is not a
   * holder.
   */
  publishedAt?: string;
  /** The key the connection held when the run started. */
  oldAccessKeyId?: string;
  /** The secret's `AWSCURRENT` version when the run started (null: the secret did not exist). */
  oldVersionId?: string | null;
  newAccessKeyId?: string;
  pendingVersionId?: string;
  oldKeyStatus?: 'Active' | 'Inactive' | 'Deleted';
  completed: StepName[];
  warnings: string[];
  failure?: StepFailure;
  /** A failure the lifecycle went on after (its step's policy is `warn`); the report turns it into a warning. */
  toleratedFailure?: StepFailure;
  rollback?: RollbackResult;
  /** The canary pipeline run (set by the plan for a target naming one, then by canary and check-canary). */
  canary?: CanaryProgress;
  /** Set when the run was started for a leaked key (AWS Health): only a target holding it rotates. */
  leak?: LeakNotice | null;
  /**
   * The run's (parent) execution, when the target runs as a child execution of the Distributed Map: every
   * log line of its steps names it, so an operator finds the run from a child's logs.
   */
  parentExecutionId?: string;
}

// Target names, connection ids and secret version ids share the target name's shape.
const ID_PATTERN = TARGET_NAME_PATTERN;
const ROTATION_ID_PATTERN = /^[A-Za-z0-9-]{32,64}$/;
const ACCESS_KEY_ID_PATTERN = /^[A-Z0-9]{16,128}$/;
/** A Step Functions execution ARN (the name part: up to 80 characters, no whitespace). */
const EXECUTION_ARN_PATTERN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^\s]{1,400}$/;
/** Field names that would carry a secret. None may travel between steps. */
const SECRET_FIELD_PATTERN = /secret(?!Id$)|password|passwd|\bpat\b|^pat$|token|webhook|credential|privatekey/i;

const KNOWN_FIELDS = new Set<string>([
  'rotationId',
  'targetName',
  'mode',
  'startedAt',
  'plan',
  'connectionId',
  'holderIds',
  'publishedAt',
  'oldAccessKeyId',
  'oldVersionId',
  'newAccessKeyId',
  'pendingVersionId',
  'oldKeyStatus',
  'completed',
  'warnings',
  'failure',
  'toleratedFailure',
  'rollback',
  'leak',
  'canary',
  'parentExecutionId',
  // Added by the state machine around the per-target state; ignored here.
  'executionId',
]);

function fail(field: string, problem: string, what: string): never {
  throw new InvalidStepInputError(`Step input field "${field}" ${problem}; ${what}`, { context: { field } });
}

/**
 * Throws `InvalidStepInputError` when any key at any depth is named like a secret (every step's input, notify's too).
 */
export function rejectSecretFields(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) rejectSecretFields(item, `${path}[${i}]`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_FIELD_PATTERN.test(key) && key !== 'secretId') {
      fail(here, 'looks like it carries a secret', 'steps pass key ids and secret version ids only; remove the field');
    }
    rejectSecretFields(child, here);
  }
}

function optionalString(
  input: Record<string, unknown>,
  field: string,
  pattern: RegExp,
  what: string,
): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) fail(field, `is ${JSON.stringify(value)}`, what);
  return value;
}

/**
 * Validates a step's input and returns it typed. Errors name the bad field and what it should be.
 * Unknown top-level fields are rejected, so a typo in the state machine cannot pass silently.
 */
export function parseRotationState(input: unknown): RotationState {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidStepInputError('Step input must be a JSON object with at least rotationId, targetName and mode', {
      context: { field: '(root)' },
    });
  }
  const raw = input as Record<string, unknown>;
  rejectSecretFields(raw, '');
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) fail(key, 'is not a known field', `expected only ${[...KNOWN_FIELDS].join(', ')}`);
  }

  const rotationId = raw.rotationId;
  if (typeof rotationId !== 'string' || !ROTATION_ID_PATTERN.test(rotationId)) {
    fail('rotationId', `is ${JSON.stringify(rotationId)}`, 'it must be 32-64 letters, digits or dashes (a UUID)');
  }
  const targetName = raw.targetName;
  if (typeof targetName !== 'string' || !ID_PATTERN.test(targetName)) {
    fail('targetName', `is ${JSON.stringify(targetName)}`, 'it must be the name of a configured target');
  }
  const mode = raw.mode;
  if (typeof mode !== 'string' || !(ROTATION_MODES as readonly string[]).includes(mode)) {
    fail('mode', `is ${JSON.stringify(mode)}`, `it must be one of ${ROTATION_MODES.join(', ')}`);
  }
  const startedAt = raw.startedAt;
  if (typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt))) {
    fail('startedAt', `is ${JSON.stringify(startedAt)}`, 'it must be an ISO-8601 timestamp');
  }
  const completed = raw.completed ?? [];
  if (!Array.isArray(completed) || completed.some((s) => !(STEPS as readonly string[]).includes(s as string))) {
    fail('completed', `is ${JSON.stringify(completed)}`, `it must be a list of step names (${STEPS.join(', ')})`);
  }
  const warnings = raw.warnings ?? [];
  if (!Array.isArray(warnings) || warnings.some((w) => typeof w !== 'string')) {
    fail('warnings', 'is not a list of strings', 'it must be a list of messages');
  }
  const oldVersionId = raw.oldVersionId;
  if (
    oldVersionId !== undefined &&
    oldVersionId !== null &&
    (typeof oldVersionId !== 'string' || !ID_PATTERN.test(oldVersionId))
  ) {
    fail('oldVersionId', `is ${JSON.stringify(oldVersionId)}`, 'it must be a secret version id or null');
  }
  const oldKeyStatus = raw.oldKeyStatus;
  if (oldKeyStatus !== undefined && !['Active', 'Inactive', 'Deleted'].includes(oldKeyStatus as string)) {
    fail('oldKeyStatus', `is ${JSON.stringify(oldKeyStatus)}`, 'it must be Active, Inactive or Deleted');
  }

  const state: RotationState = {
    rotationId,
    targetName,
    mode: mode as RotationMode,
    startedAt,
    completed: completed as StepName[],
    warnings: warnings as string[],
  };
  const connectionId = optionalString(raw, 'connectionId', ID_PATTERN, 'it must be the service connection id');
  const oldAccessKeyId = optionalString(raw, 'oldAccessKeyId', ACCESS_KEY_ID_PATTERN, 'it must be an access key id');
  const newAccessKeyId = optionalString(raw, 'newAccessKeyId', ACCESS_KEY_ID_PATTERN, 'it must be an access key id');
  const pendingVersionId = optionalString(raw, 'pendingVersionId', ID_PATTERN, 'it must be a secret version id');
  if (connectionId !== undefined) state.connectionId = connectionId;
  const parentExecutionId = optionalString(
    raw,
    'parentExecutionId',
    EXECUTION_ARN_PATTERN,
    "it must be the run's Step Functions execution ARN",
  );
  if (parentExecutionId !== undefined) state.parentExecutionId = parentExecutionId;
  const holderIds = raw.holderIds;
  if (holderIds !== undefined) {
    if (!Array.isArray(holderIds) || holderIds.some((id) => typeof id !== 'string' || !ID_PATTERN.test(id))) {
      fail(
        'holderIds',
        `is ${JSON.stringify(holderIds)}`,
        "it must be the list of the other holders' ids (connection GUIDs, variable group numbers)",
      );
    }
    state.holderIds = holderIds as string[];
  }
  const publishedAt = raw.publishedAt;
  if (publishedAt !== undefined) {
    if (typeof publishedAt !== 'string' || Number.isNaN(Date.parse(publishedAt)))
      fail('publishedAt', `is ${JSON.stringify(publishedAt)}`, 'it must be an ISO-8601 timestamp');
    state.publishedAt = publishedAt;
  }
  if (oldAccessKeyId !== undefined) state.oldAccessKeyId = oldAccessKeyId;
  if (oldVersionId !== undefined) state.oldVersionId = oldVersionId as string | null;
  if (newAccessKeyId !== undefined) state.newAccessKeyId = newAccessKeyId;
  if (pendingVersionId !== undefined) state.pendingVersionId = pendingVersionId;
  if (oldKeyStatus !== undefined) state.oldKeyStatus = oldKeyStatus as RotationState['oldKeyStatus'];
  if (raw.plan !== undefined) state.plan = parsePlan(raw.plan);
  if (raw.failure !== undefined) state.failure = parseFailure(raw.failure);
  if (raw.toleratedFailure !== undefined)
    state.toleratedFailure = parseFailure(raw.toleratedFailure, 'toleratedFailure');
  if (raw.rollback !== undefined) state.rollback = raw.rollback as RollbackResult;
  if (raw.canary !== undefined) state.canary = parseCanaryProgress(raw.canary);
  const leak = parseLeak(raw.leak);
  if (leak && mode !== 'emergency') {
    fail(
      'mode',
      `is ${JSON.stringify(mode)} with a leak`,
      'a run for a leaked key must be in emergency mode (the old key is deleted at once)',
    );
  }
  if (leak) state.leak = leak;
  return state;
}

function parsePlan(value: unknown): Plan {
  const plan = value as Partial<Plan> | null;
  if (!plan || typeof plan !== 'object') fail('plan', 'is not an object', 'it must be the plan step output');
  if (!['rotate', 'repair', 'skip', 'refuse'].includes(plan.action as string)) {
    fail('plan.action', `is ${JSON.stringify(plan.action)}`, 'it must be rotate, repair, skip or refuse');
  }
  if (typeof plan.reason !== 'string') fail('plan.reason', 'is missing', 'it must be a sentence');
  if (!Array.isArray(plan.cleanup)) fail('plan.cleanup', 'is not a list', 'it must be a list of cleanup actions');
  for (const [i, action] of plan.cleanup.entries()) {
    const a = action as Partial<CleanupAction> | null;
    const ok =
      a &&
      (((a.kind === 'delete-key' || a.kind === 'deactivate-key') &&
        typeof a.accessKeyId === 'string' &&
        ACCESS_KEY_ID_PATTERN.test(a.accessKeyId)) ||
        ((a.kind === 'drop-pending' || a.kind === 'promote-pending' || a.kind === 'restore-current') &&
          typeof a.versionId === 'string') ||
        (a.kind === 'sync-holders' &&
          typeof a.versionId === 'string' &&
          typeof a.accessKeyId === 'string' &&
          ACCESS_KEY_ID_PATTERN.test(a.accessKeyId)));
    if (!ok) {
      fail(
        `plan.cleanup[${i}]`,
        'is not a valid cleanup action',
        'expected delete-key, deactivate-key, drop-pending, promote-pending, restore-current or sync-holders',
      );
    }
  }
  const leaked = plan.leakedKeyIds;
  if (
    leaked !== undefined &&
    (!Array.isArray(leaked) || leaked.some((id) => typeof id !== 'string' || !ACCESS_KEY_ID_PATTERN.test(id)))
  ) {
    fail(
      'plan.leakedKeyIds',
      `is ${JSON.stringify(leaked)}`,
      'it must be the list of leaked access key ids the target holds',
    );
  }
  return plan as Plan;
}

function parseFailure(value: unknown, field: 'failure' | 'toleratedFailure' = 'failure'): StepFailure {
  const failure = value as Partial<StepFailure> | null;
  if (!failure || typeof failure !== 'object') fail(field, 'is not an object', 'it must be { step, name, message }');
  if (!(STEPS as readonly string[]).includes(failure.step as string)) {
    fail(`${field}.step`, `is ${JSON.stringify(failure.step)}`, 'it must be a step name');
  }
  if (typeof failure.name !== 'string') {
    fail(`${field}.name`, 'is missing', 'the state machine passes the caught error name here');
  }
  // Step Functions' Catch hands over `Cause` as a JSON string `{ errorType, errorMessage, ... }`.
  const raw = value as { message?: unknown; cause?: unknown };
  let message = typeof raw.message === 'string' ? raw.message : undefined;
  if (message === undefined && typeof raw.cause === 'string') {
    try {
      const parsed = JSON.parse(raw.cause) as { errorMessage?: unknown };
      message = typeof parsed.errorMessage === 'string' ? parsed.errorMessage : raw.cause;
    } catch {
      message = raw.cause;
    }
  }
  return { step: failure.step as StepName, name: failure.name, message: (message ?? '(no message)').slice(0, 1000) };
}

/** Adds a step to `completed` once (re-running a step must not duplicate it). */
export function markCompleted(state: RotationState, step: StepName): RotationState {
  return state.completed.includes(step) ? state : { ...state, completed: [...state.completed, step] };
}

type RequirableField = 'connectionId' | 'oldAccessKeyId' | 'newAccessKeyId' | 'pendingVersionId';

/** Returns a field a step needs, or throws `InvalidStepInputError` naming the field and the step. */
export function requireField(state: RotationState, field: RequirableField, step: StepName): string {
  const value = state[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidStepInputError(
      `Step "${step}" of target ${state.targetName} needs "${field}" in its input; it is set by an earlier ` +
        `step (is the state machine passing the whole state?)`,
      { context: { field, step, target: state.targetName } },
    );
  }
  return value;
}
