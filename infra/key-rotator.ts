// Over 300 lines: the construct wires every resource of the stack (functions, roles, logs, state machine,
// schedule, alarms); what has logic of its own is in its module (permissions, definition, monitoring, run-data).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { BUNDLE_OPTIONS } from './bundle-options.js';
import { GENERIC_HANDLER, writeHandlerEntries } from './handler-entries.js';
import { CONFIG_FILE_NAME } from '../src/adapters/config/config-targets.adapter.js';
import { parseRotationConfig } from '../src/config/parse-rotation-config.js';
import type { RotationConfig } from '../src/domain/config.js';
import { ConfigurationError } from '../src/domain/errors.js';
import { buildDefinition } from './definition.js';
import { checkExecutionTimeBudget, type ExecutionTimeBudget, fleetTimeBudget } from './execution-timeout.js';
import { LeakedKeyRule } from './leak-rule.js';
import { METRICS_NAMESPACE, METRICS_SERVICE_NAME } from './metric-names.js';
import { RotatorMonitoring } from './monitoring.js';
import { FederationOutputs, usesFederation } from './federation.js';
import { memberAccounts, resourceArns, stepStatements } from './permissions.js';
import { acknowledgeWildcards, RUN_DATA, RunData } from './run-data.js';
import { LAMBDA_STEPS, type LambdaStep, STEP_CATALOG } from '../src/domain/lifecycle/catalog.js';
import { stepTimeoutSeconds } from '../src/domain/lifecycle/budgets.js';
import { otherHolders } from '../src/domain/holder-set.js';

const PACKAGE_NAME = 'ado-key-rotator';

/**
 * The package's root: this repository, or node_modules/ado-key-rotator when the construct is used
 * from the npm package (compiled into dist/lib/infra/, so not a fixed number of levels up).
 */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME)
      return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`the ${PACKAGE_NAME} package.json was not found above ${from}; reinstall the package`);
  }
}

/**
 * Each step's Lambda timeout, from its catalog entry's calls (src/domain/lifecycle/budgets.ts), for the
 * most holders a configured target has: every holder beyond the first adds its Azure DevOps calls.
 */
export function stepTimeouts(config: RotationConfig): Readonly<Record<LambdaStep, Duration>> {
  const holders = Math.max(1, ...config.targets.map((target) => 1 + otherHolders(target).length));
  return Object.fromEntries(
    LAMBDA_STEPS.map((step) => [step, Duration.seconds(stepTimeoutSeconds(STEP_CATALOG[step].calls, holders))]),
  ) as Readonly<Record<LambdaStep, Duration>>;
}

/** What a platform team may change beyond the rotation configuration itself. */
export interface AdoKeyRotatorOverrides {
  /**
   * Code of each step's Lambda. Default: its entry, generated from the step catalog
   * (infra/handler-entries.ts), bundled locally with esbuild (no Docker). Tests pass inline stubs so
   * that synthesizing takes no bundling.
   */
  readonly lambdaCode?: (step: LambdaStep) => lambda.Code;
  /**
   * Root holding `src/handlers` and `package-lock.json`, bundled at synth with esbuild. Default: this
   * package; when it has no sources (the npm package), the prebuilt bundles of `dist/handlers` are
   * deployed instead (`npm run build` made them with the same options).
   */
  readonly projectRoot?: string;
  /** Powertools log level of every Lambda. Default: INFO. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * How long the Lambdas' and the state machine's logs are kept. Default: one year (they are the audit trail of every
   * key change).
   */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log groups when the stack is deleted. Default: RETAIN. */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * KMS keys of the SecureString parameters and secrets, to narrow `kms:Decrypt`. Default: any key, via SSM/Secrets
   * Manager only.
   */
  readonly kmsKeyArns?: string[];
  /** Send alarms to this topic instead of a new one. */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The stack is synthesized to be run locally (infra/local-run.ts), never deployed: a configuration
   * with `allowLoopbackHttp` is accepted. Default false: `cdk synth` refuses that flag.
   */
  readonly localRunOnly?: boolean;
  /** Whether the weekly schedule starts executions. Default: true. */
  readonly scheduleEnabled?: boolean;
  /**
   * An execution running longer than this is stopped (and alarmed on). Default: derived from the fleet
   * (infra/execution-timeout.ts: the projected run plus one target at its worst case, plus 25%); a
   * shorter one is refused at synth, since a parent that times out stops its children mid-rotation.
   */
  readonly executionTimeout?: Duration;
  /**
   * An EventBridge rule on AWS Health `AWS_RISK_CREDENTIALS_EXPOSED` that rotates a leaked key at once
   * (infra/leak-rule.ts). Default: true. Health sends IAM events to us-east-1: deploy there, or forward them.
   */
  readonly leakedKeyRotation?: boolean;
}

