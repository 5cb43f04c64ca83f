// Over 300 lines on purpose: the one ASL builder. The run's input check, the Map and notify, and the per-target
// workflow compiled from the lifecycle share the state names, the Lambda invoker and the catalog's retry rules.
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { RotationConfig } from '../src/domain/config.js';
import { ERROR_NAMES } from '../src/domain/errors.js';
import { type LambdaStep, STEP_CATALOG, type StepName } from '../src/domain/lifecycle/catalog.js';
import { type Condition, type Lifecycle, nodeOf, TARGET_LIFECYCLE } from '../src/domain/lifecycle/lifecycle.js';
import {
  type BackoffPolicy,
  DEFAULT_RETRY_POLICY,
  KEY_PROPAGATION_RETRY as KEY_PROPAGATION_RULE,
  type RetryRule,
  TRANSIENT_RETRY as TRANSIENT_RULE,
} from '../src/domain/lifecycle/retry.js';
import { ROTATION_MODES } from '../src/domain/model.js';
import { failedReportParameters } from './failed-report.js';
import { RUN_DATA } from './run-data.js';

/**
 * The state machine, compiled from the lifecycle description (`TARGET_LIFECYCLE`,
 * src/domain/lifecycle/lifecycle.ts) and the step catalog (each step's retries and failure policy),
 * which the in-process runner (src/domain/runner.ts) walks too: the same order, the same retries,
 * the same rollback.
 *
 * Execution input: `{ "mode": "rotate" | "emergency" | "dry-run", "targets"?: [names] }`
 * (no `targets`: every configured target), or, for a leaked key (infra/leak-rule.ts),
 * `{ "mode": "emergency", "leak": { "accessKeyIds", "detectedAt", "eventArn" } }`.
 * Execution output: `{ mode, targetsKey, leak, results, notification }` (`results`: where the reports are).
 *
 * The parent execution runs a Distributed Map: each target is a child Standard execution of its
 * own (its own 25,000-event history and 256 KiB payloads; exactly-once steps; waits cost nothing),
 * reading the target names from S3 (`targets/all.json`, written by the deployment, or the names a
 * manual run gives, written to `runs/<execution>/targets.json` first) so the parent's state stays
 * small at any fleet size. Each child's report is its output: the Map writes them all to S3
 * (`ResultWriter`), and the notify step reads them from there; they never come back through the
 * parent's state. Every child carries `parentExecutionId`. A child that fails outright (not a
 * rotation failure, which is reported, but the execution itself) is tolerated by the Map (100%)
 * so the run goes on to notify, and is reported from the results' FAILED file: never silence.
 *
 * Inside a child, the document is `{ parentExecutionId, state: RotationState, caught?: ErrorInfo }`:
 * every task gets `$.state` and writes its result back to `$.state`, so a Lambda sees the plain
 * `RotationState` both ways, while a `Catch` can park the error in `$.caught` without adding a
 * field the next step's input validation would reject.
 */

/** Names of the states that are not step tasks (the step tasks are named after their step). */
export const STATE_NAMES = {
  checkInput: 'check input',
  invalidInput: 'invalid input',
  givenTargets: 'given targets',
  writeGivenTargets: 'write given targets',
  leakedKey: 'leaked key: every target',
  allTargets: 'all configured targets',
  map: 'rotate each target',
  failed: (step: StepName) => `${step} failed`,
  reportFailed: 'report failed',
} as const;

/** Lambda service hiccups worth retrying on any task (the invocation itself failed). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/**
 * A catalog retry rule as an ASL `Retry`. `BackoffPolicy.maxAttempts` counts every attempt; ASL's
 * `MaxAttempts` counts retries. For the key-propagation policy: 1 + 1.1 + 1.21 + ... (17 waits, 40 s) + 3 × 5 s ≈ 55 s
 * in all.
 */
export function retryProps(rule: RetryRule): sfn.RetryProps {
  const policy: BackoffPolicy = DEFAULT_RETRY_POLICY[rule.policy];
  return {
    errors: [...rule.errors],
    interval: Duration.millis(policy.initialDelayMs),
    backoffRate: policy.backoffRate,
    maxAttempts: policy.maxAttempts - 1,
    maxDelay: Duration.millis(policy.maxDelayMs),
    ...(rule.jitter ? { jitterStrategy: sfn.JitterType.FULL } : {}),
  };
}

