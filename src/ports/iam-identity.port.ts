/**
 * What `discover` and `migrate-to-oidc` need of IAM beyond a user's keys: who owns a key, what a
 * user may do, and the OIDC identity provider and role a keyless connection assumes.
 *
 * Errors: `IamUserNotFoundError`, `IamEntityNotFoundError` (a key id, provider or role that does not
 * exist), `AwsThrottledError`, `AwsAccessDeniedError`, `AwsCallFailedError`.
 */
export interface IamIdentityPort {
  /** `iam:GetAccessKeyLastUsed`: the key's owner and its last use (null: never used). */
  keyOwner(accessKeyId: string): Promise<KeyOwner>;
  /** The user's managed policies (attached directly), inline policies (documents decoded) and groups. */
  userPermissions(userName: string): Promise<UserPermissions>;
  /** The identity provider whose URL is `issuerUrl` (`https://` optional), or null. */
  findOidcProvider(issuerUrl: string): Promise<OidcProvider | null>;
  /** Creates the provider with `audience` as its only client id; returns its ARN. */
  createOidcProvider(issuerUrl: string, audience: string): Promise<string>;
  /** Adds `audience` to an existing provider's client ids (no-op when it is there). */
  addAudience(providerArn: string, audience: string): Promise<void>;
  /** The role, or null when it does not exist. */
  getRole(roleName: string): Promise<RoleInfo | null>;
  /** Creates a role with this trust policy (JSON); returns its ARN. */
  createRole(roleName: string, trustPolicy: string, description: string): Promise<string>;
  attachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  putRolePolicy(roleName: string, policyName: string, document: string): Promise<void>;
}

export interface KeyOwner {
  userName: string;
  lastUsedAt: Date | null;
  /** The service it was last used with (`s3`...), or null. */
  lastUsedService: string | null;
}

export interface UserPermissions {
  /** The user's ARN (it names the account the provider and role belong to). */
  userArn: string;
  managedPolicyArns: string[];
  inlinePolicies: Array<{ name: string; document: string }>;
  /** Groups the user belongs to: their permissions are not the user's own, so a copy cannot carry them. */
  groups: string[];
  /** The user's permissions boundary ARN, if any. */
  permissionsBoundaryArn: string | null;
}

export interface OidcProvider {
  arn: string;
  /** Without `https://`, as IAM stores it. */
  url: string;
  clientIds: string[];
}

export interface RoleInfo {
  arn: string;
  /** The trust policy, decoded JSON text. */
  trustPolicy: string;
  attachedPolicyArns: string[];
  inlinePolicyNames: string[];
}
