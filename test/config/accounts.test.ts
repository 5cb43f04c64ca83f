/**
 * A target's IAM user by ARN (`iamUserArn`, with its path) and the role the rotator assumes in the account it
 * lives in (`assumeRole`): what parses, and the exact problem for each mistake (never quoting an external id).
 */
import { describe, expect, it } from 'vitest';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { iamUserOf, secretOf } from '../../src/domain/accounts.js';
import { ConfigurationError } from '../../src/domain/errors.js';

type Json = Record<string, unknown>;
const ROLE = 'arn:aws:iam::222222222222:role/ado-key-rotator-{step}';
const target = (extra: Json = {}): Json => ({
  name: 'member',
  secretId: 'ado-key-rotator/member',
  connection: {
    organizationUrl: 'https://dev.azure.com/contoso',
    project: 'payments',
    connectionName: 'aws-prod',
    credentialParameter: '/ado-key-rotator/ado/pat',
  },
  ...extra,
});
const parse = (extra: Json) => parseRotationConfig({ targets: [target(extra)] }).targets[0];
function problemsOf(extra: Json): string[] {
  try {
    parseRotationConfig({ targets: [target(extra)] });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.message
      .replace(/^Invalid rotation configuration(?: \(\d+ problems\))?:\s*/, '')
      .split('\n')
      .map((line) => line.replace(/^\s*- /, ''));
  }
  return [];
}

describe('Configuration: targets in other accounts and users by ARN', () => {
  it('takes a user by ARN (name, path, account) and a role with {step} and an external id', () => {
    // Act
    const parsed = parse({
      iamUserArn: 'arn:aws:iam::222222222222:user/ci/deployer',
      assumeRole: { roleArn: ROLE, externalId: 'ext-1234', secretInAccount: true },
      secretId: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:ado-key-rotator/member',
    });

    // Assess
    expect(parsed).toMatchObject({
      iamUserName: 'deployer',
      iamUserPath: '/ci/',
      iamUserArn: 'arn:aws:iam::222222222222:user/ci/deployer',
      assumeRole: { roleArn: ROLE, externalId: 'ext-1234', secretInAccount: true },
    });
    expect(parsed && iamUserOf(parsed)).toEqual({
      userName: 'deployer',
      path: '/ci/',
      accountId: '222222222222',
      via: { roleArn: ROLE, externalId: 'ext-1234', target: 'member' },
    });
    expect(parsed && secretOf(parsed).via?.roleArn).toBe(ROLE);
  });

  it('round-trips: a parsed configuration parses again to itself (the Lambdas read it back)', () => {
    // Prepare
    const once = parseRotationConfig({
      targets: [target({ iamUserArn: 'arn:aws:iam::222222222222:user/ci/deployer', assumeRole: { roleArn: ROLE } })],
    });

    // Act
    const twice = parseRotationConfig(JSON.parse(JSON.stringify(once)));

    // Assess
    expect(twice).toEqual(once);
  });

  it('keeps the secret in the rotator’s account unless secretInAccount says otherwise', () => {
    // Act
    const parsed = parse({ iamUserName: 'deployer', assumeRole: { roleArn: ROLE } });

    // Assess
    expect(parsed && secretOf(parsed)).toEqual({ secretId: 'ado-key-rotator/member' });
    expect(parsed && iamUserOf(parsed).via?.roleArn).toBe(ROLE);
  });

  const cases: Array<[string, Json, string[]]> = [
    [
      'a malformed user ARN',
      { iamUserArn: 'arn:aws:iam::2222:user/deployer' },
      [
        'targets[0].iamUserArn is not an IAM user ARN: give arn:aws:iam::{12-digit account}:user/{path/}{name}, as ' +
          '`aws iam get-user` shows it (e.g. arn:aws:iam::111122223333:user/ci/deployer)',
      ],
    ],
    [
      'a user ARN that disagrees with the name and path given',
      { iamUserArn: 'arn:aws:iam::222222222222:user/ci/deployer', iamUserName: 'other', iamUserPath: '/ops/' },
      [
        'targets[0].iamUserName is "other", but iamUserArn names the user "deployer"',
        'targets[0].iamUserPath is "/ops/", but iamUserArn has the path "/ci/"',
      ],
    ],
    [
      'a role in another account than the user',
      { iamUserArn: 'arn:aws:iam::333333333333:user/deployer', assumeRole: { roleArn: ROLE } },
      [
        'targets[0].assumeRole.roleArn is in account 222222222222, but iamUserArn is in account 333333333333: ' +
          'the role must be in the account the IAM user lives in',
      ],
    ],
    [
      'a role ARN that is not one',
      { iamUserName: 'deployer', assumeRole: { roleArn: 'arn:aws:iam::222222222222:user/x' } },
      [
        'targets[0].assumeRole.roleArn is not an IAM role ARN: give arn:aws:iam::{12-digit account}:role/{name}, ' +
          'where "{step}" may stand for the step (the roles AdoKeyRotatorMemberRoles creates: ado-key-rotator-{step})',
      ],
    ],
    [
      'an external id with a character STS refuses (not quoted)',
      { iamUserName: 'deployer', assumeRole: { roleArn: ROLE, externalId: 'secret value!' } },
      [
        'targets[0].assumeRole.externalId is not a valid external id: use 2-1224 letters, digits or +=,.@:/-_, the ' +
          "value the role's trust policy requires (sts:ExternalId)",
      ],
    ],
    [
      'a secret ARN in the role’s account without secretInAccount',
      {
        iamUserName: 'deployer',
        assumeRole: { roleArn: ROLE },
        secretId: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:ado-key-rotator/member',
      },
      [
        "targets[0].secretId is in account 222222222222, the role's: set assumeRole.secretInAccount to true so " +
          "the rotator reaches it through the role (without it, the secret is read in the rotator's own account)",
      ],
    ],
    [
      'an unknown assumeRole field',
      { iamUserName: 'deployer', assumeRole: { roleArn: ROLE, sessionName: 'x' } },
      ['targets[0].assumeRole.sessionName is not a known field: expected only roleArn, externalId, secretInAccount'],
    ],
    ['no user at all', {}, ['targets[0].iamUserName is missing: the IAM user whose access key the connection holds']],
  ];
  for (const [what, extra, expected] of cases) {
    it(`refuses ${what}, naming the field`, () => {
      expect(problemsOf(extra)).toEqual(expected);
    });
  }
});