export const TRANSIENT_RETRY = retryProps(TRANSIENT_RULE);
export const KEY_PROPAGATION_RETRY = retryProps(KEY_PROPAGATION_RULE);
export const LAMBDA_SERVICE_RETRY: sfn.RetryProps = {
  errors: LAMBDA_SERVICE_ERRORS,
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 3,
  jitterStrategy: sfn.JitterType.FULL,
};

/** What the per-target workflow (a child execution's states) is compiled from: everything but the run's bucket. */
export type TargetWorkflowProps = Omit<DefinitionProps, 'runData'>;

export interface DefinitionProps {
  config: RotationConfig;
  functions: Readonly<Record<LambdaStep, lambda.IFunction>>;
  /** Per-step timeout of the function; each task waits a little longer before giving up itself. */
  timeouts: Readonly<Record<LambdaStep, Duration>>;
  /** Where the target list is read from and the children's results are written (infra/run-data.ts). */
  runData: s3.IBucket;
  /** The per-target lifecycle to compile. Default: the rotator's (tests pass others). */
  lifecycle?: Lifecycle;
}

/**
 * "Field missing", written as Not(IsPresent) rather than IsPresent: false. Both mean the same in
 * Step Functions; aws-local-stepfunctions 3.0 never matches the latter, and the local run must
 * take the same branches as the real one.
 */
const absent = (path: string) => sfn.Condition.not(sfn.Condition.isPresent(path));

const anyOf = (path: string, values: readonly string[]): sfn.Condition => {
  const [only, ...more] = values.map((v) => sfn.Condition.stringEquals(path, v));
  if (!only) throw new Error(`a lifecycle condition on ${path} lists no value`);
  return more.length === 0 ? only : sfn.Condition.or(only, ...more);
};

/**
 * A lifecycle condition as a Choice rule. A comparison on a missing field fails the execution
 * (States.Runtime) where the runner would read it as false: test `absent` first, as TARGET_LIFECYCLE does.
 */
function choiceCondition(condition: Condition): sfn.Condition {
  switch (condition.kind) {
    case 'absent':
      return absent(`$.state.${condition.field}`);
    case 'present':
      return sfn.Condition.isPresent(`$.state.${condition.field}`);
    case 'canary-completed':
      // Only reached after check-canary, which always writes canary.state.
      return sfn.Condition.stringEquals('$.state.canary.state', 'completed');
    case 'mode-is':
      return anyOf('$.state.mode', condition.values);
    case 'plan-action-is':
      return anyOf('$.state.plan.action', condition.values);
  }
}

/** A Lambda task with the step's catalog retries (and Lambda's own hiccups). */
function invoker(scope: Construct, props: TargetWorkflowProps) {
  /** `resultPath` undefined: the result replaces the document (the report ends the iteration). */
  return (
    step: LambdaStep,
    input: { payload: sfn.TaskInput } | { inputPath: string },
    resultPath: string | undefined,
  ) => {
    const task = new tasks.LambdaInvoke(scope, `Task ${step}`, {
      stateName: step,
      lambdaFunction: props.functions[step],
      ...input,
      // The function's return value, not the SDK's { Payload, StatusCode, ... } envelope.
      payloadResponseOnly: true,
      ...(resultPath ? { resultPath } : {}),
      // Our own Lambda retry below replaces CDK's default one (which also misses TooManyRequests).
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(props.timeouts[step].plus(Duration.seconds(10))),
    });
    for (const rule of STEP_CATALOG[step].retry) task.addRetry(retryProps(rule));
    task.addRetry(LAMBDA_SERVICE_RETRY);
    return task;
  };
}

