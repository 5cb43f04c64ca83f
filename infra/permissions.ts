import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RotationConfig } from '../src/domain/config.js';
import { usesFederation, webIdentityTokenStatement } from './federation.js';
import type { LambdaStep } from './steps.js';

/**
 * What each step's Lambda may do, derived from the ports each use case calls and the SDK calls
 * each adapter makes (src/adapters/aws):
 *
 *   IamAccessKeysPort.listKeys      iam:ListAccessKeys, iam:GetAccessKeyLastUsed
 *   IamAccessKeysPort.createKey     iam:CreateAccessKey
 *   IamAccessKeysPort.setKeyStatus  iam:UpdateAccessKey
 *   IamAccessKeysPort.deleteKey     iam:DeleteAccessKey
 *   SecretStorePort.describe        secretsmanager:DescribeSecret, GetSecretValue (the key id of each labelled version)
 *   SecretStorePort.putPending      DescribeSecret, CreateSecret (first rotation), PutSecretValue, GetSecretValue (idempotent retry)
 *   SecretStorePort.getVersion      GetSecretValue
 *   SecretStorePort.promote/dropPending  DescribeSecret, UpdateSecretVersionStage
 *   AzureDevOpsPort.*               the Azure DevOps credential: ssm:GetParameter on the configured parameters,
 *                                   or sts:GetWebIdentityToken for a federated credential (infra/federation.ts)
 *   NotifierPort.notify             the Slack webhook: ssm:GetParameter on that one parameter
 *   KeyVerifierPort.verify          nothing: sts:GetCallerIdentity signed with the new key itself
 *
 * Change a use case's ports and this table must change with it (test/infra checks the result).
 */
export interface StepAccess {
  /** IAM actions, on the configured users only. */
  iam: readonly string[];
  /** Secrets Manager actions, on the configured secrets only. */
  secrets: readonly string[];
  /** Reads the Azure DevOps credential parameters. */
  adoCredential: boolean;
  /** Reads the Slack webhook parameter. */
  slackWebhook: boolean;
}

const IAM_READ = ['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed'];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const SECRET_LABELS = ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'];
const NONE: StepAccess = { iam: [], secrets: [], adoCredential: false, slackWebhook: false };

export const STEP_ACCESS: Readonly<Record<LambdaStep, StepAccess>> = {
  // Reads IAM, the connection and the secret; changes nothing.
  plan: { ...NONE, iam: IAM_READ, secrets: SECRET_READ, adoCredential: true },
  // Deletes or deactivates a leftover key, drops or promotes a leftover pending version; reads the
  // connection and the secret first (a key a holder holds is never touched).
  cleanup: {
    ...NONE,
    iam: ['iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
    secrets: [...SECRET_READ, 'secretsmanager:UpdateSecretVersionStage'],
    adoCredential: true,
  },
  // Creates the key and stores it as AWSPENDING; deletes the key again if storing fails; reads the
  // connection before deleting a key a lost create left.
  create: {
    ...NONE,
    iam: [...IAM_READ, 'iam:CreateAccessKey', 'iam:DeleteAccessKey'],
    secrets: [...SECRET_READ, 'secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
    adoCredential: true,
  },
  // Reads the pending version; the check itself is signed with the new key, so no IAM at all.
  'verify-key': { ...NONE, secrets: ['secretsmanager:GetSecretValue'] },
  publish: { ...NONE, secrets: ['secretsmanager:GetSecretValue'], adoCredential: true },
  'verify-publish': { ...NONE, adoCredential: true },
  promote: { ...NONE, secrets: SECRET_LABELS },
  // Deactivates (or, in an emergency, deletes) the old key once neither the connection nor the secret holds it.
  revoke: { ...NONE, iam: ['iam:UpdateAccessKey', 'iam:DeleteAccessKey'], secrets: SECRET_READ, adoCredential: true },
  // Puts the old key back everywhere: the widest role, and used only when something failed.
  rollback: {
    ...NONE,
    iam: [...IAM_READ, 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
    secrets: [...SECRET_READ, 'secretsmanager:UpdateSecretVersionStage'],
    adoCredential: true,
  },
  // Metrics go out as CloudWatch embedded metric format on stdout: no API call, no permission.
  report: NONE,
  notify: { ...NONE, slackWebhook: true },
};

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

/** ARNs of the configured resources, in the stack's account and region. */
export function resourceArns(scope: Construct, config: RotationConfig) {
  const stack = Stack.of(scope);
  const { partition, account, region } = stack;
  return {
    iamUsers: unique(config.targets.map((t) => t.iamUserName)).map((name) => `arn:${partition}:iam::${account}:user/${name}`),
    /**
     * A secret's ARN ends in `-` and six random characters. `??????` matches exactly those six,
     * so `app` never matches the secret `app-prod` (as `app-*` would). A configured ARN is used as
     * is, plus the same suffix in case it is a partial ARN.
     */
    secrets: unique(
      config.targets.flatMap((t) =>
        t.secretId.startsWith('arn:') ? [t.secretId, `${t.secretId}-??????`] : [`arn:${partition}:secretsmanager:${region}:${account}:secret:${t.secretId}-??????`],
      ),
    ),
    adoCredentialParameters: unique(config.targets.flatMap((t) => (t.connection.credentialParameter ? [t.connection.credentialParameter] : []))).map(
      (name) => `arn:${partition}:ssm:${region}:${account}:parameter${name}`,
    ),
    slackWebhookParameter: config.slackWebhookParameter ? `arn:${partition}:ssm:${region}:${account}:parameter${config.slackWebhookParameter}` : undefined,
    anyKmsKey: `arn:${partition}:kms:${region}:${account}:key/*`,
  };
}

/** The statements of one step's role (beyond its log group and X-Ray, which the function adds). */
export function stepStatements(scope: Construct, step: LambdaStep, config: RotationConfig, options: ScopeOptions = {}): iam.PolicyStatement[] {
  const access = STEP_ACCESS[step];
  const arns = resourceArns(scope, config);
  const region = Stack.of(scope).region;
  const statements: iam.PolicyStatement[] = [];
  const kmsVia = (service: 'ssm' | 'secretsmanager', actions: string[]) =>
    new iam.PolicyStatement({
      sid: `KmsVia${service === 'ssm' ? 'Ssm' : 'SecretsManager'}`,
      actions,
      resources: options.kmsKeyArns?.length ? [...options.kmsKeyArns] : [arns.anyKmsKey],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
    });

  if (access.iam.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: 'IamAccessKeysOfConfiguredUsers', actions: [...access.iam], resources: arns.iamUsers }));
  }
  if (access.secrets.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: 'ConfiguredSecrets', actions: [...access.secrets], resources: arns.secrets }));
    const kms = [
      ...(access.secrets.some((a) => SECRET_VALUE_READS.has(a)) ? ['kms:Decrypt'] : []),
      ...(access.secrets.some((a) => SECRET_WRITES.has(a)) ? ['kms:GenerateDataKey'] : []),
    ];
    if (kms.length > 0) statements.push(kmsVia('secretsmanager', kms));
  }
  const parameters = [
    ...(access.adoCredential ? arns.adoCredentialParameters : []),
    ...(access.slackWebhook && arns.slackWebhookParameter ? [arns.slackWebhookParameter] : []),
  ];
  if (parameters.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: 'SecureParameters', actions: ['ssm:GetParameter'], resources: parameters }));
    statements.push(kmsVia('ssm', ['kms:Decrypt']));
  }
  if (access.adoCredential && usesFederation(config)) statements.push(webIdentityTokenStatement());
  return statements;
}
