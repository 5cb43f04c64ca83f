import { CfnOutput, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { accountOfArn } from '../src/domain/accounts.js';
import type { RotationConfig } from '../src/domain/config.js';
import { ConfigurationError } from '../src/domain/errors.js';
import { LAMBDA_STEPS, type LambdaStep } from '../src/domain/lifecycle/catalog.js';
import type { RotationTarget } from '../src/domain/model.js';
import { type Reach, resourceArns, stepNeedsRole, stepStatements } from './permissions.js';

export interface AdoKeyRotatorMemberRolesProps {
  /** The rotator's configuration (the same file it deploys with): the targets whose role lives in this account. */
  readonly config: RotationConfig;
  /**
   * The rotator's step roles, by step: its stack's `StepRoleArns` output. Each member role trusts only its own
   * step's role (and, where the targets give one, only with their external id).
   */
  readonly trustedStepRoleArns: Partial<Record<LambdaStep, string>>;
  /**
   * The account this template is for. Default: the stack's account when known. When neither is known (one
   * template for a StackSet over many accounts), the roles name every member target's user and secret in
   * whichever account the stack lands, still under the managed-user tag.
   */
  readonly account?: string;
  /** KMS keys of the member account's secrets, when customer-managed (default: any key, via Secrets Manager only). */
  readonly kmsKeyArns?: string[];
  /**
   * Principals (an operator's role, a CI role) that may use the `{step}` = `operator` role, with the access of
   * every step, for the CLI (`ado-key-rotator status`, `rotate`) on these targets. Default: none, no such role.
   */
  readonly operatorPrincipalArns?: string[];
}

/**
 * The roles a rotator assumes in a member account (targets' `assumeRole`), one per step that reaches a
 * target there, each with exactly that step's least privilege (the statements of infra/permissions.ts),
 * scoped to this account's configured users (by ARN, paths included, and the managed-user tag) and to the
 * secrets kept here (`secretInAccount`, under the configured prefix), and trusting only the rotator's own
 * role for that step, with the targets' external id. Deploy it in each member account: a stack per account,
 * or one template through CloudFormation StackSets (README, "Many AWS accounts").
 */
export class AdoKeyRotatorMemberRoles extends Construct {
  readonly roles: Partial<Record<LambdaStep | 'operator', iam.Role>> = {};
  /** What the targets' `assumeRole.roleArn` names: `arn:aws:iam::{account}:role{path}{name with {step}}`. */
  readonly roleArnTemplate: string;

  constructor(scope: Construct, id: string, props: AdoKeyRotatorMemberRolesProps) {
    super(scope, id);
    const stackAccount = Stack.of(this).account;
    const account = props.account ?? (Token.isUnresolved(stackAccount) ? undefined : stackAccount);
    const targets = props.config.targets.filter(
      (t) => t.assumeRole && (account === undefined || accountOfArn(t.assumeRole.roleArn) === account),
    );
    if (targets.length === 0)
      throw new ConfigurationError(
        `Invalid member-account roles: no target names a role in ${account ? `account ${account}` : 'any account'} ` +
          '(assumeRole.roleArn): add the targets to the configuration, or deploy this only where they live',
        { context: { field: 'assumeRole' } },
      );
    const { path, nameTemplate } = sameRoleTemplate(targets);
    const externalId = sameExternalId(targets);
    const { partition } = Stack.of(this);
    this.roleArnTemplate = `arn:${partition}:iam::${account ?? Stack.of(this).account}:role${path}${nameTemplate}`;
    // The targets as this account's roles see them: reached directly, the secrets kept here only.
    const local = targets.map((t) => ({ ...t, assumeRole: undefined, iamUserArn: undefined }));
    const reach: Reach = { users: local, secrets: local.filter((_, i) => targets[i]?.assumeRole?.secretInAccount) };
    const config = { ...props.config, targets: local };
    const trust = (arn: string) =>
      externalId
        ? new iam.PrincipalWithConditions(new iam.ArnPrincipal(arn), { StringEquals: { 'sts:ExternalId': externalId } })
        : new iam.ArnPrincipal(arn);

    const steps = LAMBDA_STEPS.filter((step) => targets.some((t) => stepNeedsRole(step, t)));
    for (const step of steps) {
      const trusted = props.trustedStepRoleArns[step];
      if (!trusted)
        throw new ConfigurationError(
          `Invalid member-account roles: trustedStepRoleArns.${step} is missing: the rotator's StepRoleArns output ` +
            `names the role of each step`,
          { context: { field: `trustedStepRoleArns.${step}` } },
        );
      const role = this.role(step, path, nameTemplate, trust(trusted));
      for (const statement of stepStatements(this, step, config, { member: reach, kmsKeyArns: props.kmsKeyArns }))
        role.addToPrincipalPolicy(statement);
      this.acknowledgeKms(role, config, reach, props);
    }
    if (props.operatorPrincipalArns?.length) {
      const role = this.role(
        'operator',
        path,
        nameTemplate,
        new iam.CompositePrincipal(...props.operatorPrincipalArns.map(trust)),
      );
      for (const step of steps)
        for (const statement of stepStatements(this, step, config, { member: reach, kmsKeyArns: props.kmsKeyArns })) {
          statement.sid = undefined;
          role.addToPrincipalPolicy(statement);
        }
      this.acknowledgeKms(role, config, reach, props);
    }
    new CfnOutput(this, 'RoleArnTemplate', {
      description: "Each target's assumeRole.roleArn in this account ({step} stays as is)",
      value: this.roleArnTemplate,
    });
  }

  private role(step: LambdaStep | 'operator', path: string, nameTemplate: string, principal: iam.IPrincipal): iam.Role {
    const role = new iam.Role(this, `${step.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Role`, {
      roleName: nameTemplate.replace('{step}', step),
      path,
      assumedBy: principal,
      maxSessionDuration: Duration.hours(1),
      description: `ado-key-rotator step "${step}" in this account: least privilege for that step, on its targets`,
    });
    this.roles[step] = role;
    return role;
  }

  private acknowledgeKms(role: iam.Role, config: RotationConfig, reach: Reach, props: AdoKeyRotatorMemberRolesProps) {
    if (props.kmsKeyArns?.length || reach.secrets.length === 0) return;
    const { anyKmsKey } = resourceArns(this, config, reach);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(anyKmsKey))}]`,
      reason:
        "kms:Decrypt/GenerateDataKey on the account's keys only through Secrets Manager (kms:ViaService), for " +
        'secrets under customer-managed keys the configuration does not name; set kmsKeyArns to narrow it.',
    });
  }
}

/** The targets of one account name one role template (`{step}` in its name): the roles this creates. */
function sameRoleTemplate(targets: readonly RotationTarget[]): { path: string; nameTemplate: string } {
  const forms = new Set(targets.map((t) => (t.assumeRole?.roleArn ?? '').replace(/^arn:[^:]+:iam::\d{12}:role/, '')));
  const [form = '', ...others] = forms;
  if (others.length > 0 || !form.includes('{step}'))
    throw new ConfigurationError(
      'Invalid member-account roles: the targets of an account must name one role template with "{step}" in its ' +
        `name (e.g. arn:aws:iam::{account}:role/ado-key-rotator-{step}), so each step gets its own role; found ` +
        `${[...forms].join(', ')}`,
      { context: { field: 'assumeRole.roleArn' } },
    );
  const slash = form.lastIndexOf('/');
  return { path: form.slice(0, slash + 1), nameTemplate: form.slice(slash + 1) };
}

/** One trust policy per role: the targets of an account give one external id, or none. Never quoted. */
function sameExternalId(targets: readonly RotationTarget[]): string | undefined {
  const ids = new Set(targets.map((t) => t.assumeRole?.externalId ?? ''));
  if (ids.size > 1)
    throw new ConfigurationError(
      `Invalid member-account roles: targets ${targets.map((t) => t.name).join(', ')} give different external ids ` +
        '(assumeRole.externalId): the roles of one account trust one; give them all the same',
      { context: { field: 'assumeRole.externalId' } },
    );
  return [...ids][0] || undefined;
}
