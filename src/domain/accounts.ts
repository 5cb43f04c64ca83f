import type { RotationTarget } from './model.js';

/**
 * Where a target's IAM user and secret live: the rotator's own AWS account, or another one that the
 * rotator reaches through a role it assumes there (configuration `assumeRole`). The ports take these
 * references, so every IAM and Secrets Manager call says which account it is for; the adapters turn
 * the route into temporary credentials (src/adapters/aws/assumed-role-credentials.ts). A reference
 * holds ARNs and names only: never a credential.
 */

/** How the rotator reaches another account for one target. */
export interface AccountRoute {
  /** The role to assume; `{step}` in it stands for the step's name (one role per step in the member account). */
  roleArn: string;
  /** The external id the role's trust policy requires (`sts:ExternalId`). */
  externalId?: string;
  /** The target's name: the role session is named after the step and the target (CloudTrail shows both). */
  target: string;
}

/** An IAM user: its name (what the IAM API takes), its path and account when known, and the route to it. */
export interface IamUserRef {
  userName: string;
  /** `/ci/` for `arn:…:user/ci/NAME`; `/` when absent. */
  path?: string;
  /** The 12-digit account the user lives in, when the configuration says. */
  accountId?: string;
  /** Absent: the rotator's own account, with its own credentials. */
  via?: AccountRoute;
}

/** A secret: its name or ARN, and the route to the account it lives in (absent: the rotator's). */
export interface SecretRef {
  secretId: string;
  via?: AccountRoute;
}

/** A bare name is a user in the rotator's own account (tests and tools that know no target). */
export type IamUser = string | IamUserRef;
/** A bare name or ARN is a secret in the rotator's own account. */
export type SecretLocation = string | SecretRef;

const userRef = (user: IamUser): IamUserRef => (typeof user === 'string' ? { userName: user } : user);
const secretRef = (secret: SecretLocation): SecretRef => (typeof secret === 'string' ? { secretId: secret } : secret);
export const userNameOf = (user: IamUser): string => userRef(user).userName;
export const secretIdOf = (secret: SecretLocation): string => secretRef(secret).secretId;
export const routeOfUser = (user: IamUser): AccountRoute | undefined => userRef(user).via;
export const routeOfSecret = (secret: SecretLocation): AccountRoute | undefined => secretRef(secret).via;

/** `arn:aws:iam::222222222222:role/...` → `222222222222`. */
export const accountOfArn = (arn: string): string | undefined => /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1];

/** The route of a target that names `assumeRole`, for its IAM user (and its secret, when it lives there too). */
export function routeOf(target: RotationTarget): AccountRoute | undefined {
  const role = target.assumeRole;
  if (!role) return undefined;
  return { roleArn: role.roleArn, ...(role.externalId ? { externalId: role.externalId } : {}), target: target.name };
}

/** The account a target's IAM user lives in, when the configuration says (its role's, or its ARN's). */
export function accountOfTarget(target: RotationTarget): string | undefined {
  return target.assumeRole
    ? accountOfArn(target.assumeRole.roleArn)
    : target.iamUserArn && accountOfArn(target.iamUserArn);
}

/** The target's IAM user, as the ports take it. */
export function iamUserOf(target: RotationTarget): IamUserRef {
  const via = routeOf(target);
  const accountId = accountOfTarget(target);
  return {
    userName: target.iamUserName,
    ...(target.iamUserPath ? { path: target.iamUserPath } : {}),
    ...(accountId ? { accountId } : {}),
    ...(via ? { via } : {}),
  };
}

/** The target's secret, as the ports take it: through the role only when it lives in the target's account. */
export function secretOf(target: RotationTarget): SecretRef {
  const via = target.assumeRole?.secretInAccount ? routeOf(target) : undefined;
  return { secretId: target.secretId, ...(via ? { via } : {}) };
}

/** `arn:aws:iam::{account}:user{path}{name}` when the account is known: what a plan and a report can show. */
export function iamUserArnOf(target: RotationTarget, partition = 'aws'): string | undefined {
  const account = accountOfTarget(target);
  return account ? `arn:${partition}:iam::${account}:user${target.iamUserPath ?? '/'}${target.iamUserName}` : undefined;
}

/** The role a step assumes for a route: `{step}` replaced by the step's name. */
export const roleArnForStep = (roleArn: string, step: string): string => roleArn.replaceAll('{step}', step);
