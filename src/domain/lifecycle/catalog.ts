import { TOKENS } from '../../ports/tokens.js';
import { CHOICES, WAITS } from './node-names.js';
import { KEY_PROPAGATION_RETRY, RATE_LIMITED_RETRY, type RetryRule, TRANSIENT_RETRY } from './retry.js';

/**
 * The step catalog: ONE declaration per step, read by everything that needs to know about a step.
 *
 *   the runner and the state machine  `next` (where it runs: lifecycle.ts builds the graph), `retry`, `onFailure`
 *   the composition root, handlers    `useCase` (the token the use case is bound to) and `ports` (its
 *                                     constructor's arguments, in order); the class is in use-cases/index.ts
 *   the IAM policies (infra)          `access`: the AWS calls its ports' adapters make for this step
 *   the Lambda settings (infra)       `timeoutSeconds`
 *   the Lambda itself                 its entry is generated from `ports` (infra/handler-entries.ts)
 *
 * Adding a step: an entry here (and the `next` of the step before it), its use case class (use-cases/,
 * plus its line in `USE_CASE_CLASSES`, which the compiler checks is there), and its tests: README, Layout.
 * This module imports no use case, so the rotation state, the report and the lifecycle can all read it.
 */

/** What a step's failure leads to. */
export type FailurePolicy =
  /** Nothing was changed yet: record the failure and report (no rollback). */
  | { kind: 'report' }
  /** Record the failure, roll back, report. */
  | { kind: 'rollback' }
  /**
   * Tolerated: record it (`toleratedFailure`) and go on; the report turns it into `warning`, where
   * `{error}` becomes the error's name and message and `{oldAccessKeyId}` the old key's id.
   */
  | { kind: 'warn'; warning: string }
  /** The rollback itself: its failure is reported as a rollback that did not complete. */
  | { kind: 'rollback-incomplete' }
  /** The report itself: a minimal report says the report failed. */
  | { kind: 'minimal-report' }
  /** The run-level notification: never fails (a Slack failure is counted). */
  | { kind: 'none' };

/** The AWS calls a step's Lambda may make, on the configured resources only (infra/permissions.ts). */
export interface StepAccess {
  /** IAM actions, on the configured users. */
  iam: readonly string[];
  /** Secrets Manager actions, on the configured secrets. */
  secrets: readonly string[];
  /** Reads the Azure DevOps credential parameters. */
  adoCredential: boolean;
  /** Reads the Slack webhook parameter. */
  slackWebhook: boolean;
}

export interface StepDeclaration {
  /** Per target (inside the Map), or once per run. */
  scope: 'target' | 'run';
  /** One sentence, for the handler's and the Lambda's description. */
  summary: string;
  /** The DI token its use case is bound to. */
  useCase: symbol;
  /**
   * The port tokens its use case's constructor takes, in order. They also decide its Lambda's wiring
   * slices (src/wiring/slices.ts), so its bundle carries only the SDK clients of those ports.
   */
  ports: readonly symbol[];
  /**
   * Where it runs in the per-target lifecycle: the node after it (a step, a choice or wait of
   * lifecycle.ts, or `report`, the end). Absent for the steps the walk does not reach by `next`: the
   * end (`report`), the rollback and the run-level notify.
   */
  next?: string;
  retry: readonly RetryRule[];
  onFailure: FailurePolicy;
  access: StepAccess;
  timeoutSeconds: number;
}

const T = TOKENS;
const IAM_READ = ['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const SECRET_LABELS = ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'];
const NO_ACCESS: StepAccess = { iam: [], secrets: [], adoCredential: false, slackWebhook: false };
/**
 * Steps that call Azure DevOps get 3 minutes: its client retries a 429/503 for up to 60 s (plus one
 * 15 s request) per call, and a step makes up to two calls. A Lambda timeout mid-step is caught and
 * rolled back like any failure, but a budget that fits the client's own retries avoids it.
 */
const AZURE_DEVOPS_TIMEOUT = 180;
const AWS_ONLY_TIMEOUT = 30;

