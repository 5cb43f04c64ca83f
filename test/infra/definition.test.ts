import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { buildTargetWorkflow } from '../../infra/definition.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_SCHEDULE } from '../../src/domain/config.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../src/domain/lifecycle/catalog.js';
import type { Lifecycle } from '../../src/domain/lifecycle/lifecycle.js';
import { DEFAULT_SETTINGS } from '../../src/domain/model.js';

type State = {
  Type: string;
  Next?: string;
  Default?: string;
  Seconds?: number;
  Choices?: Array<{ Next: string }>;
  Catch?: Array<{ Next: string }>;
};

/** The per-target states a lifecycle compiles to, without synthesizing a stack. */
function compile(lifecycle: Lifecycle): Record<string, State> {
  const stack = new Stack();
  const functions = Object.fromEntries(
    LAMBDA_STEPS.map((step) => [
      step,
      lambda.Function.fromFunctionArn(stack, step, `arn:aws:lambda:eu-west-1:123456789012:function:${step}`),
    ]),
  ) as Record<LambdaStep, lambda.IFunction>;
  const timeouts = Object.fromEntries(LAMBDA_STEPS.map((step) => [step, Duration.seconds(30)])) as Record<
    LambdaStep,
    Duration
  >;
  const config = {
    targets: [],
    settings: DEFAULT_SETTINGS,
    schedule: DEFAULT_SCHEDULE,
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
  };
  const start = buildTargetWorkflow(stack, { config, functions, timeouts, lifecycle });
  const graph = new sfn.StateGraph(sfn.Chain.start(start).startState, 'test');
  return (graph.toGraphJson() as { States: Record<string, State> }).States;
}

describe('Function: buildTargetWorkflow', () => {
  it('compiles a wait-and-poll loop to a Choice, a Wait and a transition back to the step', () => {
    // Prepare
    const polling: Lifecycle = {
      start: 'plan',
      end: 'report',
      rollback: 'rollback',
      nodes: {
        plan: { kind: 'step', step: 'plan', next: 'still running?' },
        'still running?': {
          kind: 'choice',
          rules: [{ when: { kind: 'plan-action-is', values: ['repair'] }, next: 'wait a bit' }],
          otherwise: 'report',
        },
        'wait a bit': { kind: 'wait', seconds: 30, next: 'plan' },
      },
    };

    // Act
    const states = compile(polling);

    // Assess
    expect(states.plan).toMatchObject({ Type: 'Task', Next: 'still running?', Catch: [{ Next: 'plan failed' }] });
    expect(states['still running?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Next: 'wait a bit' }],
      Default: 'report',
    });
    expect(states['wait a bit']).toMatchObject({ Type: 'Wait', Seconds: 30, Next: 'plan' });
    expect(states['plan failed']).toMatchObject({ Type: 'Pass', Next: 'report' });
  });

  it('refuses a lifecycle node whose step may only be the end or the rollback', () => {
    // Prepare
    const wrong: Lifecycle = {
      start: 'rollback',
      end: 'report',
      rollback: 'rollback',
      nodes: { rollback: { kind: 'step', step: 'rollback', next: 'report' } },
    };

    // Act
    const compiling = () => compile(wrong);

    // Assess
    expect(compiling).toThrow(
      'step rollback has the failure policy "rollback-incomplete", which only the lifecycle\'s end or rollback ' +
        'may have',
    );
  });
});
