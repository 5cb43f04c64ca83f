import type { CanaryPipelineRef, VariableGroupRef } from './holders.js';
import type { SecretValue } from './secret-value.js';

/** Where a target's key is used: one AWS service connection in one Azure DevOps project. */
export interface ConnectionRef {
  /** `https://dev.azure.com/{org}` or an Azure DevOps Server collection URL `https://host/tfs/{collection}`. */
  organizationUrl: string;
  project: string;
  connectionName: string;
  /**
   * SSM SecureString parameter holding the Azure DevOps credential (a PAT, or an Entra service principal as JSON).
   * Absent when the connection is reached with a federated credential (`federatedCredential`): then no secret exists.
   */
  credentialParameter?: string;
  /**
   * A Microsoft Entra app trusted through workload identity federation: the Lambdas' own AWS identity, no stored
   * secret.
   */
  federatedCredential?: FederatedCredentialRef;
  /** When the PAT or client secret in `credentialParameter` stops working (`YYYY-MM-DD`, UTC), for expiry warnings. */
  credentialExpiresOn?: string;
}

/**
 * An Entra app registration whose federated identity credentials trust the rotator's IAM roles. Ids only: no secret.
 */
export interface FederatedCredentialRef {
  /** The Entra tenant (directory) id or its verified domain. */
  tenantId: string;
  /** The app registration's application (client) id. */
  clientId: string;
}

/**
 * What a target name may be: it travels between steps (parseRotationState checks it), so the
 * configuration check applies the same pattern.
 */
export const TARGET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** One rotation target: an IAM user whose key one service connection holds, mirrored in one secret. */
export interface RotationTarget {
  /** Unique, human-chosen name used in logs, metrics and reports. */
  name: string;
  iamUserName: string;
  /** The IAM user's path (`/ci/`), when it was created under one: its ARN is `arn:…:user{path}{name}`. Default `/`. */
  iamUserPath?: string;
  /** The user's full ARN, when the configuration gives it (it agrees with the name and path). */
  iamUserArn?: string;
  /** The IAM user lives in another AWS account: the role the rotator assumes there (src/domain/accounts.ts). */
  assumeRole?: AssumeRoleConfig;
  /** Secrets Manager secret name or ARN holding the current key. */
  secretId: string;
  /** The first (or only) service connection holding the key. */
  connection: ConnectionRef;
  /** More service connections holding the same key (configuration `connections[1..]`). */
  otherConnections?: ConnectionRef[];
  /** Variable groups holding the same key in two variables. */
  variableGroups?: VariableGroupRef[];
  /**
   * A pipeline run after the publish to prove the new key works where it is used; the old key is retired only if it
   * succeeds.
   */
  canary?: CanaryPipelineRef;
}

/** A role in the account a target's IAM user lives in (the member-account construct, infra/member-account.ts). */
export interface AssumeRoleConfig {
  /**
   * `arn:aws:iam::{account}:role/{name}`; `{step}` in the name stands for the step (one role per step, each with
   * only that step's access, as the member-account construct creates them).
   */
  roleArn: string;
  /** The external id the role's trust policy requires (`sts:ExternalId`). */
  externalId?: string;
  /** The target's secret lives in that account too (default: in the rotator's own account). */
  secretInAccount?: boolean;
}

/** Rotation policy shared by all targets. */
export interface RotationSettings {
  /** A held key younger than this is not rotated (a re-run in the same week does nothing). */
  minKeyAgeDays: number;
  /** How long the old key stays (inactive) before it is deleted, counted from the rotation that retired it. */
  gracePeriodDays: number;
  /** A pending secret version younger than this means another rotation is running. */
  inProgressTimeoutMinutes: number;
  /**
   * What revoke does when IAM says the old key was used after the new one was published (a
   * consumer that is not a holder): keep it active until the grace period ends and warn
   * (default), or deactivate it anyway.
   */
  oldKeyUsedAfterPublish?: 'keep-active' | 'deactivate';
}

export const DEFAULT_SETTINGS: RotationSettings = {
  minKeyAgeDays: 6,
  gracePeriodDays: 6,
  inProgressTimeoutMinutes: 120,
};

export type RotationMode = 'rotate' | 'emergency' | 'dry-run';
export const ROTATION_MODES: readonly RotationMode[] = ['rotate', 'emergency', 'dry-run'];

export type AccessKeyStatus = 'Active' | 'Inactive';

/** An IAM access key as IAM lists it (no secret). */
export interface AccessKeyInfo {
  accessKeyId: string;
  status: AccessKeyStatus;
  createdAt: Date;
  /** When the key was last used, or null if never (IAM's GetAccessKeyLastUsed). */
  lastUsedAt: Date | null;
  /** The AWS service and region of that last use (IAM's ServiceName, Region), when known. */
  lastUsedService?: string;
  lastUsedRegion?: string;
}

/** A key pair: the only shape in which a secret access key exists in memory. */
export interface AccessKeyCredential {
  accessKeyId: string;
  secretAccessKey: SecretValue;
}

/** What CreateAccessKey returns. */
export interface NewAccessKey extends AccessKeyCredential {
  createdAt: Date;
}

/** What the rotator stores in a secret version (the secret value is JSON of this shape). */
export interface StoredCredential extends AccessKeyCredential {
  iamUserName: string;
  createdAt: Date;
}

/** The secret's versions, by their Secrets Manager staging labels, with the key id each holds. */
export interface SecretState {
  exists: boolean;
  current: SecretVersionRef | null;
  pending: SecretVersionRef | null;
  previous: SecretVersionRef | null;
}

export interface SecretVersionRef {
  versionId: string;
  accessKeyId: string;
  /** When the version was created (from Secrets Manager), used to tell a stale pending version from a running one. */
  createdAt: Date;
}

/** What the rotator needs to know of a service connection. Never holds its secret (Azure DevOps returns it as null). */
export interface ConnectionState {
  id: string;
  name: string;
  type: string;
  /** `data.useOIDC === "true"` / authorization scheme WorkloadIdentityFederation: keyless, nothing to rotate. */
  usesOidc: boolean;
  /** `authorization.parameters.username`: the access key id the connection holds, or null if none. */
  heldAccessKeyId: string | null;
  /** Whether the connection holds an assume-role ARN (kept as is on update). */
  assumesRole: boolean;
  /** How many projects share the connection (kept as is on update). */
  projectReferenceCount: number;
}
