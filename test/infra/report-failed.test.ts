import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { buildTargetWorkflow, STATE_NAMES } from '../../infra/definition.js';
import { failedReportParameters } from '../../infra/failed-report.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_SCHEDULE } from '../../src/domain/config.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../src/domain/lifecycle/catalog.js';
import { DEFAULT_SETTINGS } from '../../src/domain/model.js';
import { parseNotifyInput, reportWhenTheReportFailed } from '../../src/domain/report.js';

/** The per-target states as synthesized (no stack synthesis: the graph of the workflow alone). */
function targetStates(): Record<string, Record<string, unknown>> {
  const stack = new Stack();
  const functions = Object.fromEntries(
    LAMBDA_STEPS.map((step) => [
      step,
      lambda.Function.fromFunctionArn(stack, step, `arn:aws:lambda:::function:${step}`),
    ]),
  ) as Record<LambdaStep, lambda.IFunction>;
  const timeouts = Object.fromEntries(LAMBDA_STEPS.map((s) => [s, Duration.seconds(30)])) as Record<
    LambdaStep,
    Duration
  >;
  const config = {
    targets: [],
    settings: DEFAULT_SETTINGS,
    schedule: DEFAULT_SCHEDULE,
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
  };
  const start = buildTargetWorkflow(stack, { config, functions, timeouts });
  const graph = new sfn.StateGraph(sfn.Chain.start(start).startState, 'test');
  return (graph.toGraphJson() as { States: Record<string, Record<string, unknown>> }).States;
}

/** Runs one Pass state alone, locally, on `input`. */
async function runPass(state: Record<string, unknown>, input: unknown): Promise<unknown> {
  // Through JSON, as the state machine is deployed: CDK's graph leaves undefined fields that ASL refuses.
  const { Next: _next, ...only } = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
  const definition = { StartAt: 'only', States: { only: { ...only, End: true } } };
  return new StateMachine(definition as unknown as StateMachineDefinition).run(input as never).result;
}

describe('State: report failed', () => {
  it("is derived from the domain's failed report, field by field", () => {
    // Act
    const state = targetStates()[STATE_NAMES.reportFailed];

    // Assess
    expect(state).toMatchObject({ Type: 'Pass', Parameters: failedReportParameters() });
    const fields = Object.keys(failedReportParameters()).map((key) => key.replace(/\.\$$/, ''));
    const report = reportWhenTheReportFailed({
      rotationId: 'r',
      targetName: 't',
      mode: 'rotate',
      warnings: [],
      errorName: 'E',
    });
    expect(fields.sort()).toEqual(Object.keys(report).sort());
  });

  it('yields, run on a failed report, exactly the report the domain builds, which notify accepts', async () => {
    // Prepare
    const state = targetStates()[STATE_NAMES.reportFailed] as Record<string, unknown>;
    const document = {
      parentExecutionId: 'arn:aws:states:eu-west-1:123456789012:execution:parent:run-1',
      state: {
        rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6',
        targetName: 'payments-prod',
        mode: 'emergency',
        startedAt: '2026-11-29T03:00:00.000Z',
        completed: ['plan'],
        warnings: ["a warning with 'quotes' and {braces}"],
      },
      caught: { Error: 'Lambda.Unknown', Cause: '{"errorMessage":"boom"}' },
    };

    // Act
    const output = await runPass(state, document);

    // Assess
    const expected = reportWhenTheReportFailed({
      rotationId: document.state.rotationId,
      targetName: document.state.targetName,
      mode: 'emergency',
      warnings: document.state.warnings,
      errorName: 'Lambda.Unknown',
    });
    expect(output).toEqual(expected);
    const summary = parseNotifyInput(
      { executionId: 'run-1', mode: 'emergency', startedAt: document.state.startedAt, reports: [output] },
      new Date('2026-11-29T03:05:00.000Z'),
    );
    expect(summary.targets[0]?.outcome).toBe('failed');
  });

  it('writes text around an input as States.Format, escaping its special characters', () => {
    // Act
    const parameters = failedReportParameters();

    // Assess
    expect(parameters['summary.$']).toBe(
      "States.Format('The report step failed ({}); what the run did is in the execution history.', $.caught.Error)",
    );
    expect(parameters['reasonCode.$']).toBe('$.caught.Error');
    expect(parameters.outcome).toBe('failed');
  });
});