export const STEP_CATALOG = {
  plan: {
    scope: 'target',
    summary: 'Plans a target: rotate, repair, skip or refuse. Changes nothing.',
    next: CHOICES.decide,
    useCase: T.PlanRotation,
    ports: [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps, T.Clock, T.VariableGroups, T.PipelineRuns],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'report' },
    // Reads IAM, the connection and the secret; changes nothing.
    access: { ...NO_ACCESS, iam: IAM_READ, secrets: SECRET_READ, adoCredential: true },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  cleanup: {
    scope: 'target',
    summary: 'Finishes or undoes what an aborted run left: a leftover key, a leftover pending version.',
    next: CHOICES.repairOnly,
    useCase: T.CleanUpKeys,
    ports: [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps, T.VariableGroups],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'rollback' },
    // Deletes or deactivates a leftover key, drops or promotes a leftover pending version; reads the
    // connection and the secret first (a key a holder holds is never touched).
    access: {
      ...NO_ACCESS,
      iam: ['iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
      secrets: [...SECRET_READ, 'secretsmanager:UpdateSecretVersionStage'],
      adoCredential: true,
    },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  create: {
    scope: 'target',
    summary: 'Creates the new key and stores it as the pending secret version.',
    next: 'verify-key',
    useCase: T.CreateKey,
    ports: [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps, T.VariableGroups],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'rollback' },
    // Creates the key and stores it as AWSPENDING; deletes the key again if storing fails; reads the
    // connection before deleting a key a lost create left.
    access: {
      ...NO_ACCESS,
      iam: [...IAM_READ, 'iam:CreateAccessKey', 'iam:DeleteAccessKey'],
      secrets: [...SECRET_READ, 'secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
      adoCredential: true,
    },
    timeoutSeconds: AWS_ONLY_TIMEOUT,
  },
  'verify-key': {
    scope: 'target',
    summary: 'Proves the new key authenticates, alone (STS), waiting while it propagates.',
    next: 'publish',
    useCase: T.VerifyKey,
    ports: [T.Targets, T.SecretStore, T.KeyVerifier],
    retry: [TRANSIENT_RETRY, KEY_PROPAGATION_RETRY],
    onFailure: { kind: 'rollback' },
    // Reads the pending version; the check itself is signed with the new key, so no IAM at all.
    access: { ...NO_ACCESS, secrets: ['secretsmanager:GetSecretValue'] },
    timeoutSeconds: AWS_ONLY_TIMEOUT,
  },
  publish: {
    scope: 'target',
    summary: 'Puts the new key into the service connection, in place (same id).',
    next: 'verify-publish',
    useCase: T.PublishKey,
    ports: [T.Targets, T.SecretStore, T.AzureDevOps, T.Clock, T.VariableGroups],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'rollback' },
    access: { ...NO_ACCESS, secrets: ['secretsmanager:GetSecretValue'], adoCredential: true },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  'verify-publish': {
    scope: 'target',
    summary: 'Reads the connection back: it must hold the new key.',
    next: CHOICES.canary,
    useCase: T.VerifyPublish,
    ports: [T.Targets, T.AzureDevOps, T.VariableGroups],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'rollback' },
    access: { ...NO_ACCESS, adoCredential: true },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  // Issue 13: only for a target naming a canary pipeline (the lifecycle's "canary?" choice).
  canary: {
    scope: 'target',
    summary: "Queues a run of the target's canary pipeline, which uses the new key where it is held.",
    next: WAITS.canary,
    useCase: T.QueueCanary,
    ports: [T.Targets, T.Clock, T.PipelineRuns],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'rollback' },
    // Azure DevOps only (Build: Read & execute on the credential).
    access: { ...NO_ACCESS, adoCredential: true },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  'check-canary': {
    scope: 'target',
    summary: 'Reads the canary run once: succeeded, failed (roll back), or not yet (wait and read again).',
    next: CHOICES.canaryDone,
    useCase: T.CheckCanary,
    ports: [T.Targets, T.Clock, T.PipelineRuns],
    retry: [TRANSIENT_RETRY],
    // A failed, cancelled or timed-out run: the new key does not work where it is used.
    onFailure: { kind: 'rollback' },
    access: { ...NO_ACCESS, adoCredential: true },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  promote: {
    scope: 'target',
    summary: 'Makes the pending secret version current.',
    next: 'revoke',
    useCase: T.PromoteSecret,
    ports: [T.Targets, T.SecretStore],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'rollback' },
    access: { ...NO_ACCESS, secrets: SECRET_LABELS },
    timeoutSeconds: AWS_ONLY_TIMEOUT,
  },
  revoke: {
    scope: 'target',
    summary: 'Retires the old key (deactivates it; deletes it in an emergency) once the connection no longer holds it.',
    next: 'report',
    useCase: T.RevokeOldKey,
    ports: [T.Targets, T.IamAccessKeys, T.AzureDevOps, T.SecretStore, T.VariableGroups],
    retry: [TRANSIENT_RETRY],
    // The new key is live everywhere: a failure here is a warning, and the next run retires the old key.
    onFailure: {
      kind: 'warn',
      warning:
        'the old key {oldAccessKeyId} could not be retired ({error}); it is still active, and the next run retires it',
    },
    // Deactivates (or, in an emergency, deletes) the old key once neither the connection nor the secret holds it.
    access: {
      ...NO_ACCESS,
      iam: ['iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
      secrets: SECRET_READ,
      adoCredential: true,
    },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  rollback: {
    scope: 'target',
    summary: 'Puts the old key back everywhere: the connection first, then the secret, then deletes the new key.',
    useCase: T.RollBack,
    ports: [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps, T.VariableGroups],
    retry: [TRANSIENT_RETRY, RATE_LIMITED_RETRY],
    onFailure: { kind: 'rollback-incomplete' },
    // The widest role, and used only when something failed.
    access: {
      ...NO_ACCESS,
      iam: [...IAM_READ, 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
      secrets: [...SECRET_READ, 'secretsmanager:UpdateSecretVersionStage'],
      adoCredential: true,
    },
    timeoutSeconds: AZURE_DEVOPS_TIMEOUT,
  },
  report: {
    scope: 'target',
    summary: "Turns the state a target's run ended in into its report, and records its metrics.",
    useCase: T.ReportTarget,
    ports: [T.Targets, T.Metrics, T.Clock],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'minimal-report' },
    // Metrics go out as CloudWatch embedded metric format on stdout: no API call, no permission.
    access: NO_ACCESS,
    timeoutSeconds: AWS_ONLY_TIMEOUT,
  },
  notify: {
    scope: 'run',
    summary: 'One Slack summary for the whole run. Never fails the run (a Slack failure is counted).',
    useCase: T.NotifyRun,
    // RunResults: the reports the Distributed Map's children wrote to S3, read back for the summary.
    ports: [T.Notifier, T.Metrics, T.RunResults],
    retry: [TRANSIENT_RETRY],
    onFailure: { kind: 'none' },
    access: { ...NO_ACCESS, slackWebhook: true },
    timeoutSeconds: AWS_ONLY_TIMEOUT,
  },
} as const satisfies Record<string, StepDeclaration>;

/** Every Lambda of the state machine: the target steps and the run-level notify. Also the task state names. */
export type LambdaStep = keyof typeof STEP_CATALOG;
export const LAMBDA_STEPS = Object.keys(STEP_CATALOG) as LambdaStep[];

/** The steps that run per target (everything but notify). */
export type StepName = {
  [K in LambdaStep]: (typeof STEP_CATALOG)[K]['scope'] extends 'target' ? K : never;
}[LambdaStep];
export const STEPS = LAMBDA_STEPS.filter((step): step is StepName => STEP_CATALOG[step].scope === 'target');

/** A step's declaration, typed as the general shape. */
export const stepDeclaration = (step: LambdaStep): StepDeclaration => STEP_CATALOG[step];

/**
 * Steps whose failure is rolled back: those that change IAM, the secret or the connection before the old key is
 * retired.
 */
export const ROLLED_BACK_STEPS = STEPS.filter((step) => STEP_CATALOG[step].onFailure.kind === 'rollback');
