import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PROPAGATION_RETRY, LAMBDA_SERVICE_ERRORS } from '../../infra/definition.js';
import { AdoKeyRotator } from '../../infra/key-rotator.js';
import { type AslDefinition, allStates, definitionFromTemplate } from '../../local/local-run.js';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../infra/metric-names.js';
import { deployedObjects, RUN_DATA } from '../../infra/run-data.js';
import { AdoKeyRotatorStack } from '../../infra/stack.js';
import { LAMBDA_STEPS } from '../../infra/steps.js';
import { STEP_CATALOG } from '../../src/domain/lifecycle/catalog.js';
import { loadRotationConfigFile } from '../../src/adapters/config/config-targets.adapter.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import type { RotationConfig } from '../../src/domain/config.js';
import { ConfigurationError, TRANSIENT_ERROR_NAMES } from '../../src/domain/errors.js';
import { parseRotationState } from '../../src/domain/rotation-state.js';

/** The step functions' Lambdas (not the BucketDeployment handler CDK adds to write the target list). */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, checked by each test's expectations.
type CfnResource = { Properties: Record<string, any> };
function stepFunctions(template: Template): Record<string, CfnResource> {
  const all = template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>;
  return Object.fromEntries(
    Object.entries(all).filter(([, fn]) => String(fn.Properties?.Runtime).startsWith('nodejs')),
  );
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * An app writing its cloud assembly to a temp directory removed after the file's tests. CDK's
 * built-in template validation is off: it costs seconds per synth, and the cdk-nag tests below run
 * the checks that matter here.
 */
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
function newApp(props: AppProps = {}): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-test-'));
  outdirs.push(outdir);
  return new App({ outdir, builtinCloudFormationValidation: false, ...props });
}
const stubCode = () => lambda.Code.fromInline('exports.handler = async () => ({});');

/**
 * The example configuration with values that differ from every default, so each assertion proves it reads the
 * configuration.
 */
const CONFIG: RotationConfig = parseRotationConfig({
  ...structuredClone(loadRotationConfigFile(path.join(ROOT, 'rotation.config.json'))),
  schedule: { expression: 'cron(30 4 ? * MON *)', timeZone: 'Europe/Berlin' },
  settings: { minKeyAgeDays: 10, gracePeriodDays: 4, inProgressTimeoutMinutes: 60 },
  maxConcurrency: 3,
});
const PAT_PARAMETERS = [
  ...new Set(
    CONFIG.targets.flatMap((t) => (t.connection.credentialParameter ? [t.connection.credentialParameter] : [])),
  ),
];

type Json = Record<string, unknown>;
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Json };

/** A CloudFormation value as text: `Fn::Join` joined, `Ref`/`Fn::GetAtt` as `${...}`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string; 'Fn::GetAtt'?: string[] };
  if (v['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
  if (v.Ref) return `\${${v.Ref}}`;
  if (v['Fn::GetAtt']) return `\${${v['Fn::GetAtt'].join('.')}}`;
  return JSON.stringify(value);
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

let stack: AdoKeyRotatorStack;
let rotator: AdoKeyRotator;
let template: Template;
let definition: AslDefinition;
/** Every statement of every role policy, by the step whose Lambda has the role (or `state-machine`). */
let statementsByOwner: Map<string, Statement[]>;

beforeAll(() => {
  const app = newApp();
  stack = new AdoKeyRotatorStack(app, 'Test', { config: CONFIG, overrides: { lambdaCode: stubCode } });
  rotator = stack.rotator;
  template = Template.fromStack(stack);
  definition = definitionFromTemplate(template.toJSON());

  const ownerByRole = new Map<string, string>();
  for (const step of LAMBDA_STEPS) {
    const fn = template.toJSON().Resources[stack.getLogicalId(rotator.functions[step].node.defaultChild as CfnElement)];
    ownerByRole.set((fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string, step);
  }
  ownerByRole.set(stack.getLogicalId(rotator.stateMachine.role.node.defaultChild as CfnElement), 'state-machine');
  statementsByOwner = new Map();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref);
    for (const role of roles) {
      const owner = ownerByRole.get(role) ?? `role ${role}`;
      statementsByOwner.set(owner, [
        ...(statementsByOwner.get(owner) ?? []),
        ...(policy.Properties.PolicyDocument.Statement as Statement[]),
      ]);
    }
  }
});

