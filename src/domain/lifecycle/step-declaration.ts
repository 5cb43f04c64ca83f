import type { StepCalls } from './budgets.js';
import type { RetryRule } from './retry.js';

/** The shape of a step catalog entry (catalog.ts): what each field is for and who reads it. */

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
  /** The calls its longest path makes, one after the other: its timeout follows from them (budgets.ts). */
  calls: StepCalls;
  /** Its Lambda's timeout for a target with one holder (infra/key-rotator.ts adds the configured extra holders). */
  timeoutSeconds: number;
}
