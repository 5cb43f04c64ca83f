import type { AccessKeyInfo, RotationTarget } from '../model.js';
import type { DiscoveredConnection, OrganizationInfo } from '../../ports/azure-devops-inventory.port.js';
import type { OidcProvider, RoleInfo, UserPermissions } from '../../ports/iam-identity.port.js';
import {
  fill,
  issuerHost,
  type OidcSettings,
  organizationName,
  roleNameFor,
  trustPolicy,
  usesRetiringIssuer,
} from './oidc.js';

/** Why a connection cannot move to OIDC as it is (each a sentence that says what to do). */
export interface MigrationRefusal {
  code:
    | 'AzureDevOpsServer'
    | 'AlreadyKeyless'
    | 'NoKey'
    | 'ExternalId'
    | 'AssumesRole'
    | 'GroupPermissions'
    | 'PermissionsBoundary'
    | 'RoleConflict'
    | 'NoWayBack';
  reason: string;
}

/** What `migrate-to-oidc` will do for one target, decided before anything changes. */
export interface MigrationPlan {
  targetName: string;
  connectionId: string;
  issuer: string;
  subject: string;
  audience: string;
  provider: { action: 'create' | 'reuse' | 'add-audience'; arn: string };
  role: { action: 'create' | 'reuse' | 'operator'; name: string; arn: string; trustPolicy: string | null };
  /** Copied from the user: managed policies attached as they are, inline policies put under the same name. */
  managedPolicyArns: string[];
  inlinePolicies: Array<{ name: string; document: string }>;
  /** The user's active keys, deactivated once the connection works without them. */
  keysToDeactivate: string[];
  /** The connection's role to assume before the move (put back on rollback). */
  previousRoleArn: string | null;
  warnings: string[];
  refusals: MigrationRefusal[];
}

export interface MigrationFacts {
  target: RotationTarget;
  account: string;
  organization: OrganizationInfo;
  connection: DiscoveredConnection;
  keys: AccessKeyInfo[];
  /** The key the secret's current version holds (the way back needs its secret), or null. */
  secretKeyId: string | null;
  /** Null when the operator names the role (its permissions are theirs). */
  permissions: UserPermissions | null;
  provider: OidcProvider | null;
  existingRole: RoleInfo | null;
  operatorRoleArn: string | null;
  oidc: OidcSettings;
  tenantId?: string;
}

