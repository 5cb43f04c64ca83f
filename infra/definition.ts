import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { RotationConfig } from '../src/domain/config.js';
import { ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../src/domain/errors.js';
import { ROTATION_MODES } from '../src/domain/model.js';
import type { StepName } from '../src/domain/rotation-state.js';
import { DEFAULT_RETRY_POLICY, type BackoffPolicy } from '../src/domain/runner.js';
import { RUN_DATA } from './run-data.js';
import { CAUGHT_INTO_ROLLBACK, type LambdaStep } from './steps.js';

/**
 * The state machine, state by state. It applies the rules of `RotationRunner.runTarget`
 * (src/domain/runner.ts) in Step Functions: the same order, the same retries, the same rollback.
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
  decide: 'rotate or repair?',
  repairOnly: 'repair only?',
  failed: (step: StepName) => `${step} failed`,
  addRevokeWarning: 'add revoke warning',
  keepWarning: 'keep warning',
  newWarning: 'new warning',
  isExistingWarning: 'existing warning?',
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
 * `BackoffPolicy.maxAttempts` counts every attempt; ASL's `MaxAttempts` counts retries.
 * For the key-propagation policy: 1 + 1.1 + 1.21 + ... (17 waits, 40 s) + 3 × 5 s ≈ 55 s in all.
 */
function retryProps(errors: string[], policy: BackoffPolicy, jitter: boolean): sfn.RetryProps {
  return {
    errors,
    interval: Duration.millis(policy.initialDelayMs),
    backoffRate: policy.backoffRate,
    maxAttempts: policy.maxAttempts - 1,
    maxDelay: Duration.millis(policy.maxDelayMs),
    ...(jitter ? { jitterStrategy: sfn.JitterType.FULL } : {}),
  };
}

export const TRANSIENT_RETRY = retryProps([...TRANSIENT_ERROR_NAMES], DEFAULT_RETRY_POLICY.transient, true);
export const KEY_PROPAGATION_RETRY = retryProps([ERROR_NAMES.KeyNotYetUsable], DEFAULT_RETRY_POLICY.keyPropagation, false);
export const LAMBDA_SERVICE_RETRY: sfn.RetryProps = {
  errors: LAMBDA_SERVICE_ERRORS,
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 3,
  jitterStrategy: sfn.JitterType.FULL,
};

export interface DefinitionProps {
  config: RotationConfig;
  functions: Readonly<Record<LambdaStep, lambda.IFunction>>;
  /** Per-step timeout of the function; each task waits a little longer before giving up itself. */
  timeouts: Readonly<Record<LambdaStep, Duration>>;
  /** Where the target list is read from and the children's results are written (infra/run-data.ts). */
  runData: s3.IBucket;
}

/**
 * "Field missing", written as Not(IsPresent) rather than IsPresent: false. Both mean the same in
 * Step Functions; aws-local-stepfunctions 3.0 never matches the latter, and the local run must
 * take the same branches as the real one.
 */
const absent = (path: string) => sfn.Condition.not(sfn.Condition.isPresent(path));

/** Builds the chain of states. */
export function buildDefinition(scope: Construct, props: DefinitionProps): sfn.IChainable {
  const { config, functions, timeouts, runData } = props;

  /** `resultPath` undefined: the result replaces the document (the report ends the iteration). */
  const invoke = (step: LambdaStep, input: { payload: sfn.TaskInput } | { inputPath: string }, resultPath: string | undefined) => {
    const task = new tasks.LambdaInvoke(scope, `Task ${step}`, {
      stateName: step,
      lambdaFunction: functions[step],
      ...input,
      // The function's return value, not the SDK's { Payload, StatusCode, ... } envelope.
      payloadResponseOnly: true,
      ...(resultPath ? { resultPath } : {}),
      // Our own Lambda retry below replaces CDK's default one (which also misses TooManyRequests).
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(timeouts[step].plus(Duration.seconds(10))),
    });
    task.addRetry(TRANSIENT_RETRY);
    task.addRetry(LAMBDA_SERVICE_RETRY);
    return task;
  };
  /** A step task over the per-target state. */
  const stepTask = (step: StepName) => invoke(step, { inputPath: '$.state' }, '$.state');

  /** Records `failure` as `parseRotationState` reads it (it unwraps the Lambda's `Cause` JSON). */
  const recordFailure = (step: StepName) =>
    new sfn.Pass(scope, `Pass ${step} failed`, {
      stateName: STATE_NAMES.failed(step),
      parameters: { step, 'name.$': '$.caught.Error', 'cause.$': '$.caught.Cause' },
      resultPath: '$.state.failure',
    });
  const catchInto = (task: tasks.LambdaInvoke, next: sfn.IChainable) => task.addCatch(next, { errors: [sfn.Errors.ALL], resultPath: '$.caught' });

  // ---------------------------------------------------------------- per target

  const report = invoke('report', { inputPath: '$.state' }, undefined);
  // The Map must never fail because of one target: if even the report fails, a minimal report says so.
  const reportFailed = new sfn.Pass(scope, 'Pass report failed', {
    stateName: STATE_NAMES.reportFailed,
    parameters: {
      'rotationId.$': '$.state.rotationId',
      'targetName.$': '$.state.targetName',
      connectionName: '',
      project: '',
      organizationUrl: '',
      connectionId: null,
      'mode.$': '$.state.mode',
      outcome: 'failed',
      'summary.$': "States.Format('The report step failed ({}); what the run did is in the execution history.', $.caught.Error)",
      newAccessKeyId: null,
      oldAccessKeyId: null,
      oldKeyStatus: null,
      heldKeyAgeDays: null,
      durationMs: 0,
      'warnings.$': '$.state.warnings',
      'reasonCode.$': '$.caught.Error',
      failure: null,
      rolledBack: [],
      stateLeft: 'Unknown: run `ado-key-rotator status` to see which key the connection holds.',
    },
  });
  catchInto(report, reportFailed);

  const rollback = stepTask('rollback');
  // The rollback's own failure is reported as such: outcome `failed`, a human must act.
  const rollbackFailed = new sfn.Pass(scope, 'Pass rollback failed', {
    stateName: STATE_NAMES.failed('rollback'),
    parameters: {
      'actions.$': "States.Array(States.Format('stopped: {} (the cause is in the execution history)', $.caught.Error))",
      consistent: false,
    },
    resultPath: '$.state.rollback',
  });
  catchInto(rollback, rollbackFailed.next(report));
  rollback.next(report);

  const plan = stepTask('plan');
  // A plan that fails changed nothing: report it, no rollback (as the runner does).
  catchInto(plan, recordFailure('plan').next(report));

  const mutating = Object.fromEntries(
    CAUGHT_INTO_ROLLBACK.map((step) => {
      const task = stepTask(step);
      catchInto(task, recordFailure(step).next(rollback));
      return [step, task];
    }),
  ) as Record<(typeof CAUGHT_INTO_ROLLBACK)[number], tasks.LambdaInvoke>;
  // IAM takes seconds to accept a new key: retried for about a minute before the rotation rolls back.
  mutating['verify-key'].addRetry(KEY_PROPAGATION_RETRY);

  // A revoke failure is a warning, not a rollback: the new key is live and the old one stays active until the next run.
  const revoke = stepTask('revoke');
  catchInto(revoke, appendWarning(scope, "States.Format('the old key could not be retired ({}); it is still active, and the next run retires it', $.caught.Error)").next(report));

  const rotate = mutating.create
    .next(mutating['verify-key'])
    .next(mutating.publish)
    .next(mutating['verify-publish'])
    .next(mutating.promote)
    .next(revoke)
    .next(report);

  const repairOnly = new sfn.Choice(scope, 'Choice repair only', { stateName: STATE_NAMES.repairOnly })
    .when(sfn.Condition.stringEquals('$.state.plan.action', 'repair'), report)
    .otherwise(rotate);

  // Rules are tried in order, so a missing plan never reaches a comparison that would fail on it.
  const decide = new sfn.Choice(scope, 'Choice rotate or repair', { stateName: STATE_NAMES.decide })
    .when(absent('$.state.plan.action'), report)
    .when(sfn.Condition.stringEquals('$.state.mode', 'dry-run'), report)
    .when(
      sfn.Condition.or(sfn.Condition.stringEquals('$.state.plan.action', 'rotate'), sfn.Condition.stringEquals('$.state.plan.action', 'repair')),
      mutating.cleanup.next(repairOnly),
    )
    .otherwise(report);

  const perTarget = plan.next(decide);

  // ---------------------------------------------------------------- the run

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
      },
    },
    // V2 renders under a feature flag: the AdoKeyRotator construct sets it on its own scope.
    resultWriterV2: new sfn.ResultWriterV2({ bucket: runData, prefix: RUN_DATA.resultsPrefix }),
    resultPath: '$.results',
  });
  map.itemProcessor(perTarget);

  const notify = invoke('notify', {
    payload: sfn.TaskInput.fromObject({
      executionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
      mode: sfn.JsonPath.stringAt('$.mode'),
      startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      results: sfn.JsonPath.objectAt('$.results.ResultWriterDetails'),
      leak: sfn.JsonPath.stringAt('$.leak'),
    }),
  }, '$.notification');

  // A manual run's names go to S3 first, where the Map reads them, as it reads the deployment's list.
  const givenKey = `States.Format('${RUN_DATA.runsPrefix}/{}/targets.json', $$.Execution.Name)`;
  const writeGiven = new tasks.CallAwsService(scope, 'Write given targets', {
    stateName: STATE_NAMES.writeGivenTargets,
    service: 's3',
    action: 'putObject',
    parameters: { Bucket: runData.bucketName, Key: sfn.JsonPath.stringAt('$.targetsKey'), Body: sfn.JsonPath.listAt('$.targets') },
    iamResources: [runData.arnForObjects(`${RUN_DATA.runsPrefix}/*`)],
    resultPath: sfn.JsonPath.DISCARD,
  });
  writeGiven.addRetry({ errors: [sfn.Errors.TASKS_FAILED], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 3 });

  const modeIsValid = sfn.Condition.or(...ROTATION_MODES.map((m) => sfn.Condition.stringEquals('$.mode', m)));
  const invalidInput = new sfn.Fail(scope, 'Fail invalid input', {
    stateName: STATE_NAMES.invalidInput,
    error: ERROR_NAMES.InvalidStepInput,
    cause:
      `The execution input must be {"mode": ${ROTATION_MODES.map((m) => `"${m}"`).join(' | ')}, "targets"?: [target names]}; without "targets", every configured target; ` +
      'or, for a leaked key, {"mode": "emergency", "leak": {"accessKeyIds": [ids], "detectedAt": ISO time, "eventArn": ARN or null}}',
  });
  const run = map.next(notify);

  return new sfn.Choice(scope, 'Choice check input', { stateName: STATE_NAMES.checkInput })
    // One test per rule: a type test on a missing field would itself fail the execution with States.Runtime.
    .when(absent('$.mode'), invalidInput)
    .when(sfn.Condition.isNotString('$.mode'), invalidInput)
    // A leak (the AWS Health rule's input, infra/leak-rule.ts) covers every target, in emergency mode only.
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.leak'), sfn.Condition.not(sfn.Condition.stringEquals('$.mode', 'emergency'))), invalidInput)
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
    .otherwise(invalidInput);
}

