import type { AssumeRoleConfig } from '../domain/model.js';
import { iamUserName, iamUserPath } from './names.js';
import { isObject, type Problems, requiredString, show, typeOf, unknownFields } from './problems.js';

/**
 * A target's IAM user in full (`iamUserArn`: its account and path) and the role the rotator assumes in
 * the account it lives in (`assumeRole`). What a field holds is quoted only where it cannot be a secret:
 * an external id is never quoted, an ARN only once it is known to be one.
 */

// arn:{partition}:iam::{account}:user{path}{name}, the path "/" or "/segments/".
const IAM_USER_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):user(\/(?:[\x21-\x2E\x30-\x7E]+\/)*)([\w+=,.@-]{1,64})$/;
// arn:{partition}:iam::{account}:role{path}{name}; "{step}" may stand in the name for the step's name.
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role(\/(?:[\x21-\x2E\x30-\x7E]+\/)*)([\w+=,.@{}-]{1,64})$/;
const ROLE_NAME_WITH_STEP = /^[\w+=,.@-]{0,50}$/;
// sts:AssumeRole ExternalId: 2-1224 characters of [\w+=,.@:/-].
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const USER_WHAT = 'the IAM user whose access key the connection holds';
const ASSUME_ROLE_FIELDS = ['roleArn', 'externalId', 'secretInAccount'];
const ASSUME_ROLE_SHAPE = '{ "roleArn": "arn:aws:iam::{account}:role/ado-key-rotator-{step}", "externalId": "..." }';

export interface IamUserFields {
  name: string;
  path: string;
  /** The account of `iamUserArn`, when given. */
  accountId?: string;
}

/**
 * `iamUserName` (+ `iamUserPath`), or `iamUserArn`, or both when they agree. `undefined` after a problem.
 */
export function parseIamUser(
  value: Record<string, unknown>,
  path: string,
  problems: Problems,
): IamUserFields | undefined {
  const arn = value.iamUserArn;
  if (arn === undefined) {
    const given = requiredString(value, 'iamUserName', path, problems, USER_WHAT);
    const name = given === undefined ? undefined : iamUserName(given, `${path}.iamUserName`, problems);
    const userPath =
      value.iamUserPath === undefined ? '/' : iamUserPath(value.iamUserPath, `${path}.iamUserPath`, problems);
    return name === undefined || userPath === undefined ? undefined : { name, path: userPath };
  }
  const match = typeof arn === 'string' ? IAM_USER_ARN.exec(arn) : null;
  if (!match) {
    problems.add(
      `${path}.iamUserArn`,
      'is not an IAM user ARN: give arn:aws:iam::{12-digit account}:user/{path/}{name}, as `aws iam get-user` ' +
        'shows it (e.g. arn:aws:iam::111122223333:user/ci/deployer)',
    );
    return undefined;
  }
  const [, , accountId = '', userPath = '/', name = ''] = match;
  let agrees = true;
  if (value.iamUserName !== undefined && value.iamUserName !== name) {
    problems.add(`${path}.iamUserName`, `is ${show(value.iamUserName)}, but iamUserArn names the user ${show(name)}`);
    agrees = false;
  }
  if (value.iamUserPath !== undefined && value.iamUserPath !== userPath) {
    problems.add(`${path}.iamUserPath`, `is ${show(value.iamUserPath)}, but iamUserArn has the path ${show(userPath)}`);
    agrees = false;
  }
  return agrees ? { name, path: userPath, accountId } : undefined;
}

/** `assumeRole`: a role ARN (its account must be the user's, when the user's ARN is given) and an external id. */
export function parseAssumeRole(
  value: unknown,
  path: string,
  problems: Problems,
  userAccountId: string | undefined,
): AssumeRoleConfig | undefined {
  const at = `${path}.assumeRole`;
  if (!isObject(value)) {
    problems.add(at, `is ${typeOf(value)}, not an object: give ${ASSUME_ROLE_SHAPE}`);
    return undefined;
  }
  unknownFields(value, ASSUME_ROLE_FIELDS, at, problems);
  const before = problems.list.length;
  const roleArn = value.roleArn;
  const match = typeof roleArn === 'string' ? ROLE_ARN.exec(roleArn) : null;
  const roleName = match?.[4] ?? '';
  if (!match || (roleName.includes('{') && !ROLE_NAME_WITH_STEP.test(roleName.replace('{step}', '')))) {
    problems.add(
      `${at}.roleArn`,
      roleArn === undefined
        ? `is missing: give the role to assume in the user's account, e.g. ${ASSUME_ROLE_SHAPE}`
        : 'is not an IAM role ARN: give arn:aws:iam::{12-digit account}:role/{name}, where "{step}" may stand for ' +
            'the step (the roles AdoKeyRotatorMemberRoles creates: ado-key-rotator-{step})',
    );
  } else if (userAccountId !== undefined && match[2] !== userAccountId) {
    problems.add(
      `${at}.roleArn`,
      `is in account ${match[2]}, but iamUserArn is in account ${userAccountId}: the role must be in the account ` +
        'the IAM user lives in',
    );
  }
  if (value.externalId !== undefined && (typeof value.externalId !== 'string' || !EXTERNAL_ID.test(value.externalId)))
    problems.add(
      `${at}.externalId`,
      "is not a valid external id: use 2-1224 letters, digits or +=,.@:/-_, the value the role's trust policy " +
        'requires (sts:ExternalId)',
    );
  if (value.secretInAccount !== undefined && typeof value.secretInAccount !== 'boolean')
    problems.add(
      `${at}.secretInAccount`,
      `is ${show(value.secretInAccount)}, not true or false: true when the target's secret lives in that account`,
    );
  if (problems.list.length > before) return undefined;
  return {
    roleArn: roleArn as string,
    ...(typeof value.externalId === 'string' ? { externalId: value.externalId } : {}),
    ...(value.secretInAccount === true ? { secretInAccount: true } : {}),
  };
}

/** A secret ARN's account must agree with where `secretInAccount` says the secret lives. */
export function checkSecretAccount(secretId: string, role: AssumeRoleConfig, path: string, problems: Problems): void {
  if (!secretId.startsWith('arn:')) return;
  const secretAccount = secretId.split(':')[4];
  const roleAccount = role.roleArn.split(':')[4];
  if (role.secretInAccount && secretAccount !== roleAccount)
    problems.add(
      `${path}.secretId`,
      `is in account ${secretAccount}, but assumeRole.secretInAccount says the secret lives in account ` +
        `${roleAccount}, the role's`,
    );
  if (!role.secretInAccount && secretAccount === roleAccount)
    problems.add(
      `${path}.secretId`,
      `is in account ${roleAccount}, the role's: set assumeRole.secretInAccount to true so the rotator reaches ` +
        "it through the role (without it, the secret is read in the rotator's own account)",
    );
}