/** Decides the migration of one target. Pure: the same facts give the same plan. */
export function planMigration(f: MigrationFacts): MigrationPlan {
  const ref = f.target.connection;
  const values = {
    organizationId: f.organization.organizationId,
    organization: organizationName(ref.organizationUrl),
    project: ref.project,
    connection: f.connection.name,
    connectionId: f.connection.id,
    ...(f.tenantId ? { tenantId: f.tenantId } : {}),
  };
  const issuer = fill(f.oidc.issuerTemplate, values);
  const subject = fill(f.oidc.subjectTemplate, values);
  const providerArn = f.provider?.arn ?? `arn:aws:iam::${f.account}:oidc-provider/${issuerHost(issuer)}`;
  // The name is the ARN's last path segment (`role/path/name`).
  const roleName = f.operatorRoleArn
    ? f.operatorRoleArn.slice(f.operatorRoleArn.lastIndexOf('/') + 1)
    : roleNameFor(f.target.name);
  const trust = f.operatorRoleArn ? null : trustPolicy(providerArn, issuer, f.oidc.audience, subject);
  const where = `connection "${f.connection.name}" (${f.connection.id}) of target ${f.target.name}`;
  const refusals: MigrationRefusal[] = [];
  const warnings: string[] = [];

  if (!f.organization.hosted) {
    refusals.push({
      code: 'AzureDevOpsServer',
      reason:
        `${ref.organizationUrl} is Azure DevOps Server, which issues no OIDC tokens to the AWS Toolkit: ` +
        `keep rotating this key`,
    });
  }
  if (f.connection.auth === 'oidc')
    refusals.push({
      code: 'AlreadyKeyless',
      reason: `${where} already uses OIDC: remove the target from the configuration`,
    });
  else if (f.connection.auth !== 'keys')
    refusals.push({
      code: 'NoKey',
      reason: `${where} holds no access key (${f.connection.auth}): there is nothing to move`,
    });
  if (f.connection.externalId) {
    refusals.push({
      code: 'ExternalId',
      reason:
        `${where} sets an External ID, which the toolkit ignores on its OIDC path: a role that requires ` +
        `one could not be assumed; drop the requirement from the role, clear the field, then re-run`,
    });
  }
  if (f.connection.assumeRoleArn && !f.operatorRoleArn) {
    refusals.push({
      code: 'AssumesRole',
      reason:
        `${where} uses its key to assume ${f.connection.assumeRoleArn}: add the OIDC trust to that role ` +
        `yourself and re-run with --role ${f.connection.assumeRoleArn}`,
    });
  }
  if (f.permissions?.groups.length) {
    refusals.push({
      code: 'GroupPermissions',
      reason:
        `IAM user ${f.target.iamUserName} gets permissions from group(s) ` +
        `${f.permissions.groups.join(', ')}, which a role cannot belong to: create a role with those ` +
        `permissions and re-run with --role ARN`,
    });
  }
  if (f.permissions?.permissionsBoundaryArn) {
    refusals.push({
      code: 'PermissionsBoundary',
      reason:
        `IAM user ${f.target.iamUserName} has the permissions boundary ` +
        `${f.permissions.permissionsBoundaryArn}, which is not copied: create the role with it and re-run with ` +
        `--role ARN`,
    });
  }
  let roleAction: MigrationPlan['role']['action'] = f.operatorRoleArn ? 'operator' : 'create';
  // No trust policy of ours: the operator's role is used as it is, whatever its trust says.
  if (trust !== null && f.existingRole) {
    if (sameJson(f.existingRole.trustPolicy, trust)) roleAction = 'reuse';
    else {
      refusals.push({
        code: 'RoleConflict',
        reason:
          `role ${roleName} exists with another trust policy: delete it, or re-run with --role ` +
          `${f.existingRole.arn} if it is meant for this connection`,
      });
    }
  }
  if (f.connection.heldAccessKeyId && f.secretKeyId !== f.connection.heldAccessKeyId) {
    refusals.push({
      code: 'NoWayBack',
      reason:
        `the secret ${f.target.secretId} holds ${f.secretKeyId ?? 'nothing'}, not the connection's key ` +
        `${f.connection.heldAccessKeyId}: without its secret a failed move could not be undone; run a rotation first`,
    });
  }
  if (usesRetiringIssuer(issuer)) {
    warnings.push(
      `the issuer ${issuer} is being retired by Microsoft (deprecated 2026-07-01, retired 2027-07-01): plan to ` +
        `move the trust to the replacement issuer (README, "Go keyless")`,
    );
  }

  const provider: MigrationPlan['provider'] = !f.provider
    ? { action: 'create', arn: providerArn }
    : f.provider.clientIds.includes(f.oidc.audience)
      ? { action: 'reuse', arn: providerArn }
      : { action: 'add-audience', arn: providerArn };
  return {
    targetName: f.target.name,
    connectionId: f.connection.id,
    issuer,
    subject,
    audience: f.oidc.audience,
    provider,
    role: {
      action: roleAction,
      name: roleName,
      arn: f.operatorRoleArn ?? f.existingRole?.arn ?? `arn:aws:iam::${f.account}:role/${roleName}`,
      trustPolicy: trust,
    },
    managedPolicyArns: f.permissions?.managedPolicyArns ?? [],
    inlinePolicies: f.permissions?.inlinePolicies ?? [],
    keysToDeactivate: f.keys.filter((k) => k.status === 'Active').map((k) => k.accessKeyId),
    previousRoleArn: f.connection.assumeRoleArn,
    warnings,
    refusals,
  };
}

/** The plan as sentences, in the order `--yes` does them. */
export function describePlan(plan: MigrationPlan, gracePeriodDays: number, canary: string | null): string[] {
  const providerVerb =
    plan.provider.action === 'create'
      ? 'create'
      : plan.provider.action === 'add-audience'
        ? `add the audience ${plan.audience} to`
        : 'reuse';
  const lines = [
    `${providerVerb} the IAM OIDC provider ${plan.provider.arn}`,
    plan.role.action === 'operator'
      ? `use the role ${plan.role.arn} as it is (its trust policy must accept ${plan.subject})`
      : `${plan.role.action} the role ${plan.role.arn}, trusted only for audience ${plan.audience} and subject ` +
        `${plan.subject}`,
  ];
  if (plan.role.action !== 'operator') {
    for (const arn of plan.managedPolicyArns) lines.push(`attach ${arn} to the role (as the user has it)`);
    for (const p of plan.inlinePolicies) lines.push(`put a copy of the user's inline policy ${p.name} on the role`);
  }
  lines.push(
    `update connection ${plan.connectionId} in place: key fields emptied, useOIDC on, role to assume ` +
      `${plan.role.arn}; read it back`,
    canary
      ? `run the canary pipeline ${canary}; on failure put the key back`
      : 'no canary pipeline given (--canary-pipeline): the read-back is the only check',
    `deactivate ${plan.keysToDeactivate.join(', ') || 'no key'} (delete after the ${gracePeriodDays}-day grace ` +
      `period) and take ${plan.targetName} out of rotation`,
  );
  return lines;
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    // Not JSON (IAM returns JSON; a hand-made role or stand-in may not): not the policy we would write.
  }
  return false;
}
