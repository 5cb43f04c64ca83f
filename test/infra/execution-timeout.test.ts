import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedTargetMs } from '../../infra/execution-time.js';
import {
  type AslGraph,
  checkExecutionTimeBudget,
  childWorstCaseMs,
  executionTimeBudget,
  MARGIN,
  MAX_EXECUTION_SECONDS,
  PARENT_OVERHEAD_MS,
} from '../../infra/execution-timeout.js';
import { AdoKeyRotatorStack } from '../../infra/stack.js';
import { allStates, definitionFromTemplate } from '../../local/local-run.js';
import { Template } from 'aws-cdk-lib/assertions';
import type { RotationConfig } from '../../src/domain/config.js';
import { ConfigurationError } from '../../src/domain/errors.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
const stubCode = () => lambda.Code.fromInline('exports.handler = async () => ({});');

function fleet(targets: number, maxConcurrency: number): RotationConfig {
  return {
    targets: Array.from({ length: targets }, (_, i) => ({
      name: `service-${i + 1}`,
      iamUserName: `ado-service-${i + 1}`,
      secretId: `ado-key-rotator/service-${i + 1}`,
      connection: {
        organizationUrl: 'https://dev.azure.com/contoso',
        project: 'payments',
        connectionName: `aws-service-${i + 1}`,
        credentialParameter: '/ado-key-rotator/pat',
      },
    })),
    settings: { minKeyAgeDays: 7, gracePeriodDays: 3, inProgressTimeoutMinutes: 60 },
    schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
    maxConcurrency,
  };
}

function synth(config: RotationConfig, executionTimeout?: Duration) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-timeout-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new AdoKeyRotatorStack(app, 'Timeout', {
    config,
    overrides: { lambdaCode: stubCode, ...(executionTimeout ? { executionTimeout } : {}) },
  });
  return { stack, definition: definitionFromTemplate(Template.fromStack(stack).toJSON()) };
}

describe('Function: childWorstCaseMs', () => {
  it('adds every attempt at its TimeoutSeconds and every retry interval along the longest path, Catch included', () => {
    // Prepare: a task (10 s, 2 retries at 1 s × 2, capped at 1.5 s) that, caught, goes to a longer branch.
    const graph: AslGraph = {
      StartAt: 'work',
      States: {
        work: {
          Type: 'Task',
          TimeoutSeconds: 10,
          Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2, MaxDelaySeconds: 1.5 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'slow' }],
          Next: 'done',
        },
        slow: { Type: 'Wait', Seconds: 100, Next: 'done' },
        done: { Type: 'Succeed' },
      },
    };

    // Act
    const worst = childWorstCaseMs(graph);

    // Assess: 3 attempts × 10 s + (1 + 1.5) s of retries + the 100 s wait + one transition.
    expect(worst).toBe(30_000 + 2_500 + 100_000 + 50);
  });

  it('counts a loop once, as its budget', () => {
    // Prepare
    const graph: AslGraph = {
      StartAt: 'poll',
      States: {
        poll: { Type: 'Wait', Seconds: 30, Next: 'done?' },
        'done?': { Type: 'Choice', Choices: [{ Next: 'end' }], Default: 'poll' },
        end: { Type: 'Succeed' },
      },
    };

    // Act
    const worst = childWorstCaseMs(graph, 600_000);

    // Assess: the wait, the choice, then the loop's budget (longer than going to the end).
    expect(worst).toBe(30_000 + 50 + 600_000);
  });

  it('refuses a task without TimeoutSeconds: a child execution has no timeout of its own', () => {
    // Prepare
    const graph: AslGraph = { StartAt: 'work', States: { work: { Type: 'Task', End: true } } };

    // Act / Assess
    expect(() => childWorstCaseMs(graph)).toThrow(/Task state "work" has no TimeoutSeconds/);
  });
});

describe('Function: executionTimeBudget', () => {
  it('is the children over maxConcurrency slots, plus one worst child, plus the margin, in whole minutes', () => {
    // Prepare / Act
    const budget = executionTimeBudget({
      targets: 1000,
      maxConcurrency: 5,
      childExpectedMs: 10_000,
      childWorstMs: 3_600_000,
    });

    // Assess: 200 waves of 10 s.
    expect(budget.projectedFleetMs).toBe(2_000_000 + PARENT_OVERHEAD_MS);
    const required = (2_000_000 + PARENT_OVERHEAD_MS + 3_600_000) * (1 + MARGIN);
    expect(budget.timeoutSeconds).toBe(Math.ceil(required / 60_000) * 60);
  });
});

describe('Synth-time refusal of a fleet that does not fit', () => {
  it('derives the state machine TimeoutSeconds from the fleet: projected run + one worst child + 25%', () => {
    // Prepare / Act
    const { stack, definition } = synth(fleet(40, 4));

    // Assess
    const budget = stack.rotator.timeBudget;
    expect(budget.childExpectedMs).toBe(expectedTargetMs());
    expect(definition.TimeoutSeconds).toBe(budget.timeoutSeconds);
    const map = allStates(definition).find(([name]) => name === 'rotate each target')?.[1] as unknown as {
      ItemProcessor: AslGraph;
    };
    expect(budget.childWorstMs).toBe(childWorstCaseMs(map.ItemProcessor));
    // The child's worst case dominates a small fleet: the timeout outlasts it, with the margin.
    expect((definition.TimeoutSeconds ?? 0) * 1000).toBeGreaterThanOrEqual(
      (budget.childWorstMs + 10 * budget.childExpectedMs) * (1 + MARGIN),
    );
  });

  it('refuses 10,000 targets one at a time, saying why and what to change', () => {
    // Prepare
    const config = fleet(10_000, 1);

    // Act
    const run = () => synth(config);

    // Assess
    expect(run).toThrow(ConfigurationError);
    expect(run).toThrow(
      new RegExp(
        `the fleet would not fit in one run\\. 10000 targets × [0-9.]+ s per target / maxConcurrency 1 = [0-9.]+ h.*` +
          `over the ${MAX_EXECUTION_SECONDS / 3600} h the rotator allows one execution\\. Raise maxConcurrency to at ` +
          'least \\d+',
      ),
    );
  });

  it('refuses an executionTimeout shorter than a child can take: a parent timing out stops its children', () => {
    // Prepare / Act
    const run = () => synth(fleet(2, 1), Duration.hours(2));

    // Assess
    expect(run).toThrow(
      /Invalid executionTimeout: 7200 s is shorter than the fleet needs\..*raise it to at least \d+ s/,
    );
  });

  it('refuses a single target whose worst case alone does not fit', () => {
    // Prepare
    const budget = executionTimeBudget({
      targets: 1,
      maxConcurrency: 1,
      childExpectedMs: 10_000,
      childWorstMs: MAX_EXECUTION_SECONDS * 1000,
    });

    // Act / Assess
    expect(() => checkExecutionTimeBudget(budget)).toThrow(/one target's worst case \(24\.0 h/);
  });
});
