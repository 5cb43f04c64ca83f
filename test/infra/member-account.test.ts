// Over 300 lines on purpose: one synthesized template per case (rotator stack, member stack, StackSet template),
// each read statement by statement; split, each file would re-synthesize the same stacks.
/**
 * Targets in other AWS accounts, as synthesized: the rotator's step roles may assume only the member roles
 * their step uses (with the external id), and reach in their own account only the targets that live there;
 * the member-account construct creates one role per step with that step's least privilege, scoped to the
 * account's configured users (ARN with path, managed-user tag) and the secrets kept there, trusting only
 * the rotator's role for that step. Statements are read from the templates; cdk-nag runs on both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { AdoKeyRotatorMemberRoles } from '../../infra/member-account.js';
import { AdoKeyRotatorStack, createApp, MEMBER_STACK_NAME } from '../../infra/stack.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../infra/steps.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { ConfigurationError } from '../../src/domain/errors.js';

const MEMBER = '222222222222';
const ROLE = `arn:aws:iam::${MEMBER}:role/ado-key-rotator-{step}`;
const EXTERNAL_ID = 'ext-0123456789';
const connection = (name: string) => ({
  organizationUrl: 'https://dev.azure.com/contoso',
  project: 'payments',
  connectionName: name,
  credentialParameter: '/ado-key-rotator/azure-devops/pat',
});
/** One target at home (a user under /ci/, by ARN), two in account 222222222222 (one keeps its secret there). */
const CONFIG = parseRotationConfig({
  resourcePrefixes: { secrets: 'ado-key-rotator/', parameters: '/ado-key-rotator/' },
  targets: [
    {
      name: 'home',
      iamUserArn: 'arn:aws:iam::111111111111:user/ci/home-deployer',
      secretId: 'ado-key-rotator/home',
      connection: connection('aws-home'),
    },
    {
      name: 'member-a',
      iamUserArn: `arn:aws:iam::${MEMBER}:user/ci/deployer-a`,
      assumeRole: { roleArn: ROLE, externalId: EXTERNAL_ID },
      secretId: 'ado-key-rotator/member-a',
      connection: connection('aws-a'),
    },
    {
      name: 'member-b',
      iamUserName: 'deployer-b',
      assumeRole: { roleArn: ROLE, externalId: EXTERNAL_ID, secretInAccount: true },
      secretId: 'ado-key-rotator/member-b',
      connection: connection('aws-b'),
    },
  ],
});
const ROTATOR_ROLES = Object.fromEntries(
  LAMBDA_STEPS.map((step) => [step, `arn:aws:iam::111111111111:role/AdoKeyRotator-${step}-Role`]),
) as Record<LambdaStep, string>;

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
function newApp(): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-member-'));
  outdirs.push(outdir);
  return new App({ outdir, builtinCloudFormationValidation: false });
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, checked by each expectation.
type Resource = { Properties: Record<string, any> };
/** Each role's statements, by the role's logical id prefix (`PlanRole`, `CreateRole`...). */
function statementsByRole(template: Template): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]) {
    for (const role of policy.Properties.Roles as Array<{ Ref: string }>) {
      const key = role.Ref.replace(/[A-F0-9]{8}$/, '');
      byRole.set(key, [...(byRole.get(key) ?? []), ...(policy.Properties.PolicyDocument.Statement as Statement[])]);
    }
  }
  return byRole;
}
const render = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']
      ? (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map(render).join('')
      : `\${${(value as { Ref: string }).Ref}}`;

describe('Construct: AdoKeyRotator with targets in other accounts', () => {
  const stack = new AdoKeyRotatorStack(newApp(), 'Rotator', {
    config: CONFIG,
    overrides: { lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({});') },
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  const template = Template.fromStack(stack);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  const statementsOf = (step: string): Statement[] =>
    policies
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(`${step.replace(/-/g, '')}Role`))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const stepOf = (s: LambdaStep) => s.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

  it('lets each step assume only its own member role, with the external id, and only the steps that reach it', () => {
    const assumes = Object.fromEntries(
      LAMBDA_STEPS.map((step) => [
        step,
        statementsOf(stepOf(step))
          .filter((st) => list(st.Action).includes('sts:AssumeRole'))
          .map((st) => ({ resources: list(st.Resource), condition: st.Condition })),
      ]),
    );
    const own = (step: string) => [
      { resources: [ROLE.replace('{step}', step)], condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } },
    ];
    expect(assumes).toEqual({
      plan: own('plan'),
      cleanup: own('cleanup'),
      create: own('create'),
      // verify-key, publish and promote read or label only the secret kept in the member account (member-b's).
      'verify-key': own('verify-key'),
      publish: own('publish'),
      'verify-publish': [],
      canary: [],
      'check-canary': [],
      promote: own('promote'),
      revoke: own('revoke'),
      rollback: own('rollback'),
      report: [],
      notify: [],
    });
  });

  it('names only the home user (by its ARN, path included) in its own IAM statements, and not the kept secret', () => {
    const resources = LAMBDA_STEPS.flatMap((step) => statementsOf(stepOf(step)))
      .filter((st) => list(st.Action).some((a) => a.startsWith('iam:') || a.startsWith('secretsmanager:')))
      .flatMap((st) => list(st.Resource).map(render));
    expect(new Set(resources.filter((r) => r.includes(':iam::')))).toEqual(
      new Set([`arn:\${AWS::Partition}:iam::111111111111:user/ci/home-deployer`]),
    );
    expect(resources.some((r) => r.includes('member-b'))).toBe(false);
    expect(resources.some((r) => r.includes('member-a'))).toBe(true);
  });

  it('outputs the step roles the member roles trust, and passes cdk-nag', () => {
    expect(Object.keys(template.findOutputs('*')).some((k) => k.includes('StepRoleArns'))).toBe(true);
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('refuses at synth a user ARN in another account with no role to reach it', () => {
    const config = parseRotationConfig({ ...structuredClone(CONFIG), targets: [structuredClone(CONFIG.targets[0])] });
    const act = () =>
      new AdoKeyRotatorStack(newApp(), 'Elsewhere', {
        config: {
          ...config,
          targets: [{ ...config.targets[0]!, iamUserArn: 'arn:aws:iam::333333333333:user/ci/home-deployer' }],
        },
        overrides: { lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({});') },
        env: { account: '111111111111', region: 'eu-west-1' },
      });
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(/target home's iamUserArn is in account 333333333333, not 111111111111.*give assumeRole/);
  });
});

describe('Construct: AdoKeyRotatorMemberRoles', () => {
  const app = newApp();
  const stack = new Stack(app, 'Member', { env: { account: MEMBER, region: 'eu-west-1' } });
  const member = new AdoKeyRotatorMemberRoles(stack, 'Roles', { config: CONFIG, trustedStepRoleArns: ROTATOR_ROLES });
  const template = Template.fromStack(stack);
  const roles = template.findResources('AWS::IAM::Role') as Record<string, Resource>;
  const statements = statementsByRole(template);

  it('creates one role per step that reaches the account, named as the targets’ roleArn says', () => {
    const names = Object.values(roles).map((r) => r.Properties.RoleName as string);
    expect(names.sort()).toEqual(
      ['cleanup', 'create', 'plan', 'promote', 'publish', 'revoke', 'rollback', 'verify-key']
        .map((step) => `ado-key-rotator-${step}`)
        .sort(),
    );
    expect(render(Stack.of(member).resolve(member.roleArnTemplate))).toMatch(
      new RegExp(`^arn:(aws|\\$\\{AWS::Partition\\}):iam::${MEMBER}:role/ado-key-rotator-\\{step\\}$`),
    );
  });

  it('trusts only the rotator’s role for the same step, and only with the external id', () => {
    for (const role of Object.values(roles)) {
      const step = String(role.Properties.RoleName).replace('ado-key-rotator-', '') as LambdaStep;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: ROTATOR_ROLES[step] },
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
        },
      ]);
      expect(role.Properties.MaxSessionDuration).toBe(3600);
    }
  });

  it('gives each step its own IAM actions on this account’s users only (ARN with path, managed tag)', () => {
    const iamActions = (key: string) =>
      (statements.get(key) ?? []).filter((st) => list(st.Action).some((a) => a.startsWith('iam:')));
    expect(
      iamActions('RolesCreateRole')
        .flatMap((st) => list(st.Action))
        .sort(),
    ).toEqual(['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys']);
    expect(
      iamActions('RolesPlanRole')
        .flatMap((st) => list(st.Action))
        .sort(),
    ).toEqual(['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys']);
    for (const [, list_] of statements)
      for (const st of list_.filter((s) => list(s.Action).some((a) => a.startsWith('iam:')))) {
        expect(list(st.Resource).map(render).sort()).toEqual(
          [
            `arn:\${AWS::Partition}:iam::${MEMBER}:user/ci/deployer-a`,
            `arn:\${AWS::Partition}:iam::${MEMBER}:user/deployer-b`,
          ].sort(),
        );
        expect(st.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/ado-key-rotator:managed': 'true' } });
      }
  });

  it('reaches only the secret kept in this account, under the configured prefix', () => {
    const secretResources = [...statements.values()]
      .flat()
      .filter((st) => list(st.Action).some((a) => a.startsWith('secretsmanager:')))
      .flatMap((st) => list(st.Resource).map(render));
    expect(secretResources.length).toBeGreaterThan(0);
    for (const arn of secretResources) expect(arn).toMatch(/:222222222222:secret:ado-key-rotator\/member-b-\?{6}$/);
    // publish reads the new key from the secret kept here: GetSecretValue only.
    expect((statements.get('RolesPublishRole') ?? []).flatMap((st) => list(st.Action))).toEqual([
      'secretsmanager:GetSecretValue',
      'kms:Decrypt',
    ]);
  });

  it('passes cdk-nag (AwsSolutions) with no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual(
      [],
    );
  });

  it('refuses, naming the field, a missing trusted step role or an account with no target', () => {
    const { plan: _, ...withoutPlan } = ROTATOR_ROLES;
    expect(
      () =>
        new AdoKeyRotatorMemberRoles(new Stack(newApp(), 'A', { env: { account: MEMBER } }), 'R', {
          config: CONFIG,
          trustedStepRoleArns: withoutPlan,
        }),
    ).toThrow(/trustedStepRoleArns\.plan is missing/);
    expect(
      () =>
        new AdoKeyRotatorMemberRoles(new Stack(newApp(), 'B', { env: { account: '444444444444' } }), 'R', {
          config: CONFIG,
          trustedStepRoleArns: ROTATOR_ROLES,
        }),
    ).toThrow(/no target names a role in account 444444444444/);
  });

  it('synthesizes one template for a StackSet (account unknown), scoped by AWS::AccountId, cdk-nag clean', () => {
    const setStack = new Stack(newApp(), 'StackSetTemplate');
    new AdoKeyRotatorMemberRoles(setStack, 'Roles', { config: CONFIG, trustedStepRoleArns: ROTATOR_ROLES });
    const users = [...statementsByRole(Template.fromStack(setStack)).values()]
      .flat()
      .filter((st) => list(st.Action).some((a) => a.startsWith('iam:')))
      .flatMap((st) => list(st.Resource).map(render));
    expect(new Set(users)).toEqual(
      new Set([
        `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:user/ci/deployer-a`,
        `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:user/deployer-b`,
      ]),
    );
    expect(new AwsSolutionsChecks().validateScope(setStack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('Function: createApp, with -c stepRoleArns (the StackSet template)', () => {
  it('synthesizes AdoKeyRotatorMember next to the rotator, cdk-nag enforced, its template ready for a StackSet', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-member-app-'));
    outdirs.push(dir);
    const configPath = path.join(dir, 'rotation.config.json');
    writeFileSync(configPath, JSON.stringify(CONFIG));

    // Act
    const { app, member } = createApp({
      configPath,
      appProps: { outdir: dir, context: { stepRoleArns: JSON.stringify(ROTATOR_ROLES) } },
      overrides: { lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({});') },
    });
    const assembly = app.synth();

    // Assess
    expect(member?.stackName).toBe(MEMBER_STACK_NAME);
    const template = assembly.getStackByName(MEMBER_STACK_NAME).template as {
      Resources: Record<string, { Type: string }>;
      Parameters?: Record<string, unknown>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::IAM::Role')).toHaveLength(8);
    expect(Object.keys(template.Parameters ?? {}).filter((k) => k !== 'BootstrapVersion')).toEqual([]);
    expect(assembly.getStackByName(MEMBER_STACK_NAME).assets).toEqual([]);
  });

  it('refuses context that is not the StepRoleArns object, naming it', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-member-bad-'));
    outdirs.push(dir);
    const configPath = path.join(dir, 'rotation.config.json');
    writeFileSync(configPath, JSON.stringify(CONFIG));

    // Act
    const act = () =>
      createApp({
        configPath,
        appProps: { outdir: dir, context: { stepRoleArns: 'plan=arn:aws:iam::1:role/x' } },
        overrides: { lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({});') },
      });

    // Assess
    expect(act).toThrow(/stepRoleArns is not a JSON object of step names to role ARNs/);
  });
});
