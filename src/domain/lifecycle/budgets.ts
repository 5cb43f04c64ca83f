/**
 * Each step's Lambda timeout, computed from the retry budgets of the calls it can make: the longest
 * one call can take, its retries included, times the calls on the step's longest path. A timeout
 * that fits the clients' own retries means a throttled or hung service ends in the client's clear
 * error (retried, or caught and rolled back by the step's policy) rather than in a Lambda timeout.
 *
 * The per-call figures are the adapters' (the domain cannot import them): the Azure DevOps client's
 * `AZURE_DEVOPS_CALL_BUDGET_MS` and `DEFAULT_CLIENT_OPTIONS` (src/adapters/azure-devops/client-options.ts),
 * the AWS clients' `AWS_CALL_BOUNDS` (src/adapters/aws/clients.ts) and the Slack notifier's timeout.
 * test/domain/lifecycle/budgets.test.ts reads them from there and fails if one grows past what
 * is assumed here, or a step's calls past its timeout.
 */

/** The longest one call can take, retries and backoff included, in seconds. */
export const CALL_BUDGET_SECONDS = {
  /** Azure DevOps (and the Entra token request): `maxTotalMs` of retries, then one last `requestTimeoutMs` attempt. */
  azureDevOps: 75,
  /** An AWS SDK call: 3 attempts of at most 2 s to connect and 5 s to answer, and the standard backoff between them. */
  aws: 25,
  /** The Slack webhook: one attempt (a failure is counted, not retried). */
  slack: 10,
} as const;

/** Cold start, building the container, reading the configuration: the time before the first call. */
export const START_SECONDS = 30;

/** Lambda's own maximum timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** The calls a step's longest path makes, one after the other (calls made in parallel count once). */
export interface StepCalls {
  /** Requests to Azure DevOps for a target with one holder, the credential's token request included. */
  azureDevOps: number;
  /** Requests to Azure DevOps for each holder beyond the first (another connection, a variable group). */
  azureDevOpsPerExtraHolder: number;
  /** AWS SDK calls (IAM, Secrets Manager, SSM, STS, S3). */
  aws: number;
  /** Slack webhook posts. */
  slack: number;
}

/** The longest the calls can take, in seconds, for a target whose key `holders` hold (1: the connection alone). */
export function callsBudgetSeconds(calls: StepCalls, holders = 1): number {
  const azureDevOps = calls.azureDevOps + calls.azureDevOpsPerExtraHolder * Math.max(0, holders - 1);
  return (
    azureDevOps * CALL_BUDGET_SECONDS.azureDevOps +
    calls.aws * CALL_BUDGET_SECONDS.aws +
    calls.slack * CALL_BUDGET_SECONDS.slack
  );
}

/** A step's Lambda timeout: its calls' budget after the start, for `holders` holders (capped by Lambda). */
export function stepTimeoutSeconds(calls: StepCalls, holders = 1): number {
  return Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, START_SECONDS + callsBudgetSeconds(calls, holders));
}

/** A step's calls, written short in the catalog. */
export const calls = (azureDevOps: number, aws: number, azureDevOpsPerExtraHolder = 0, slack = 0): StepCalls => ({
  azureDevOps,
  azureDevOpsPerExtraHolder,
  aws,
  slack,
});