const actionsOf = (owner: string, prefix: string) =>
  (statementsByOwner.get(owner) ?? [])
    .flatMap((s) => list(s.Action))
    .filter((a) => a.startsWith(prefix))
    .sort();
const statementsWith = (owner: string, action: string) =>
  (statementsByOwner.get(owner) ?? []).filter((s) => list(s.Action).includes(action));
const task = (name: string) =>
  allStates(definition).find(([n]) => n === name)?.[1] as unknown as Json & { Retry: Json[]; Catch?: Json[] };

describe('Construct: AdoKeyRotator', () => {
  describe('schedule', () => {
    it('starts the state machine with the configured cron expression and time zone, for every target', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(30 4 ? * MON *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        State: 'ENABLED',
        Target: {
          Arn: { Ref: stack.getLogicalId(rotator.stateMachine.node.defaultChild as CfnElement) },
          Input: JSON.stringify({ mode: 'rotate' }),
        },
      });
    });

    it('defaults to Sunday 03:00 UTC', () => {
      const app = newApp();
      const { schedule: _omitted, ...withoutSchedule } = loadRotationConfigFile(
        path.join(ROOT, 'rotation.config.json'),
      );
      const other = new Stack(app, 'Defaults');
      new AdoKeyRotator(other, 'R', { ...parseRotationConfig(withoutSchedule), lambdaCode: stubCode });
      Template.fromStack(other).hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 3 ? * SUN *)',
        ScheduleExpressionTimezone: 'Etc/UTC',
      });
    });
  });

  describe('state machine', () => {
    it('is a Standard state machine that logs errors only, without execution data, and is traced', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
        TracingConfiguration: { Enabled: true },
      });
    });

    it('runs at most maxConcurrency targets at once, over the given or all configured targets', () => {
      const map = allStates(definition).find(([name]) => name === 'rotate each target')?.[1] as unknown as Json;
      expect(map).toMatchObject({
        Type: 'Map',
        MaxConcurrency: 3,
        ItemReader: { Parameters: { 'Key.$': '$.targetsKey' } },
      });
      // All targets: the list the deployment writes to S3; given targets: the list the run writes there first.
      const all = allStates(definition).find(([name]) => name === 'all configured targets')?.[1] as unknown as Json;
      expect(all).toMatchObject({ Parameters: { targetsKey: RUN_DATA.allTargetsKey } });
      expect(deployedObjects(CONFIG)).toEqual({
        [RUN_DATA.allTargetsKey]: JSON.stringify(CONFIG.targets.map((t) => t.name)),
      });
      const given = allStates(definition).find(([name]) => name === 'write given targets')?.[1] as unknown as Json;
      expect(given).toMatchObject({
        Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
        Parameters: { 'Body.$': '$.targets' },
      });
    });

    it("builds each target's state with only fields parseRotationState accepts", () => {
      const map = allStates(definition).find(([name]) => name === 'rotate each target')?.[1] as unknown as {
        ItemSelector: { state: Json };
      };
      expect(map.ItemSelector.state).toEqual({
        'rotationId.$': 'States.UUID()',
        'targetName.$': '$$.Map.Item.Value',
        'mode.$': '$.mode',
        'startedAt.$': '$$.Execution.StartTime',
        completed: [],
        warnings: [],
        'leak.$': '$.leak',
        'parentExecutionId.$': '$$.Execution.Id',
      });
      const rendered = {
        rotationId: crypto.randomUUID(),
        targetName: 'payments-prod',
        mode: 'rotate',
        startedAt: new Date().toISOString(),
        completed: [],
        warnings: [],
      };
      // Outside a leak run the state machine passes `leak: {}`, which the state drops.
      expect(parseRotationState({ ...rendered, leak: {} })).toEqual(rendered);
    });

    it('passes each Lambda the plain state and keeps its plain result (no SDK envelope)', () => {
      for (const step of [
        'plan',
        'cleanup',
        'create',
        'verify-key',
        'publish',
        'verify-publish',
        'canary',
        'check-canary',
        'promote',
        'revoke',
        'rollback',
      ]) {
        expect(task(step), step).toMatchObject({
          Type: 'Task',
          InputPath: '$.state',
          ResultPath: '$.state',
          Resource: expect.stringMatching(/^arn:aws:lambda:/),
        });
        expect(task(step), step).not.toHaveProperty('Parameters');
      }
      expect(task('report')).toMatchObject({ InputPath: '$.state' });
      expect(task('report')).not.toHaveProperty('ResultPath');
      expect(task('notify')).toMatchObject({
        Parameters: {
          'executionId.$': '$$.Execution.Id',
          'mode.$': '$.mode',
          'startedAt.$': '$$.Execution.StartTime',
          'results.$': '$.results.ResultWriterDetails',
        },
      });
    });

    it('retries transient errors and Lambda service errors on every task', () => {
      const tasks = allStates(definition).filter(
        ([, s]) => s.Type === 'Task' && String((s as { Resource?: string }).Resource).startsWith('arn:aws:lambda:'),
      );
      expect(tasks).toHaveLength(LAMBDA_STEPS.length);
      for (const [name, state] of tasks) {
        const errors = (state.Retry as Array<{ ErrorEquals: string[] }>).map((r) => r.ErrorEquals);
        expect(errors, name).toContainEqual([...TRANSIENT_ERROR_NAMES]);
        expect(errors, name).toContainEqual(LAMBDA_SERVICE_ERRORS);
      }
    });

    it('retries verify-key for about a minute while the new key propagates, as the runner does', () => {
      const retry = task('verify-key').Retry.find((r) => (r.ErrorEquals as string[]).includes('KeyNotYetUsableError'));
      expect(retry).toEqual({
        ErrorEquals: ['KeyNotYetUsableError'],
        IntervalSeconds: 1,
        BackoffRate: 1.1,
        MaxAttempts: 20,
        MaxDelaySeconds: 5,
      });
      expect(KEY_PROPAGATION_RETRY.maxAttempts).toBe(20);
      const waits: number[] = [];
      for (let i = 0, delay = 1; i < 20; i++, delay = Math.min(5, delay * 1.1)) waits.push(delay);
      const total = waits.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(45);
      expect(total).toBeLessThan(75);
      // Polled at short intervals while a key usually propagates: ten polls within the first 20 s.
      expect(waits.slice(0, 10).reduce((a, b) => a + b, 0)).toBeLessThan(20);
      // Only verify-key waits for propagation.
      for (const [name, state] of allStates(definition).filter(([n, s]) => s.Type === 'Task' && n !== 'verify-key')) {
        expect(JSON.stringify(state.Retry), name).not.toContain('KeyNotYetUsableError');
      }
    });

    it('catches every mutating step into a recorded failure and the rollback', () => {
      for (const step of [
        'cleanup',
        'create',
        'verify-key',
        'publish',
        'verify-publish',
        'canary',
        'check-canary',
        'promote',
      ]) {
        expect(task(step).Catch, step).toEqual([
          { ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: `${step} failed` },
        ]);
        const failed = allStates(definition).find(([n]) => n === `${step} failed`)?.[1] as unknown as Json;
        expect(failed, step).toMatchObject({
          Type: 'Pass',
          Parameters: { step, 'name.$': '$.caught.Error', 'cause.$': '$.caught.Cause' },
          ResultPath: '$.state.failure',
          Next: 'rollback',
        });
      }
      expect(task('revoke').Catch?.[0]).toMatchObject({ Next: 'revoke failed' });
      expect(task('rollback').Catch?.[0]).toMatchObject({ Next: 'rollback failed' });
      expect(task('plan').Catch?.[0]).toMatchObject({ Next: 'plan failed' });
      const planFailed = allStates(definition).find(([n]) => n === 'plan failed')?.[1] as unknown as Json;
      expect(planFailed).toMatchObject({ Next: 'report' });
    });

    it('ends every iteration in a report, even when the report step fails', () => {
      expect(task('report')).toMatchObject({
        End: true,
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'report failed' }],
      });
      const fallback = allStates(definition).find(([n]) => n === 'report failed')?.[1] as unknown as Json;
      expect(fallback).toMatchObject({ Type: 'Pass', End: true, Parameters: { outcome: 'failed' } });
    });

    it('synthesizes ASL that asl-validator accepts', () => {
      const validate = createRequire(import.meta.url)('asl-validator') as (
        definition: unknown,
        options?: { checkPaths?: boolean; checkArn?: boolean },
      ) => { isValid: boolean; errorsText: (separator?: string) => string };
      const result = validate(definition, { checkPaths: true, checkArn: true });
      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
      // And it does reject a broken one.
      const broken = structuredClone(definition) as unknown as Json & { States: Json };
      (broken.States['check input'] as Json).Default = 'no such state';
      expect(validate(broken).isValid).toBe(false);
    });
  });

  describe('Lambdas', () => {
    it('runs one function per step on Node 22, arm64, 256 MB, traced, with the step timeout', () => {
      const functions = stepFunctions(template);
      expect(Object.keys(functions)).toHaveLength(LAMBDA_STEPS.length);
      for (const step of LAMBDA_STEPS) {
        const props =
          functions[stack.getLogicalId(rotator.functions[step].node.defaultChild as CfnElement)]?.Properties;
        expect(props, step).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          MemorySize: 256,
          TracingConfig: { Mode: 'Active' },
        });
        // Each step's timeout fits the retry budgets of its calls (src/domain/lifecycle/budgets.ts); the example's
        // targets have one holder each, so the catalog's own figure.
        expect(props?.Timeout, step).toBe(STEP_CATALOG[step].timeoutSeconds);
        expect(props?.Timeout, step).toBeGreaterThanOrEqual(
          30 + 75 * STEP_CATALOG[step].calls.azureDevOps + 25 * STEP_CATALOG[step].calls.aws,
        );
      }
    });

    it('gives every function the Powertools settings, and writes the parsed configuration the bundles carry', () => {
      for (const fn of Object.values(stepFunctions(template))) {
        const env = fn.Properties.Environment.Variables as Record<string, string>;
        expect(env).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'ado-key-rotator',
          POWERTOOLS_METRICS_NAMESPACE: 'AdoKeyRotator',
          LOG_LEVEL: 'INFO',
        });
      }
      expect(loadRotationConfigFile(rotator.configFile)).toEqual(CONFIG);
    });

    it('bundles each function from its entry generated from the step catalog when no code is given', () => {
      // Bundling skipped (as `cdk synth --exclusively` does for other stacks): this checks the wiring, not esbuild.
      const app = newApp({ context: { 'aws:cdk:bundling-stacks': [] } });
      const real = new AdoKeyRotatorStack(app, 'Bundled', { config: CONFIG });
      const handlers = stepFunctions(Template.fromStack(real));
      expect(Object.values(handlers).map((f) => [f.Properties.Handler, f.Properties.Runtime])).toEqual(
        LAMBDA_STEPS.map(() => ['index.handler', 'nodejs22.x']),
      );
    });
  });

  describe('least privilege', () => {
    it('gives each function its own role', () => {
      const roles = new Set(LAMBDA_STEPS.map((step) => rotator.functions[step].role));
      expect(roles.size).toBe(LAMBDA_STEPS.length);
    });

    it('scopes every IAM, Secrets Manager and SSM statement to the configured resources (no "*")', () => {
      const users = CONFIG.targets
        .map((t) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:user/${t.iamUserName}`)
        .sort();
      let checked = 0;
      for (const [owner, statements] of statementsByOwner) {
        for (const statement of statements) {
          const services = new Set(list(statement.Action).map((a) => a.split(':')[0]));
          const resources = list(statement.Resource).map(render);
          if (!['iam', 'secretsmanager', 'ssm'].some((s) => services.has(s))) continue;
          checked++;
          expect(services.size, `${owner}: one service per statement`).toBe(1);
          for (const resource of resources) expect(resource, `${owner} ${statement.Sid}`).not.toContain('*');
          if (services.has('iam')) expect(resources.sort(), owner).toEqual(users);
          if (services.has('secretsmanager')) {
            for (const r of resources)
              expect(r, owner).toMatch(/^arn:.*:secretsmanager:.*:secret:ado-key-rotator\/[a-z-]+-\?{6}$/);
          }
          if (services.has('ssm'))
            for (const r of resources) expect(r, owner).toMatch(/^arn:.*:ssm:.*:parameter\/ado-key-rotator\//);
        }
      }
      expect(checked).toBeGreaterThan(10);
    });

    it('gives each step only the IAM actions it needs; verify-key none at all', () => {
      const iamActions = Object.fromEntries(LAMBDA_STEPS.map((step) => [step, actionsOf(step, 'iam:')]));
      expect(iamActions).toEqual({
        plan: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'],
        cleanup: ['iam:DeleteAccessKey', 'iam:UpdateAccessKey'],
        create: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'],
        'verify-key': [],
        publish: [],
        'verify-publish': [],
        canary: [],
        'check-canary': [],
        promote: [],
        revoke: ['iam:DeleteAccessKey', 'iam:UpdateAccessKey'],
        rollback: ['iam:DeleteAccessKey', 'iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:UpdateAccessKey'],
        report: [],
        notify: [],
      });
      expect(actionsOf('state-machine', 'iam:')).toEqual([]);
    });

    it(
      'lets the rotator touch only IAM users tagged ado-key-rotator:managed=true: every IAM statement carries ' +
        'the condition',
      () => {
        const iamStatements = LAMBDA_STEPS.flatMap((step) =>
          (statementsByOwner.get(step) ?? []).filter((st) => list(st.Action).some((a) => a.startsWith('iam:'))),
        );
        expect(iamStatements.length).toBeGreaterThan(0);
        for (const statement of iamStatements) {
          expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/ado-key-rotator:managed': 'true' } });
        }
      },
    );

    it('names only secrets and parameters under the configured prefixes', () => {
      const { secrets, parameters } = CONFIG.resourcePrefixes ?? {};
      expect(secrets).toBe('ado-key-rotator/');
      expect(parameters).toBe('/ado-key-rotator/');
      const resources = [...statementsByOwner.values()].flat().flatMap((st) => list(st.Resource).map(render));
      const secretArns = resources.filter((r) => r.includes(':secretsmanager:'));
      const parameterArns = resources.filter((r) => r.includes(':parameter'));
      expect(secretArns.length).toBeGreaterThan(0);
      expect(parameterArns.length).toBeGreaterThan(0);
      for (const arn of secretArns) expect(arn).toMatch(/:secret:ado-key-rotator\//);
      for (const arn of parameterArns) expect(arn).toMatch(/:parameter\/ado-key-rotator\//);
    });

    it('names a user created under a path by its full ARN (user/ci/NAME), in every IAM statement', () => {
      const config = parseRotationConfig({
        ...structuredClone(CONFIG),
        targets: [{ ...CONFIG.targets[0], iamUserPath: '/ci/', iamUserName: 'deployer' }],
      });
      const pathStack = new AdoKeyRotatorStack(newApp(), 'Paths', { config, overrides: { lambdaCode: stubCode } });
      const statements = Object.values(Template.fromStack(pathStack).findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => list(st.Action).some((a) => a.startsWith('iam:')));
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(list(statement.Resource).map(render)).toEqual([
          `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:user/ci/deployer`,
        ]);
        expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/ado-key-rotator:managed': 'true' } });
      }
    });

    it('lets only the steps that need them write secrets, and only create create them', () => {
      const writers = (action: string) => LAMBDA_STEPS.filter((step) => statementsWith(step, action).length > 0);
      expect(writers('secretsmanager:CreateSecret')).toEqual(['create']);
      expect(writers('secretsmanager:PutSecretValue')).toEqual(['create']);
      expect(writers('secretsmanager:UpdateSecretVersionStage')).toEqual(['cleanup', 'promote', 'rollback']);
      // cleanup, create (before deleting a key) and revoke read what the secret holds: a held key is never touched.
      expect(writers('secretsmanager:GetSecretValue')).toEqual([
        'plan',
        'cleanup',
        'create',
        'verify-key',
        'publish',
        'revoke',
        'rollback',
      ]);
    });

    it(
      'lets only the steps that talk to Azure DevOps read its credential parameters, and only notify the ' +
        'Slack one',
      () => {
        const readers = (parameter: string) =>
          LAMBDA_STEPS.filter((step) =>
            statementsWith(step, 'ssm:GetParameter').some((s) =>
              list(s.Resource)
                .map(render)
                .some((r) => r.endsWith(`:parameter${parameter}`)),
            ),
          );
        for (const parameter of PAT_PARAMETERS) {
          expect(readers(parameter), parameter).toEqual([
            'plan',
            'cleanup',
            'create',
            'publish',
            'verify-publish',
            'canary',
            'check-canary',
            'revoke',
            'rollback',
          ]);
        }
        expect(readers(CONFIG.slackWebhookParameter as string)).toEqual(['notify']);
        expect(LAMBDA_STEPS.filter((step) => actionsOf(step, 'ssm:').length > 0)).toEqual([
          'plan',
          'cleanup',
          'create',
          'publish',
          'verify-publish',
          'canary',
          'check-canary',
          'revoke',
          'rollback',
          'notify',
        ]);
      },
    );

    it('allows kms:Decrypt only through SSM or Secrets Manager, and only where parameters or secrets are read', () => {
      const decrypting = LAMBDA_STEPS.filter((step) => statementsWith(step, 'kms:Decrypt').length > 0);
      expect(decrypting).toEqual([
        'plan',
        'cleanup',
        'create',
        'verify-key',
        'publish',
        'verify-publish',
        'canary',
        'check-canary',
        'revoke',
        'rollback',
        'notify',
      ]);
      for (const step of LAMBDA_STEPS) {
        for (const statement of (statementsByOwner.get(step) ?? []).filter((s) =>
          list(s.Action).some((a) => a.startsWith('kms:')),
        )) {
          expect(
            render(statement.Condition?.StringEquals && (statement.Condition.StringEquals as Json)['kms:ViaService']),
            step,
          ).toMatch(/^(ssm|secretsmanager)\.\$\{AWS::Region\}\.amazonaws\.com$/);
        }
      }
    });

    it('narrows kms:Decrypt to the given keys when kmsKeyArns is set, and reads no Slack parameter without one', () => {
      const app = newApp();
      const { slackWebhookParameter: _none, ...withoutSlack } = CONFIG;
      const key = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
      const other = new AdoKeyRotatorStack(app, 'Narrow', {
        config: withoutSlack as RotationConfig,
        overrides: { lambdaCode: stubCode, kmsKeyArns: [key] },
      });
      const statements = Object.values(Template.fromStack(other).findResources('AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Statement[],
      );
      const kms = statements.filter((s) => list(s.Action).some((a) => a.startsWith('kms:')));
      expect(kms.length).toBeGreaterThan(0);
      for (const s of kms) expect(list(s.Resource)).toEqual([key]);
      const notifyRole = other.rotator.functions.notify.role?.node.defaultChild as CfnElement;
      const notifyPolicies = Object.values(Template.fromStack(other).findResources('AWS::IAM::Policy')).filter((p) =>
        (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === other.getLogicalId(notifyRole)),
      );
      expect(
        notifyPolicies.flatMap((p) =>
          (p.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => list(s.Action)),
        ),
      ).not.toContain('ssm:GetParameter');
    });
  });

  describe('alarms and dashboard', () => {
    const alarms = () =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Json);
    const alarmOn = (metricName: string) => alarms().filter((a) => a.MetricName === metricName);

    it('alarms on failed, timed-out and aborted executions, and on a dropped schedule', () => {
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
        expect(alarmOn(metric), metric).toEqual([
          expect.objectContaining({ Namespace: 'AWS/States', Threshold: 1, Statistic: 'Sum' }),
        ]);
      }
      expect(alarmOn('InvocationDroppedCount')).toEqual([expect.objectContaining({ Namespace: 'AWS/Scheduler' })]);
    });

    it("alarms on the rotator's own metrics: failed and rolled-back rotations, Slack failures", () => {
      for (const metric of [
        METRIC_NAMES.RotationsFailed,
        METRIC_NAMES.RotationsRolledBack,
        METRIC_NAMES.NotificationFailures,
      ]) {
        expect(alarmOn(metric), metric).toEqual([
          expect.objectContaining({
            Namespace: METRICS_NAMESPACE,
            Dimensions: [{ Name: 'service', Value: 'ado-key-rotator' }],
            Threshold: 1,
          }),
        ]);
      }
      expect(METRICS_NAMESPACE).toBe('AdoKeyRotator');
    });

    it('alarms once for the whole fleet when a held key is older than minKeyAgeDays + gracePeriodDays + 1', () => {
      const keyAge = alarmOn(METRIC_NAMES.KeyAgeDays);
      expect(keyAge).toHaveLength(1);
      expect(keyAge[0]).toEqual(
        expect.objectContaining({
          Namespace: 'AdoKeyRotator',
          Dimensions: [{ Name: 'service', Value: 'ado-key-rotator' }],
          Statistic: 'Maximum',
          Threshold: 10 + 4 + 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    });

    it('sends every alarm to an encrypted, TLS-only topic with the configured e-mail subscribed', () => {
      const topic = Object.keys(template.findResources('AWS::SNS::Topic'));
      expect(topic).toHaveLength(1);
      for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topic[0] }]);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: CONFIG.alarmEmail });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('has a dashboard with the executions, outcomes and key ages', () => {
      const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      const body = render(dashboards[0]?.Properties.DashboardBody);
      // Per-target lines come from a SEARCH over the target dimension, so any number of targets fits.
      for (const text of [
        'Executions',
        'Target outcomes',
        'KeyAgeDays',
        'RotationDuration',
        'NotificationFailures',
        'SEARCH(',
        'service,target',
      ]) {
        expect(body).toContain(text);
      }
    });
  });

  describe('configuration', () => {
    it('fails synth naming the field when the configuration given in code is invalid', () => {
      const bad = structuredClone(CONFIG);
      bad.targets[1]!.connection.organizationUrl = 'foo';
      const scope = new Stack(newApp(), 'Bad');
      expect(() => new AdoKeyRotator(scope, 'R', { ...bad, lambdaCode: stubCode })).toThrow(ConfigurationError);
      expect(() => new AdoKeyRotator(scope, 'R2', { ...bad, lambdaCode: stubCode })).toThrow(
        /targets\[1\]\.connection\.organizationUrl is not a URL/,
      );
    });

    it('refuses allowLoopbackHttp at synth: deployed code never sends a credential over plain http', () => {
      const scope = new Stack(newApp(), 'Local');
      expect(() => new AdoKeyRotator(scope, 'R', { ...CONFIG, allowLoopbackHttp: true, lambdaCode: stubCode })).toThrow(
        /allowLoopbackHttp is for local runs against stand-ins only; remove it before cdk synth or deploy/,
      );
    });

    it('accepts 1,000 targets: the configuration ships with the code, not in the 4 KB Lambda environment', () => {
      const many = parseRotationConfig({
        targets: Array.from({ length: 1000 }, (_, i) => ({
          ...CONFIG.targets[0],
          name: `target-number-${i}`,
          iamUserName: `user-${i}`,
        })),
      });
      const big = new Stack(newApp(), 'Big');
      new AdoKeyRotator(big, 'R', { ...many, lambdaCode: stubCode });
      const functions = stepFunctions(Template.fromStack(big));
      for (const fn of Object.values(functions)) {
        const variables =
          (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment
            ?.Variables ?? {};
        expect(JSON.stringify(variables).length).toBeLessThan(4096);
        expect(variables).not.toHaveProperty('ROTATOR_CONFIG');
      }
    });
  });
});

describe('Construct: AdoKeyRotator > cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it(
    'reports no unacknowledged finding when the account and region are known (as under `cdk synth` with ' +
      'credentials)',
    () => {
      const app = newApp();
      const located = new AdoKeyRotatorStack(app, 'Located', {
        config: CONFIG,
        overrides: { lambdaCode: stubCode },
        env: { account: '123456789012', region: 'eu-west-1' },
      });
      const report = new AwsSolutionsChecks().validateScope(located);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    },
  );

  it('fails the app synth on an unacknowledged finding (the plugin is wired in)', () => {
    const app = newApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const bad = new AdoKeyRotatorStack(app, 'Nagged', { config: CONFIG, overrides: { lambdaCode: stubCode } });
    // An outdated runtime without an acknowledgment: a sure finding.
    new lambda.Function(bad, 'Unacknowledged', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: stubCode(),
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-/);
  });

  it('gives every acknowledgment a written reason, and each one matches a real finding', () => {
    const acknowledged: Array<{ path: string; id: string; reason: string }> = [];
    const visit = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
        }
      }
      for (const child of node.node.children) visit(child);
    };
    visit(stack);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) expect(a.reason.length, `${a.id} on ${a.path}`).toBeGreaterThan(40);

    // The raw findings, as if nothing were acknowledged: every acknowledgment must suppress at least one.
    const raw = new AwsSolutionsChecks();
    (raw as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = raw
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath })));
    for (const a of acknowledged) {
      expect(
        findings.some((f) => f.id === a.id && (f.path === a.path || f.path?.startsWith(`${a.path}/`))),
        `stale acknowledgment ${a.id} on ${a.path}`,
      ).toBe(true);
    }
  });
});
