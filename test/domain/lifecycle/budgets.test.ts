/**
 * Step timeouts against the retry budgets of the calls each step makes: the per-call figures are
 * read from the adapters that enforce them (the Azure DevOps client's options, the AWS clients'
 * bounds, the Slack notifier's timeout), so a budget that grows there fails here.
 */
import { describe, expect, it } from 'vitest';
import { AWS_CALL_BOUNDS } from '../../../src/adapters/aws/clients.js';
import {
  AZURE_DEVOPS_CALL_BUDGET_MS,
  DEFAULT_CLIENT_OPTIONS,
} from '../../../src/adapters/azure-devops/client-options.js';
import { DEFAULT_SLACK_TIMEOUT_MS } from '../../../src/adapters/slack/slack-notifier.js';
import {
  CALL_BUDGET_SECONDS,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  START_SECONDS,
  type StepCalls,
} from '../../../src/domain/lifecycle/budgets.js';
import { LAMBDA_STEPS, type LambdaStep, STEP_CATALOG } from '../../../src/domain/lifecycle/catalog.js';

interface Figures {
  azureDevOps: typeof DEFAULT_CLIENT_OPTIONS;
  aws: typeof AWS_CALL_BOUNDS;
  slackTimeoutMs: number;
}
const ADAPTERS: Figures = {
  azureDevOps: DEFAULT_CLIENT_OPTIONS,
  aws: AWS_CALL_BOUNDS,
  slackTimeoutMs: DEFAULT_SLACK_TIMEOUT_MS,
};

/** The longest one call takes, in seconds, by the adapters' own figures. */
function perCall(figures: Figures) {
  const { maxTotalMs, requestTimeoutMs } = figures.azureDevOps;
  const aws = figures.aws;
  let backoffMs = 0;
  for (let retry = 1; retry < aws.maxAttempts; retry++) backoffMs += aws.throttlingBackoffBaseMs * 2 ** retry;
  return {
    // Retries stop starting once maxTotalMs is spent; the last attempt may still take requestTimeoutMs.
    azureDevOps: (maxTotalMs + requestTimeoutMs) / 1000,
    aws: (aws.maxAttempts * (aws.connectionTimeoutMs + aws.requestTimeoutMs) + backoffMs) / 1000,
    slack: figures.slackTimeoutMs / 1000,
  };
}

/** A step's budget by the adapters' figures, for one holder. */
function budgetSeconds(calls: StepCalls, figures: Figures): number {
  const call = perCall(figures);
  return START_SECONDS + calls.azureDevOps * call.azureDevOps + calls.aws * call.aws + calls.slack * call.slack;
}

/** The steps whose calls could outlast their Lambda timeout with these figures. */
function overBudget(figures: Figures): LambdaStep[] {
  return LAMBDA_STEPS.filter(
    (step) => budgetSeconds(STEP_CATALOG[step].calls, figures) > STEP_CATALOG[step].timeoutSeconds,
  );
}

describe('Module: step budgets', () => {
  it("assumes per-call budgets no shorter than the adapters' own retries and timeouts allow", () => {
    // Act
    const call = perCall(ADAPTERS);

    // Assess
    expect(CALL_BUDGET_SECONDS.azureDevOps).toBeGreaterThanOrEqual(call.azureDevOps);
    // The client's own statement of one call's budget (pacing waits included) agrees.
    expect(CALL_BUDGET_SECONDS.azureDevOps * 1000).toBeGreaterThanOrEqual(AZURE_DEVOPS_CALL_BUDGET_MS);
    expect(CALL_BUDGET_SECONDS.aws).toBeGreaterThanOrEqual(call.aws);
    expect(CALL_BUDGET_SECONDS.slack).toBeGreaterThanOrEqual(call.slack);
  });

  it("gives every step a Lambda timeout its calls fit in, retries included, within Lambda's maximum", () => {
    // Act
    const over = overBudget(ADAPTERS);

    // Assess
    expect(over).toEqual([]);
    for (const step of LAMBDA_STEPS)
      expect(STEP_CATALOG[step].timeoutSeconds, step).toBeLessThan(LAMBDA_MAX_TIMEOUT_SECONDS);
  });

  it('fails when a budget grows past a timeout: Azure DevOps retrying for twice as long overruns the rollback', () => {
    // Prepare
    const longer: Figures = {
      ...ADAPTERS,
      azureDevOps: { ...DEFAULT_CLIENT_OPTIONS, maxTotalMs: 2 * DEFAULT_CLIENT_OPTIONS.maxTotalMs },
    };

    // Act
    const over = overBudget(longer);

    // Assess
    expect(over).toContain('rollback');
    expect(over).toContain('create');
    expect(over).not.toContain('verify-key');
  });

  it('counts the calls the issue named: four Azure DevOps calls and the token in the rollback, one in create', () => {
    // Assess
    expect(STEP_CATALOG.rollback.calls.azureDevOps).toBe(5);
    expect(STEP_CATALOG.create.calls.azureDevOps).toBe(2);
    expect(STEP_CATALOG.rollback.timeoutSeconds).toBeGreaterThan(4 * 75);
  });
});
