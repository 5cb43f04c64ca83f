import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { CANARY_POLICY } from '../src/domain/canary.js';
import type { RotationConfig } from '../src/domain/config.js';
import { ConfigurationError } from '../src/domain/errors.js';
import { LAMBDA_STEPS, type LambdaStep } from '../src/domain/lifecycle/catalog.js';
import { buildTargetWorkflow, type TargetWorkflowProps } from './definition.js';
import { type AslRetrier, expectedTargetMs, modelledTaskMs, retryBudgetMs, TIME_MODEL } from './execution-time.js';

/**
 * The execution timeouts, from the time model (infra/execution-time.ts), and the refusal of a fleet
 * that would not fit.
 *
 * A child execution of the Distributed Map has no TimeoutSeconds of its own: ASL's ItemProcessor
 * takes StartAt, States and ProcessorConfig only. What bounds a child is its states: every Task's
 * TimeoutSeconds (the catalog's step timeouts, s16) for each attempt, every retrier's intervals, the
 * Waits, and the canary loop, which check-canary ends once its budget is spent. `childWorstCaseMs`
 * adds these up along the longest path of the child's definition: the child's worst-case budget.
 *
 * The parent's TimeoutSeconds must outlast every child: when the parent times out, Step Functions
 * stops the Map Run's children, and a child stopped between create and revoke leaves a rotation half
 * done. So it is the projected fleet time (the children over `maxConcurrency` slots, each at its
 * expected time) plus one child at its worst case (the last one to start), plus `MARGIN`.
 */
export const MARGIN = 0.25;
/**
 * The longest parent execution the rotator allows: a weekly run that needs more than a day is a
 * fleet to split or to run with more concurrency (Step Functions itself allows a year).
 */
export const MAX_EXECUTION_SECONDS = 24 * 3600;

type AslState = {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Catch?: Array<{ Next: string }>;
  Retry?: AslRetrier[];
  TimeoutSeconds?: number;
  Seconds?: number;
  End?: boolean;
};
export type AslGraph = { StartAt: string; States: Record<string, unknown> };

/** The most one state can take: each attempt at its TimeoutSeconds and every retry spent, or its Wait. */
function stateWorstMs(name: string, state: AslState): number {
  if (state.Type === 'Wait') {
    if (state.Seconds === undefined) throw new Error(`Wait state "${name}" has no Seconds: its time cannot be bounded`);
    return state.Seconds * 1000;
  }
  if (state.Type !== 'Task') return TIME_MODEL.transitionMs;
  if (state.TimeoutSeconds === undefined) {
    throw new ConfigurationError(
      `Task state "${name}" has no TimeoutSeconds: a child execution has no timeout of its own, so every task ` +
        'needs one (set it from the step catalog)',
      { context: { field: name } },
    );
  }
  const retries = state.Retry ?? [];
  const attempts = 1 + retries.reduce((sum, r) => sum + (r.MaxAttempts ?? 3), 0);
  return attempts * state.TimeoutSeconds * 1000 + retries.reduce((sum, r) => sum + retryBudgetMs(r), 0);
}

/**
 * The worst case of one execution of `graph`: the longest path from StartAt, every state at its
 * worst (Catch edges included). A loop (the canary's wait-and-poll) counts once as the canary
 * budget plus one poll, which is how long check-canary lets it run before failing.
 */
export function childWorstCaseMs(graph: AslGraph, loopBudgetMs = (CANARY_POLICY.budgetSeconds + 60) * 1000): number {
  const states = graph.States as Record<string, AslState>;
  const onPath = new Set<string>();
  const longest = (name: string): number => {
    if (onPath.has(name)) return loopBudgetMs;
    const state = states[name];
    if (!state) throw new Error(`the definition names a state "${name}" it does not have`);
    onPath.add(name);
    const next = [state.Next, state.Default, ...(state.Choices ?? []), ...(state.Catch ?? [])]
      .map((edge) => (typeof edge === 'string' ? edge : edge?.Next))
      .filter((edge): edge is string => typeof edge === 'string');
    const rest = next.length === 0 ? 0 : Math.max(...next.map(longest));
    onPath.delete(name);
    return stateWorstMs(name, state) + rest;
  };
  return longest(graph.StartAt);
}

/** The parent's own states around the Map: the input check, the target list, notify. */
export const PARENT_OVERHEAD_MS = 4 * TIME_MODEL.transitionMs + TIME_MODEL.s3CallMs + modelledTaskMs('notify');

export interface ExecutionTimeBudget {
  targets: number;
  maxConcurrency: number;
  /** One child at its expected time (infra/execution-time.ts expectedTargetMs). */
  childExpectedMs: number;
  /** One child at its worst (every attempt at its timeout, every retry spent, the canary budget). */
  childWorstMs: number;
  /** The children over maxConcurrency slots at their expected time, plus the parent's own states. */
  projectedFleetMs: number;
  /** The parent's TimeoutSeconds: (projected fleet + one worst child) × (1 + MARGIN), whole minutes. */
  timeoutSeconds: number;
}

