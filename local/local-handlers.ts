import type { Context } from 'aws-lambda';
import { LAMBDA_STEPS, type LambdaStep } from '../infra/steps.js';
import { STEPS } from '../src/domain/lifecycle/catalog.js';
import { ROTATION_CONFIG } from '../src/adapters/config/config-targets.adapter.js';
import { configureContainer } from '../src/composition-root.js';
import type { RotationConfig } from '../src/domain/config.js';
import type { RunSummary, TargetReport } from '../src/domain/report.js';
import type { RotationState } from '../src/domain/rotation-state.js';
import { type RotationUseCases, type StepUseCase, useCaseKey } from '../src/domain/runner.js';
import type { NotifyResult } from '../src/domain/use-cases/notify-run.js';
import { TOKENS } from '../src/ports/tokens.js';
import { lambdaHandler } from '../src/handlers/lambda-handler.js';
import { ALL_WIRING, slicesFor } from '../src/wiring/index.js';
import { S3RunResults } from '../src/adapters/aws/s3-run-results.adapter.js';
import { localS3Client } from './fakes/local-s3-client.js';
import type { FakeWorld } from './fakes/world.js';

/** The state machine's task names: the steps and the run-level notify. */
export const TASK_NAMES = LAMBDA_STEPS;
export type TaskName = LambdaStep;
export type LocalHandler = (input: unknown) => Promise<unknown>;

/**
 * Every Lambda handler, by task (state) name: the generic handler with the slices its catalog ports
 * need, as each Lambda's generated entry builds it (infra/handler-entries.ts).
 */
export const LAMBDA_HANDLERS = Object.fromEntries(
  LAMBDA_STEPS.map((step) => [step, lambdaHandler(step, slicesFor(step))]),
) as Record<LambdaStep, ReturnType<typeof lambdaHandler>>;

/** A Lambda context good enough for Powertools and Middy. */
export function fakeLambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `ado-key-rotator-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:ado-key-rotator-${name}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${name}-${Math.random().toString(16).slice(2, 10)}`,
    logGroupName: `/aws/lambda/ado-key-rotator-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The composition root's overrides that put a FakeWorld behind every port. */
export function worldOverrides(
  world: FakeWorld,
  extra: Array<[symbol, unknown]> = [],
  keepReal: symbol[] = [],
): Map<symbol, unknown> {
  const config: RotationConfig = {
    targets: world.targets.targets,
    settings: world.targets.settings,
    schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
    maxConcurrency: 5,
  } as RotationConfig;
  const bindings = new Map<symbol, unknown>([
    [ROTATION_CONFIG, config],
    [TOKENS.Targets, world.targets],
    [TOKENS.IamAccessKeys, world.iam],
    [TOKENS.KeyVerifier, world.verifier],
    [TOKENS.SecretStore, world.secrets],
    [TOKENS.AzureDevOps, world.azureDevOps],
    [TOKENS.VariableGroups, world.variableGroups],
    [TOKENS.PipelineRuns, world.pipelineRuns],
    [TOKENS.Notifier, world.notifier],
    [TOKENS.Metrics, world.metrics],
    [TOKENS.Clock, world.clock],
    [TOKENS.SecureParameters, world.parameters],
    // The real adapter, reading the results the local Distributed Map wrote into the world's bucket.
    [TOKENS.RunResults, new S3RunResults(localS3Client(world.runData))],
    ...extra,
  ]);
  // Ports left to the production binding (e.g. the real Azure DevOps adapter against the local stand-in).
  for (const token of keepReal) bindings.delete(token);
  return bindings;
}

/**
 * The real Lambda handlers (Middy, validation, error boundary) wired to a FakeWorld, keyed by
 * task name, for the state machine run locally. Each invocation first advances the fake clock by
 * `secondsBetweenTasks`, standing in for the time Step Functions takes between tasks and retries
 * (so a new key propagates while `verify-key` is retried with zero-length intervals).
 */
export function localTaskHandlers(
  world: FakeWorld,
  options: { secondsBetweenTasks?: number; overrides?: Array<[symbol, unknown]>; keepReal?: symbol[] } = {},
): Record<TaskName, LocalHandler> {
  configureContainer(ALL_WIRING, worldOverrides(world, options.overrides, options.keepReal));
  const step = (options.secondsBetweenTasks ?? 2) * 1000;
  const entries = TASK_NAMES.map((name) => {
    const invoke: LocalHandler = async (input) => {
      world.clock.advance(step);
      return (LAMBDA_HANDLERS[name] as (event: unknown, context: Context) => Promise<unknown>)(
        structuredClone(input),
        fakeLambdaContext(name),
      );
    };
    return [name, invoke] as const;
  });
  return Object.fromEntries(entries) as Record<TaskName, LocalHandler>;
}

/**
 * The handlers as the runner's use cases: the runner then drives the Lambdas with the state
 * machine's order, retry and catch rules (the fault-injection property and the reliability rig).
 */
export function handlersAsUseCases(call: (task: TaskName, input: unknown) => Promise<unknown>): RotationUseCases {
  const step = (task: TaskName): StepUseCase => ({
    execute: async (state) => (await call(task, state)) as RotationState,
  });
  const steps = Object.fromEntries(STEPS.map((task) => [useCaseKey(task), step(task)]));
  return {
    ...steps,
    report: { execute: async (state: RotationState) => (await call('report', state)) as TargetReport },
    notify: {
      // The notify Lambda takes the Map's reports, as the state machine hands them over.
      execute: async (summary: RunSummary) =>
        (await call('notify', {
          executionId: summary.executionId,
          mode: summary.mode,
          startedAt: summary.startedAt,
          reports: summary.targets,
        })) as NotifyResult,
    },
  } as RotationUseCases;
}