/** The rotation configuration (as `parseRotationConfig` returns it) plus optional overrides. */
export type AdoKeyRotatorProps = RotationConfig & AdoKeyRotatorOverrides;

const pascal = (step: string) => step.replace(/(^|-)([a-z])/g, (_m, _dash, c: string) => c.toUpperCase());

/**
 * Rotates the AWS access keys behind Azure DevOps AWS service connections on a schedule:
 * one Lambda per step with its own least-privilege role, a Standard state machine that runs
 * them per target with retries and rollback, an EventBridge Scheduler schedule, alarms and a
 * dashboard. Drop it into any stack:
 *
 *   new AdoKeyRotator(this, 'KeyRotator', { ...loadRotationConfigFile('rotation.config.json') });
 */
export class AdoKeyRotator extends Construct {
  readonly config: RotationConfig;
  /** The parsed configuration as written for the bundles (copied next to each handler). */
  readonly configFile: string;
  /** The generated handler entries, written on the first bundled function. */
  private handlerEntries?: Record<LambdaStep, string>;
  readonly functions: Readonly<Record<LambdaStep, lambda.Function>>;
  readonly stateMachine: sfn.StateMachine;
  /** The bucket the Distributed Map reads the targets from and writes every child's result to. */
  readonly runData: RunData;
  readonly schedule: scheduler.Schedule;
  readonly monitoring: RotatorMonitoring;
  /** The AWS Health leaked-key rule, unless `leakedKeyRotation` is false. */
  readonly leakedKeyRule: LeakedKeyRule | undefined;
  /** The fleet's projected run time and the execution timeout derived from it. */
  readonly timeBudget: ExecutionTimeBudget;