/** The execution time budget of a fleet: its projected time and the parent's timeout. */
export function executionTimeBudget(options: {
  targets: number;
  maxConcurrency: number;
  childExpectedMs: number;
  childWorstMs: number;
}): ExecutionTimeBudget {
  const waves = Math.ceil(options.targets / Math.max(1, options.maxConcurrency));
  const projectedFleetMs = waves * options.childExpectedMs + PARENT_OVERHEAD_MS;
  const required = (projectedFleetMs + options.childWorstMs) * (1 + MARGIN);
  return { ...options, projectedFleetMs, timeoutSeconds: Math.ceil(required / 60_000) * 60 };
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

/**
 * Refuses, at synth time, a fleet whose run cannot fit: a timeout over MAX_EXECUTION_SECONDS, or
 * an execution timeout set by hand below what the fleet needs.
 */
export function checkExecutionTimeBudget(budget: ExecutionTimeBudget, givenTimeoutSeconds?: number): void {
  const perTarget = `${(budget.childExpectedMs / 1000).toFixed(1)} s`;
  const fleet =
    `${budget.targets} targets × ${perTarget} per target / maxConcurrency ${budget.maxConcurrency} = ` +
    `${hours(budget.projectedFleetMs)}, plus one target at its worst case (${hours(budget.childWorstMs)}: every ` +
    `attempt at its task timeout, every retry spent), plus ${MARGIN * 100}% margin: ` +
    hours(budget.timeoutSeconds * 1000);
  if (budget.childWorstMs * (1 + MARGIN) + PARENT_OVERHEAD_MS > MAX_EXECUTION_SECONDS * 1000) {
    throw new ConfigurationError(
      `Invalid rotation configuration: one target's worst case (${hours(budget.childWorstMs)}: every attempt at ` +
        `its task timeout, every retry spent) leaves no room in the ${MAX_EXECUTION_SECONDS / 3600} h the rotator ` +
        'allows one execution; shorten the step timeouts or retries of the step catalog.',
      { context: { field: 'targets' } },
    );
  }
  if (budget.timeoutSeconds > MAX_EXECUTION_SECONDS) {
    const needed = Math.ceil(
      (budget.targets * budget.childExpectedMs) /
        Math.max(1, (MAX_EXECUTION_SECONDS * 1000) / (1 + MARGIN) - budget.childWorstMs - PARENT_OVERHEAD_MS),
    );
    throw new ConfigurationError(
      `Invalid rotation configuration: the fleet would not fit in one run. ${fleet}, over the ` +
        `${MAX_EXECUTION_SECONDS / 3600} h the rotator allows one execution. Raise maxConcurrency to at least ` +
        `${needed} (Azure DevOps rate limits permitting) or split the targets over several deployments.`,
      { context: { field: 'maxConcurrency' } },
    );
  }
  if (givenTimeoutSeconds !== undefined && givenTimeoutSeconds < budget.timeoutSeconds) {
    throw new ConfigurationError(
      `Invalid executionTimeout: ${givenTimeoutSeconds} s is shorter than the fleet needs. ${fleet}. A parent ` +
        'that times out stops its children mid-rotation: remove executionTimeout (it is derived) or raise it to at ' +
        `least ${budget.timeoutSeconds} s.`,
      { context: { field: 'executionTimeout' } },
    );
  }
}

/**
 * The budget of a deployment's fleet, from the child workflow it deploys: compiled once more, in a
 * scratch stack (functions by placeholder ARN: the timing does not depend on them), to read its
 * Tasks' TimeoutSeconds and Retry as they are rendered into the ASL. Cheap: run before anything else.
 */
export function fleetTimeBudget(
  config: RotationConfig,
  props: Pick<TargetWorkflowProps, 'timeouts' | 'lifecycle'>,
): ExecutionTimeBudget {
  const scratch = new Stack();
  const functions = Object.fromEntries(
    LAMBDA_STEPS.map((step) => [
      step,
      lambda.Function.fromFunctionArn(scratch, step, `arn:aws:lambda:us-east-1:123456789012:function:${step}`),
    ]),
  ) as Record<LambdaStep, lambda.IFunction>;
  const start = buildTargetWorkflow(scratch, { ...props, config, functions });
  const child = new sfn.StateGraph(start.startState, 'time budget').toGraphJson() as AslGraph;
  return executionTimeBudget({
    targets: config.targets.length,
    maxConcurrency: config.maxConcurrency,
    childExpectedMs: expectedTargetMs(props.lifecycle),
    childWorstMs: childWorstCaseMs(child),
  });
}