/**
 * Appends one warning to `$.state.warnings`. JSONPath has no "append" intrinsic, so a small
 * Map builds the new list: it iterates over the indexes 0..n (n + 1 items, from
 * `States.ArrayRange`) and yields the existing warning at each index below n, then the new one.
 */
function appendWarning(scope: Construct, warningExpression: string): sfn.Chain {
  const existing = 'States.ArrayLength($.state.warnings)';
  const append = new sfn.Map(scope, 'Map add revoke warning', {
    stateName: STATE_NAMES.addRevokeWarning,
    itemsPath: sfn.JsonPath.stringAt('$.caught.indexes'),
    itemSelector: {
      index: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
      count: sfn.JsonPath.stringAt('$.caught.count'),
      warnings: sfn.JsonPath.listAt('$.state.warnings'),
      warning: sfn.JsonPath.stringAt('$.caught.warning'),
    },
    resultPath: '$.state.warnings',
  });
  const keep = new sfn.Pass(scope, 'Pass keep warning', {
    stateName: STATE_NAMES.keepWarning,
    parameters: { 'value.$': 'States.ArrayGetItem($.warnings, $.index)' },
    outputPath: '$.value',
  });
  const add = new sfn.Pass(scope, 'Pass new warning', { stateName: STATE_NAMES.newWarning, outputPath: '$.warning' });
  append.itemProcessor(
    new sfn.Choice(scope, 'Choice existing warning', { stateName: STATE_NAMES.isExistingWarning })
      .when(sfn.Condition.numberLessThanJsonPath('$.index', '$.count'), keep)
      .otherwise(add),
  );
  // The caught error is replaced by what the Map needs; `$.state` is untouched until the Map writes the list.
  const prepare = new sfn.Pass(scope, 'Pass revoke failed', {
    stateName: STATE_NAMES.failed('revoke'),
    parameters: {
      'warning.$': warningExpression,
      'count.$': existing,
      'indexes.$': `States.ArrayRange(0, ${existing}, 1)`,
    },
    resultPath: '$.caught',
  });
  return sfn.Chain.start(prepare).next(append);
}