/** The per-target workflow: the lifecycle's nodes as states, every path ending in the report. */
export function buildTargetWorkflow(scope: Construct, props: TargetWorkflowProps): sfn.IChainable {
  const lifecycle = props.lifecycle ?? TARGET_LIFECYCLE;
  const invoke = invoker(scope, props);
  /** A step task over the per-target state. */
  const stepTask = (step: StepName) => invoke(step, { inputPath: '$.state' }, '$.state');
  /** Records the caught error as `parseRotationState` reads a failure (it unwraps the Lambda's `Cause` JSON). */
  const recordFailure = (step: StepName, field: 'failure' | 'toleratedFailure') =>
    new sfn.Pass(scope, `Pass ${step} failed`, {
      stateName: STATE_NAMES.failed(step),
      parameters: { step, 'name.$': '$.caught.Error', 'cause.$': '$.caught.Cause' },
      resultPath: `$.state.${field}`,
    });
  const catchInto = (task: tasks.LambdaInvoke, next: sfn.IChainable) =>
    task.addCatch(next, { errors: [sfn.Errors.ALL], resultPath: '$.caught' });

  for (const node of Object.values(lifecycle.nodes)) {
    const policy = node.kind === 'step' ? STEP_CATALOG[node.step].onFailure.kind : 'report';
    if (!['report', 'rollback', 'warn'].includes(policy)) {
      throw new Error(
        `step ${(node as { step: string }).step} has the failure policy "${policy}", which only the ` +
          `lifecycle's end or rollback may have`,
      );
    }
  }
  const report = invoke(lifecycle.end, { inputPath: '$.state' }, undefined);
  // The Map must never fail because of one target: if even the report fails, a minimal report says so.
  catchInto(report, reportWhenTheReportFailedState(scope));

  const rollback = stepTask(lifecycle.rollback);
  // The rollback's own failure is reported as such: outcome `failed`, a human must act.
  const rollbackFailed = new sfn.Pass(scope, 'Pass rollback failed', {
    stateName: STATE_NAMES.failed(lifecycle.rollback),
    parameters: {
      'actions.$': "States.Array(States.Format('stopped: {} (the cause is in the execution history)', $.caught.Error))",
      consistent: false,
    },
    resultPath: '$.state.rollback',
  });
  catchInto(rollback, rollbackFailed.next(report));
  rollback.next(report);

  // Every node first, then the edges: a lifecycle may loop (a wait-and-poll step).
  const states = new Map<string, sfn.State>();
  for (const [name, node] of Object.entries(lifecycle.nodes)) {
    if (node.kind === 'step') states.set(name, stepTask(node.step));
    else if (node.kind === 'choice') states.set(name, new sfn.Choice(scope, `Choice ${name}`, { stateName: name }));
    else
      states.set(
        name,
        new sfn.Wait(scope, `Wait ${name}`, {
          stateName: name,
          time: sfn.WaitTime.duration(Duration.seconds(node.seconds)),
        }),
      );
  }
  const stateOf = (name: string): sfn.State =>
    name === lifecycle.end ? report : (states.get(name) ?? (nodeOf(lifecycle, name) as never));

  for (const [name, node] of Object.entries(lifecycle.nodes)) {
    const state = states.get(name);
    if (node.kind === 'choice') {
      const choice = state as sfn.Choice;
      for (const rule of node.rules) choice.when(choiceCondition(rule.when), stateOf(rule.next));
      choice.otherwise(stateOf(node.otherwise));
    } else if (node.kind === 'wait') {
      (state as sfn.Wait).next(stateOf(node.next));
    } else {
      const task = state as tasks.LambdaInvoke;
      task.next(stateOf(node.next));
      const policy = STEP_CATALOG[node.step].onFailure;
      // What a failure leads to, by the step's catalog policy (the runner does the same).
      if (policy.kind === 'report') catchInto(task, recordFailure(node.step, 'failure').next(report));
      else if (policy.kind === 'rollback') catchInto(task, recordFailure(node.step, 'failure').next(rollback));
      else if (policy.kind === 'warn')
        catchInto(task, recordFailure(node.step, 'toleratedFailure').next(stateOf(node.next)));
    }
  }
  return stateOf(lifecycle.start);
}

/** What the Map yields for a target whose report step failed: the domain's failed report, from what the state holds. */
function reportWhenTheReportFailedState(scope: Construct): sfn.Pass {
  return new sfn.Pass(scope, 'Pass report failed', {
    stateName: STATE_NAMES.reportFailed,
    parameters: failedReportParameters(),
  });
}