  constructor(scope: Construct, id: string, props: AdoKeyRotatorProps) {
    super(scope, id);
    // The Distributed Map's ResultWriter renders from ResultWriterV2 only under this flag; set here,
    // before any child exists, so the construct works in an app that does not set it.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    // The same validation as the CLI and the Lambdas: a bad configuration fails synth, naming the field.
    this.config = parseRotationConfig({
      targets: props.targets,
      settings: props.settings,
      schedule: props.schedule,
      maxConcurrency: props.maxConcurrency,
      ...(props.slackWebhookParameter !== undefined ? { slackWebhookParameter: props.slackWebhookParameter } : {}),
      ...(props.alarmEmail !== undefined ? { alarmEmail: props.alarmEmail } : {}),
      ...(props.azureDevOpsServerHosts !== undefined ? { azureDevOpsServerHosts: props.azureDevOpsServerHosts } : {}),
      ...(props.slackWebhookHosts !== undefined ? { slackWebhookHosts: props.slackWebhookHosts } : {}),
      ...(props.allowLoopbackHttp !== undefined ? { allowLoopbackHttp: props.allowLoopbackHttp } : {}),
      // The parser enforces prefixes, the default ones when the configuration names none (src/config/reach.ts,
      // effectivePrefixes): the policies can never name an arbitrary secret or SecureString, and the CLI accepts
      // exactly what synth accepts.
      ...(props.resourcePrefixes !== undefined ? { resourcePrefixes: props.resourcePrefixes } : {}),
    });
    if (this.config.allowLoopbackHttp && props.localRunOnly !== true) {
      // Deployed code never sends a credential over plain http: the flag is for local runs only.
      throw new ConfigurationError(
        'Invalid rotation configuration: allowLoopbackHttp is for local runs against stand-ins only; remove it ' +
          'before cdk synth or deploy',
        { context: { field: 'allowLoopbackHttp' } },
      );
    }
    // Before anything is built: a fleet that cannot fit in one execution is refused with the reason.
    const TIMEOUTS = stepTimeouts(this.config);
    this.timeBudget = fleetTimeBudget(this.config, { timeouts: TIMEOUTS });
    checkExecutionTimeBudget(this.timeBudget, props.executionTimeout?.toSeconds());
    // The configuration ships inside each function's code as rotation.config.json, not in its
    // environment: Lambda environments hold 4 KB in all, about a dozen targets.
    const configJson = JSON.stringify(this.config);
    this.configFile = path.join(mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-config-')), CONFIG_FILE_NAME);
    writeFileSync(this.configFile, configJson);

    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const removalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;
    const environment = {
      POWERTOOLS_SERVICE_NAME: METRICS_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      LOG_LEVEL: props.logLevel ?? 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };

    const functions = {} as Record<LambdaStep, lambda.Function>;
    const federatedRoles: Record<string, iam.IRole> = {};
    for (const step of LAMBDA_STEPS) {
      const name = pascal(step);
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention, removalPolicy });
      // One role per function, with only what its step needs (infra/permissions.ts), its own log group and X-Ray.
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `ado-key-rotator step "${step}": least privilege for this step only`,
      });
      logGroup.grantWrite(role);
      const statements = stepStatements(this, step, this.config, { kmsKeyArns: props.kmsKeyArns });
      for (const statement of statements) role.addToPrincipalPolicy(statement);

      const common: lambda.FunctionOptions = {
        description: `ado-key-rotator: ${step} step`,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: TIMEOUTS[step],
        tracing: lambda.Tracing.ACTIVE,
        role,
        logGroup,
        // ROTATOR_STEP: the role a target in another account is reached through is this step's own (`{step}`).
        environment: { ...environment, ROTATOR_STEP: step },
      };
      const root = props.projectRoot ?? packageRoot();
      const fromSources = existsSync(path.join(root, GENERIC_HANDLER));
      const code = props.lambdaCode?.(step) ?? (fromSources ? undefined : this.prebuiltCode(step, root));
      functions[step] = code
        ? new lambda.Function(this, `${name}Function`, {
            ...common,
            runtime: lambda.Runtime.NODEJS_22_X,
            code,
            handler: 'index.handler',
          })
        : this.bundledFunction(`${name}Function`, step, common, root);

      // X-Ray has no resource-level permissions: PutTraceSegments and PutTelemetryRecords need "*".
      const federated = STEP_CATALOG[step].access.adoCredential && usesFederation(this.config);
      if (federated) federatedRoles[step] = role;
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: federated
          ? 'Resource "*" only for the X-Ray actions (no resource-level permissions) and ' +
            'sts:GetWebIdentityToken (no resource type), the latter pinned by conditions to the Entra ' +
            'token-exchange audience, RS256 and at most 300 s.'
          : 'Only the X-Ray actions (xray:PutTraceSegments, xray:PutTelemetryRecords) have Resource "*": X-Ray ' +
            'supports no resource-level permissions.',
      });
      if (!props.kmsKeyArns?.length && statements.some((st) => st.actions.some((a) => a.startsWith('kms:')))) {
        Validations.of(role).acknowledge({
          // The finding names the ARN as cdk-nag flattens it: with the account and region as tokens or, under `cdk
          // synth` with credentials, literally.
          id:
            `AwsSolutions-IAM5[Resource::` +
            `${flattenCfnReference(Stack.of(this).resolve(resourceArns(this, this.config).anyKmsKey))}]`,
          reason:
            "kms:Decrypt/GenerateDataKey on the account's keys only through SSM or Secrets Manager " +
            '(kms:ViaService condition), for parameters and secrets under customer-managed keys whose ids the ' +
            'configuration does not name; set kmsKeyArns to narrow it.',
        });
      }
      Validations.of(functions[step]).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime the project is built and tested on (package.json engines); moving to a ' +
          'newer one is a deliberate upgrade.',
      });
    }
    this.functions = functions;
    // What a member account's roles must trust (AdoKeyRotatorMemberRoles' trustedStepRoleArns), when targets live
    // in other accounts.
    if (memberAccounts(this.config).length > 0) {
      new CfnOutput(this, 'StepRoleArns', {
        description: 'The step roles, by step: give them to AdoKeyRotatorMemberRoles (trustedStepRoleArns)',
        value: Stack.of(this).toJsonString(
          Object.fromEntries(LAMBDA_STEPS.map((step) => [step, functions[step].role?.roleArn])),
        ),
      });
    }
    if (Object.keys(federatedRoles).length > 0)
      new FederationOutputs(this, 'Federation', { roles: federatedRoles, config: this.config });

    this.runData = new RunData(this, 'RunData', { config: this.config });
    // notify reads the children's results (the per-target reports) that the Distributed Map wrote.
    functions.notify.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.runData.bucket.arnForObjects(`${RUN_DATA.resultsPrefix}/*`)],
      }),
    );
    Validations.of(functions.notify.role as iam.Role).acknowledge({
      id:
        `AwsSolutions-IAM5[Resource::<` +
        `${Stack.of(this).getLogicalId(this.runData.bucket.node.defaultChild as CfnElement)}.Arn>/` +
        `${RUN_DATA.resultsPrefix}/*]`,
      reason:
        "notify reads the result files of this run's map run, whose keys Step Functions names at run time, " +
        'under the results/ prefix of the run-data bucket only.',
    });

    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention, removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment:
        'Rotates the AWS access keys behind Azure DevOps AWS service connections: plan, clean up, create, ' +
        'verify, publish, verify, promote, revoke; rolls back on failure.',
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildDefinition(this, { config: this.config, functions, timeouts: TIMEOUTS, runData: this.runData.bucket }),
      ),
      timeout: props.executionTimeout ?? Duration.seconds(this.timeBudget.timeoutSeconds),
      tracingEnabled: true,
      // Errors only, and without execution data: step inputs hold key ids and rotation state, never secrets, but logs
      // need not either.
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    });
    this.acknowledgeStateMachineFindings();

    const scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup');
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Starts the ADO key rotation for every configured target',
      schedule: scheduler.ScheduleExpression.expression(
        this.config.schedule.expression,
        TimeZone.of(this.config.schedule.timeZone),
      ),
      scheduleGroup,
      enabled: props.scheduleEnabled ?? true,
      // No `targets`: the state machine rotates every configured target.
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ mode: 'rotate' }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });

    this.leakedKeyRule =
      props.leakedKeyRotation === false
        ? undefined
        : new LeakedKeyRule(this, 'LeakedKeyRule', { stateMachine: this.stateMachine });

    this.monitoring = new RotatorMonitoring(this, 'Monitoring', {
      config: this.config,
      stateMachine: this.stateMachine,
      functions,
      scheduleGroup,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
  }

  /** The npm package's prebuilt bundle of `step`, deployed as index.mjs next to the configuration file. */
  private prebuiltCode(step: LambdaStep, root: string): lambda.Code {
    const bundle = path.join(root, 'dist', 'handlers', `${step}.mjs`);
    if (!existsSync(bundle)) {
      throw new Error(
        `${PACKAGE_NAME}: neither ${GENERIC_HANDLER} nor dist/handlers/${step}.mjs is under ${root}; run ` +
          `\`npm run build\` there, or reinstall the package`,
      );
    }
    const dir = path.join(path.dirname(this.configFile), step);
    mkdirSync(dir, { recursive: true });
    copyFileSync(bundle, path.join(dir, 'index.mjs'));
    copyFileSync(this.configFile, path.join(dir, CONFIG_FILE_NAME));
    return lambda.Code.fromAsset(dir);
  }

  /** The entry of `step`'s bundle, generated (once per construct) from the step catalog: infra/handler-entries.ts. */
  private handlerEntry(step: LambdaStep, root: string): string {
    this.handlerEntries ??= writeHandlerEntries(root);
    return this.handlerEntries[step];
  }

  private bundledFunction(id: string, step: LambdaStep, common: lambda.FunctionOptions, root: string): lambda.Function {
    return new nodejs.NodejsFunction(this, id, {
      ...common,
      runtime: lambda.Runtime.NODEJS_22_X,
      // Generated from the step catalog: the generic handler and the wiring slices of this step's ports.
      entry: this.handlerEntry(step, root),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      // The same esbuild options as scripts/bundle.ts (npm run build), plus source maps for stack traces.
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: BUNDLE_OPTIONS.target,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner.js,
        minify: true,
        // Error class names are what the state machine's Retry and Catch match: minifying them away breaks rollback.
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
        // The AWS SDK is bundled: the versions tested are the versions deployed.
        externalModules: [],
        // Lambda gives the function its role's credentials in the environment: the SDK's full provider
        // chain is swapped for src/adapters/aws/lambda-credentials.ts, as scripts/bundle.ts does.
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_OPTIONS.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        // Bundle with the esbuild in node_modules: synth works offline and without Docker.
        forceDockerBundling: false,
        // The parsed configuration goes next to index.mjs (LAMBDA_TASK_ROOT), read once at cold start.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp "${this.configFile}" "${path.join(outputDir, CONFIG_FILE_NAME)}"`,
          ],
        },
      },
    });
  }

  /** Findings on the state machine's role that CDK's own grants cause, each with the reason it is acceptable. */
  private acknowledgeStateMachineFindings(): void {
    const role = this.stateMachine.role;
    const stack = Stack.of(this);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments...) ' +
        'support no resource-level permissions; Step Functions requires Resource "*" for them.',
    });
    for (const fn of Object.values(this.functions)) {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on this one function and its versions/aliases (the ":*" suffix), as CDK ' +
          'grants for a LambdaInvoke task.',
      });
    }
    // CDK's own grants for the Distributed Map (describe/stop its child executions) and its S3 reader and writer.
    const mapPolicy = this.stateMachine.node.tryFindChild('DistributedMapPolicy') as iam.Policy | undefined;
    if (mapPolicy) {
      acknowledgeWildcards(
        mapPolicy,
        mapPolicy.document,
        'The Distributed Map describes and stops its own child executions, whose names Step Functions assigns ' +
          "at run time: CDK scopes the grant to this state machine's executions.",
      );
    }
    const rolePolicy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    if (rolePolicy) {
      acknowledgeWildcards(
        role,
        rolePolicy.document,
        'Objects of the run-data bucket only: the target lists the Distributed Map reads (targets/, runs/) and ' +
          'the results it writes (results/), whose keys Step Functions names at run time.',
      );
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Logs ERROR events without execution data on purpose: the full history is in the Step Functions ' +
        'console, and ALL would copy every rotation state into CloudWatch Logs.',
    });
  }
}
