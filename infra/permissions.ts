import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { accountOfArn, roleArnForStep } from '../src/domain/accounts.js';
import type { RotationConfig } from '../src/domain/config.js';
import { ConfigurationError } from '../src/domain/errors.js';
import type { RotationTarget } from '../src/domain/model.js';
import { LAMBDA_STEPS, type LambdaStep, STEP_CATALOG, type StepAccess } from '../src/domain/lifecycle/catalog.js';
import { usesFederation, webIdentityTokenStatement } from './federation.js';

/**
 * Each step's role, from its catalog entry's `access` (src/domain/lifecycle/catalog.ts), which is
 * derived from the ports each use case calls and the SDK calls each adapter makes (src/adapters/aws):
 *
 *   IamAccessKeysPort.listKeys      iam:ListAccessKeys, iam:GetAccessKeyLastUsed
 *   IamAccessKeysPort.createKey     iam:CreateAccessKey
 *   IamAccessKeysPort.setKeyStatus  iam:UpdateAccessKey
 *   IamAccessKeysPort.deleteKey     iam:DeleteAccessKey
 *   SecretStorePort.describe        secretsmanager:DescribeSecret, GetSecretValue (the key id of each labelled version)
 *   SecretStorePort.putPending DescribeSecret, CreateSecret (first rotation), PutSecretValue, GetSecretValue
 *   (idempotent retry)
 *   SecretStorePort.getVersion      GetSecretValue
 *   SecretStorePort.promote/dropPending  DescribeSecret, UpdateSecretVersionStage
 *   AzureDevOpsPort.*               the Azure DevOps credential: ssm:GetParameter on the configured parameters,
 *                                   or sts:GetWebIdentityToken for a federated credential (infra/federation.ts)
 *   NotifierPort.notify             the Slack webhook: ssm:GetParameter on that one parameter
 *   KeyVerifierPort.verify          nothing: sts:GetCallerIdentity signed with the new key itself
 *
 * test/infra checks the resulting policies step by step.
 */
export type { StepAccess } from '../src/domain/lifecycle/catalog.js';

/** Each step's catalog `access`, by step (derived: change the catalog, not this). */
export const STEP_ACCESS: Readonly<Record<LambdaStep, StepAccess>> = Object.fromEntries(
  LAMBDA_STEPS.map((step) => [step, STEP_CATALOG[step].access]),
) as Record<LambdaStep, StepAccess>;

/** Secrets Manager writes need a data key when the secret uses a customer-managed KMS key. */
const SECRET_WRITES = new Set(['secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret']);
const SECRET_VALUE_READS = new Set(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);

export interface ScopeOptions {
  /**
   * KMS keys that encrypt the SecureString parameters and secrets. Default: any key of the
   * account, but only through SSM or Secrets Manager (`kms:ViaService`). AWS managed keys
   * (`aws/ssm`, `aws/secretsmanager`) need no grant at all.
   */
  kmsKeyArns?: readonly string[];
}

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

/**
 * The tag an IAM user must carry for the rotator to touch its keys (README, prerequisites):
 * a configuration that names another user (say, a break-glass admin) gets AccessDenied from IAM.
 */
export const MANAGED_USER_TAG = { key: 'ado-key-rotator:managed', value: 'true' } as const;

/**
 * Whose IAM users and secrets a set of roles reaches directly: the rotator's step roles reach the targets
 * in their own account (and the secrets kept there); a member account's roles (member-account.ts) reach
 * the targets that name a role in it. A target in another account is reached only through its role.
 */
export interface Reach {
  users: readonly RotationTarget[];
  secrets: readonly RotationTarget[];
}

/** What the rotator's own roles touch: targets without `assumeRole`, and secrets not kept in a member account. */
export function rotatorReach(config: RotationConfig): Reach {
  return {
    users: config.targets.filter((t) => !t.assumeRole),
    secrets: config.targets.filter((t) => !t.assumeRole?.secretInAccount),
  };
}

/** ARNs of the configured resources, in the stack's account and region. */
export function resourceArns(scope: Construct, config: RotationConfig, reach: Reach = rotatorReach(config)) {
  const stack = Stack.of(scope);
  const { partition, account, region } = stack;
  for (const t of reach.users) {
    // A user named by its ARN without a role must live in the rotator's own account.
    const userAccount = t.iamUserArn ? accountOfArn(t.iamUserArn) : undefined;
    if (userAccount && !Token.isUnresolved(account) && userAccount !== account && !t.assumeRole)
      throw new ConfigurationError(
        `Invalid rotation configuration: target ${t.name}'s iamUserArn is in account ${userAccount}, not ` +
          `${account} where the rotator is deployed: give assumeRole (a role in that account) or fix iamUserArn`,
        { context: { field: 'iamUserArn', target: t.name } },
      );
  }
  return {
    // A user created under a path (`/ci/`) has the ARN `user/ci/NAME`: the path is part of it.
    iamUsers: unique(
      reach.users.map(
        (t) =>
          `arn:${partition}:iam::${(t.iamUserArn && accountOfArn(t.iamUserArn)) || account}:user` +
          `${t.iamUserPath ?? '/'}${t.iamUserName}`,
      ),
    ),
    /**
     * A secret's ARN ends in `-` and six random characters. `??????` matches exactly those six,
     * so `app` never matches the secret `app-prod` (as `app-*` would). A configured ARN is used as
     * is, plus the same suffix in case it is a partial ARN.
     */
    secrets: unique(
      reach.secrets.flatMap((t) =>
        t.secretId.startsWith('arn:')
          ? [t.secretId, `${t.secretId}-??????`]
          : [`arn:${partition}:secretsmanager:${region}:${account}:secret:${t.secretId}-??????`],
      ),
    ),
    adoCredentialParameters: unique(
      config.targets.flatMap((t) => (t.connection.credentialParameter ? [t.connection.credentialParameter] : [])),
    ).map((name) => `arn:${partition}:ssm:${region}:${account}:parameter${name}`),
    slackWebhookParameter: config.slackWebhookParameter
      ? `arn:${partition}:ssm:${region}:${account}:parameter${config.slackWebhookParameter}`
      : undefined,
    anyKmsKey: `arn:${partition}:kms:${region}:${account}:key/*`,
  };
}