/** Builds the chain of states: check the input, the Map over targets (each the per-target workflow), notify. */
export function buildDefinition(scope: Construct, props: DefinitionProps): sfn.IChainable {
  const { config, runData } = props;
  const invoke = invoker(scope, props);

  const map = new sfn.DistributedMap(scope, 'Map targets', {
    stateName: STATE_NAMES.map,
    // The target names come from S3: at 10,000 targets they would not fit in the state (256 KiB).
    itemReader: new sfn.S3JsonItemReader({ bucket: runData, key: sfn.JsonPath.stringAt('$.targetsKey') }),
    mapExecutionType: sfn.StateMachineType.STANDARD,
    maxConcurrency: config.maxConcurrency,
    // A child that fails outright must not stop the others nor the summary: notify reports it from the FAILED results.
    toleratedFailurePercentage: 100,
    // The per-target state every step takes (exactly the fields parseRotationState knows), and the parent's id.
    itemSelector: {
      parentExecutionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
      state: {
        rotationId: sfn.JsonPath.uuid(),
        targetName: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
        mode: sfn.JsonPath.stringAt('$.mode'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        completed: [],
        warnings: [],
        // {} unless the run is for a leaked key (then the plan rotates only the targets holding it).
        leak: sfn.JsonPath.stringAt('$.leak'),
        // Every step gets it, and its log lines name the run (the child's own input names it too).
        parentExecutionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
      },
    },
    // V2 renders under a feature flag: the AdoKeyRotator construct sets it on its own scope.
    resultWriterV2: new sfn.ResultWriterV2({ bucket: runData, prefix: RUN_DATA.resultsPrefix }),
    resultPath: '$.results',
  });
  map.itemProcessor(buildTargetWorkflow(scope, props));

  const notify = invoke(
    'notify',
    {
      payload: sfn.TaskInput.fromObject({
        executionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
        mode: sfn.JsonPath.stringAt('$.mode'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        results: sfn.JsonPath.objectAt('$.results.ResultWriterDetails'),
        leak: sfn.JsonPath.stringAt('$.leak'),
      }),
    },
    '$.notification',
  );

  // A manual run's names go to S3 first, where the Map reads them, as it reads the deployment's list.
  const givenKey = `States.Format('${RUN_DATA.runsPrefix}/{}/targets.json', $$.Execution.Name)`;
  const writeGiven = new tasks.CallAwsService(scope, 'Write given targets', {
    stateName: STATE_NAMES.writeGivenTargets,
    service: 's3',
    action: 'putObject',
    parameters: {
      Bucket: runData.bucketName,
      Key: sfn.JsonPath.stringAt('$.targetsKey'),
      Body: sfn.JsonPath.listAt('$.targets'),
    },
    iamResources: [runData.arnForObjects(`${RUN_DATA.runsPrefix}/*`)],
    resultPath: sfn.JsonPath.DISCARD,
  });
  writeGiven.addRetry({
    errors: [sfn.Errors.TASKS_FAILED],
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 3,
  });

  const modeIsValid = sfn.Condition.or(...ROTATION_MODES.map((m) => sfn.Condition.stringEquals('$.mode', m)));
  const invalidInput = new sfn.Fail(scope, 'Fail invalid input', {
    stateName: STATE_NAMES.invalidInput,
    error: ERROR_NAMES.InvalidStepInput,
    cause:
      `The execution input must be {"mode": ${ROTATION_MODES.map((m) => `"${m}"`).join(' | ')}, "targets"?: ` +
      `[target names]}; without "targets", every configured target; ` +
      'or, for a leaked key, {"mode": "emergency", "leak": {"accessKeyIds": [ids], "detectedAt": ISO time, ' +
      '"eventArn": ARN or null}}',
  });
  const run = map.next(notify);

  return (
    new sfn.Choice(scope, 'Choice check input', { stateName: STATE_NAMES.checkInput })
      // One test per rule: a type test on a missing field would itself fail the execution with States.Runtime.
      .when(absent('$.mode'), invalidInput)
      .when(sfn.Condition.isNotString('$.mode'), invalidInput)
      // A leak (the AWS Health rule's input, infra/leak-rule.ts) covers every target, in emergency mode only.
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.leak'),
          sfn.Condition.not(sfn.Condition.stringEquals('$.mode', 'emergency')),
        ),
        invalidInput,
      )
      .when(
        sfn.Condition.isPresent('$.leak'),
        new sfn.Pass(scope, 'Pass leaked key', {
          stateName: STATE_NAMES.leakedKey,
          parameters: { mode: 'emergency', targetsKey: RUN_DATA.allTargetsKey, 'leak.$': '$.leak' },
        }).next(run),
      )
      .when(
        sfn.Condition.and(modeIsValid, sfn.Condition.isPresent('$.targets')),
        new sfn.Pass(scope, 'Pass given targets', {
          stateName: STATE_NAMES.givenTargets,
          parameters: { 'mode.$': '$.mode', 'targets.$': '$.targets', 'targetsKey.$': givenKey, leak: {} },
        })
          .next(writeGiven)
          .next(run),
      )
      .when(
        modeIsValid,
        new sfn.Pass(scope, 'Pass all targets', {
          stateName: STATE_NAMES.allTargets,
          parameters: { 'mode.$': '$.mode', targetsKey: RUN_DATA.allTargetsKey, leak: {} },
        }).next(run),
      )
      .otherwise(invalidInput)
  );
}
