import { TOKENS } from '../../ports/tokens.js';
import { calls, type StepCalls, stepTimeoutSeconds } from './budgets.js';
import type { StepAccess, StepDeclaration } from './step-declaration.js';
import { CHOICES, WAITS } from './node-names.js';
import { KEY_PROPAGATION_RETRY, RATE_LIMITED_RETRY, TRANSIENT_RETRY } from './retry.js';

/**
 * The step catalog: ONE declaration per step, read by everything that needs to know about a step.
 *
 *   the runner and the state machine  `next` (where it runs: lifecycle.ts builds the graph), `retry`, `onFailure`
 *   the composition root, handlers    `useCase` (the token the use case is bound to) and `ports` (its
 *                                     constructor's arguments, in order); the class is in use-cases/index.ts
 *   the IAM policies (infra)          `access`: the AWS calls its ports' adapters make for this step
 *   the Lambda settings (infra)       `timeoutSeconds`, computed from `calls` (budgets.ts)
 *   the Lambda itself                 its entry is generated from `ports` (infra/handler-entries.ts)
 *
 * Adding a step: an entry here (and the `next` of the step before it), its use case class (use-cases/,
 * plus its line in `USE_CASE_CLASSES`, which the compiler checks is there), and its tests: README, Layout.
 * This module imports no use case, so the rotation state, the report and the lifecycle can all read it.
 */

export type { FailurePolicy, StepAccess, StepDeclaration } from './step-declaration.js';

const T = TOKENS;
const IAM_READ = ['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const SECRET_LABELS = ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'];
const NO_ACCESS: StepAccess = { iam: [], secrets: [], adoCredential: false, slackWebhook: false };
/** A step's calls and the timeout they need. */
const budget = (stepCalls: StepCalls) => ({ calls: stepCalls, timeoutSeconds: stepTimeoutSeconds(stepCalls) });

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
    // Azure DevOps: the credential's token, find the connection, read the canary pipeline; each other
    // holder read (in parallel, counted anyway). AWS: the credential, list keys, last use of each, the secret.
    ...budget(calls(3, 5, 1)),
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
    // Azure DevOps: the token, read the connection, write a holder back (GET and PUT). AWS: the credential
    // and up to seven key and version changes and reads.
    ...budget(calls(4, 8, 3)),
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
    // Azure DevOps: the token and a read of the connection before deleting a key a lost create left.
    // AWS: the credential, describe, list keys twice, create (twice), store, and the deletes.
    ...budget(calls(2, 10, 1)),
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
    // AWS: read the pending version, then STS with the new key.
    ...budget(calls(0, 2)),
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
    // Azure DevOps: the token, then GET and PUT the connection; GET and PUT each other holder. AWS: the
    // credential and the pending version.
    ...budget(calls(3, 2, 2)),
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
    // Azure DevOps: the token, read the connection; read each other holder. AWS: the credential.
    ...budget(calls(2, 1, 1)),
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
    // Azure DevOps: the token, queue the run. AWS: the credential.
    ...budget(calls(2, 1)),
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
    // Azure DevOps: the token, read the run. AWS: the credential.
    ...budget(calls(2, 1)),
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
    // AWS: describe the secret, move the label.
    ...budget(calls(0, 2)),
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
    // Azure DevOps: the token, read the connection; read each other holder. AWS: the credential, the
    // secret, list keys, last use, deactivate or delete.
    ...budget(calls(2, 5, 1)),
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
    // Azure DevOps: the token, read the connection, GET and PUT it back, read it again; the same four
    // for each other holder. AWS: the credential and up to eleven key and version reads and changes.
    ...budget(calls(5, 12, 4)),
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
    // No call: metrics go out on stdout.
    ...budget(calls(0, 0)),
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
    // AWS: the webhook parameter and the Map's results in S3 (manifest and result files); one Slack post.
    ...budget(calls(0, 5, 0, 1)),
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