/** The statements of one step's role (beyond its log group and X-Ray, which the function adds). */
export function stepStatements(
  scope: Construct,
  step: LambdaStep,
  config: RotationConfig,
  options: ScopeOptions & {
    /** A member account's role for this step: only its IAM and secret access, on these targets. */
    member?: Reach;
  } = {},
): iam.PolicyStatement[] {
  const access = STEP_CATALOG[step].access;
  const arns = resourceArns(scope, config, options.member);
  const region = Stack.of(scope).region;
  const statements: iam.PolicyStatement[] = [];
  const kmsVia = (service: 'ssm' | 'secretsmanager', actions: string[]) =>
    new iam.PolicyStatement({
      sid: `KmsVia${service === 'ssm' ? 'Ssm' : 'SecretsManager'}`,
      actions,
      resources: options.kmsKeyArns?.length ? [...options.kmsKeyArns] : [arns.anyKmsKey],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
    });

  if (access.iam.length > 0 && arns.iamUsers.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'IamAccessKeysOfConfiguredUsers',
        actions: [...access.iam],
        resources: arns.iamUsers,
        conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_USER_TAG.key}`]: MANAGED_USER_TAG.value } },
      }),
    );
  }
  if (access.secrets.length > 0 && arns.secrets.length > 0) {
    statements.push(
      new iam.PolicyStatement({ sid: 'ConfiguredSecrets', actions: [...access.secrets], resources: arns.secrets }),
    );
    const kms = [
      ...(access.secrets.some((a) => SECRET_VALUE_READS.has(a)) ? ['kms:Decrypt'] : []),
      ...(access.secrets.some((a) => SECRET_WRITES.has(a)) ? ['kms:GenerateDataKey'] : []),
    ];
    if (kms.length > 0) statements.push(kmsVia('secretsmanager', kms));
  }
  if (options.member) return statements;
  statements.push(...assumeRoleStatements(step, config));
  const parameters = [
    ...(access.adoCredential ? arns.adoCredentialParameters : []),
    ...(access.slackWebhook && arns.slackWebhookParameter ? [arns.slackWebhookParameter] : []),
  ];
  if (parameters.length > 0) {
    statements.push(
      new iam.PolicyStatement({ sid: 'SecureParameters', actions: ['ssm:GetParameter'], resources: parameters }),
    );
    statements.push(kmsVia('ssm', ['kms:Decrypt']));
  }
  if (access.adoCredential && usesFederation(config)) statements.push(webIdentityTokenStatement());
  return statements;
}

/** The steps that reach a target through its role: those calling IAM, and those calling Secrets Manager on a
 * secret kept in the member account. */
export function stepNeedsRole(step: LambdaStep, target: RotationTarget): boolean {
  const access = STEP_CATALOG[step].access;
  return (
    target.assumeRole !== undefined &&
    (access.iam.length > 0 || (access.secrets.length > 0 && target.assumeRole.secretInAccount === true))
  );
}

/**
 * `sts:AssumeRole` on exactly the member roles this step assumes (`{step}` replaced by its name), with the
 * external ids their trust policies require: one statement per external id, none for a role without one.
 */
function assumeRoleStatements(step: LambdaStep, config: RotationConfig): iam.PolicyStatement[] {
  const byExternalId = new Map<string, Set<string>>();
  for (const target of config.targets) {
    if (!stepNeedsRole(step, target) || !target.assumeRole) continue;
    const id = target.assumeRole.externalId ?? '';
    const roles = byExternalId.get(id) ?? new Set<string>();
    roles.add(roleArnForStep(target.assumeRole.roleArn, step));
    byExternalId.set(id, roles);
  }
  return [...byExternalId].map(
    ([externalId, roles], i) =>
      new iam.PolicyStatement({
        sid: `AssumeMemberAccountRoles${i}`,
        actions: ['sts:AssumeRole'],
        resources: [...roles].sort(),
        ...(externalId ? { conditions: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      }),
  );
}

/** The member accounts the configuration names (from its targets' roles). */
export const memberAccounts = (config: RotationConfig): string[] =>
  unique(config.targets.flatMap((t) => (t.assumeRole ? [accountOfArn(t.assumeRole.roleArn) ?? ''] : [])));
