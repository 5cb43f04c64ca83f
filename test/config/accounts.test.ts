/**
 * A target's IAM user by ARN (`iamUserArn`, with its path) and the role the rotator assumes in the account it
 * lives in (`assumeRole`): what parses, and the exact problem for each mistake (never quoting an external id).
 */
import { describe, expect, it } from 'vitest';
import { parseAssumeRole, parseIamUser } from '../../src/config/accounts.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { Problems } from '../../src/config/problems.js';
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
    [
      'a user ARN and a role ARN given as lists',
      {
        iamUserArn: ['arn:aws:iam::222222222222:user/deployer'],
        assumeRole: { roleArn: ['arn:aws:iam::222222222222:role/ado-key-rotator-{step}'] },
      },
      [
        'targets[0].iamUserArn is not an IAM user ARN: give arn:aws:iam::{12-digit account}:user/{path/}{name}, as ' +
          '`aws iam get-user` shows it (e.g. arn:aws:iam::111122223333:user/ci/deployer)',
        'targets[0].assumeRole.roleArn is not an IAM role ARN: give arn:aws:iam::{12-digit account}:role/{name}, ' +
          'where "{step}" may stand for the step (the roles AdoKeyRotatorMemberRoles creates: ado-key-rotator-{step})',
      ],
    ],
    [
      'an assumeRole that is not an object',
      { iamUserName: 'deployer', assumeRole: ROLE },
      [
        'targets[0].assumeRole is a string, not an object: give { "roleArn": ' +
          '"arn:aws:iam::{account}:role/ado-key-rotator-{step}", "externalId": "..." }',
      ],
    ],
    [
      'an assumeRole without a role',
      { iamUserName: 'deployer', assumeRole: { externalId: 'ext-1234' } },
      [
        "targets[0].assumeRole.roleArn is missing: give the role to assume in the user's account, e.g. " +
          '{ "roleArn": "arn:aws:iam::{account}:role/ado-key-rotator-{step}", "externalId": "..." }',
      ],
    ],
    [
      'braces in a role name other than {step}, an external id too short, secretInAccount not a boolean',
      {
        iamUserName: 'deployer',
        assumeRole: { roleArn: 'arn:aws:iam::222222222222:role/ado-{x}', externalId: 'e', secretInAccount: 'yes' },
      },
      [
        'targets[0].assumeRole.roleArn is not an IAM role ARN: give arn:aws:iam::{12-digit account}:role/{name}, ' +
          'where "{step}" may stand for the step (the roles AdoKeyRotatorMemberRoles creates: ado-key-rotator-{step})',
        'targets[0].assumeRole.externalId is not a valid external id: use 2-1224 letters, digits or +=,.@:/-_, the ' +
          "value the role's trust policy requires (sts:ExternalId)",
        'targets[0].assumeRole.secretInAccount is "yes", not true or false: true when the target\'s secret lives in ' +
          'that account',
      ],
    ],
    [
      'a role ARN that is not a string and an external id that is a number',
      { iamUserName: 'deployer', assumeRole: { roleArn: 7, externalId: 12345 } },
      [
        'targets[0].assumeRole.roleArn is not an IAM role ARN: give arn:aws:iam::{12-digit account}:role/{name}, ' +
          'where "{step}" may stand for the step (the roles AdoKeyRotatorMemberRoles creates: ado-key-rotator-{step})',
        'targets[0].assumeRole.externalId is not a valid external id: use 2-1224 letters, digits or +=,.@:/-_, the ' +
          "value the role's trust policy requires (sts:ExternalId)",
      ],
    ],
    [
      'a secret ARN in another account than the role while secretInAccount is true',
      {
        iamUserName: 'deployer',
        assumeRole: { roleArn: ROLE, secretInAccount: true },
        secretId: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:ado-key-rotator/member',
      },
      [
        'targets[0].secretId is in account 333333333333, but assumeRole.secretInAccount says the secret lives in ' +
          "account 222222222222, the role's",
      ],
    ],
    [
      'a user ARN that is not a string',
      { iamUserArn: 42 },
      [
        'targets[0].iamUserArn is not an IAM user ARN: give arn:aws:iam::{12-digit account}:user/{path/}{name}, as ' +
          '`aws iam get-user` shows it (e.g. arn:aws:iam::111122223333:user/ci/deployer)',
      ],
    ],
    [
      'an IAM path without its slashes',
      { iamUserName: 'deployer', iamUserPath: 'ci' },
      [
        'targets[0].iamUserPath is "ci", not an IAM path: use "/" or segments between slashes, e.g. "/ci/" (see ' +
          "the user's ARN)",
      ],
    ],
    [
      'an IAM path of 513 characters',
      { iamUserName: 'deployer', iamUserPath: `/${'a'.repeat(510)}/x` },
      [
        `targets[0].iamUserPath is "/${'a'.repeat(75)}..., not an IAM path: use "/" or segments between slashes, ` +
          `e.g. "/ci/" (see the user's ARN)`,
      ],
    ],
    [
      'an IAM path of 513 characters that has the shape of one',
      { iamUserName: 'deployer', iamUserPath: `/${'a'.repeat(511)}/` },
      [
        `targets[0].iamUserPath is "/${'a'.repeat(75)}..., not an IAM path: use "/" or segments between slashes, ` +
          `e.g. "/ci/" (see the user's ARN)`,
      ],
    ],
    [
      'an IAM path that is not a string',
      { iamUserName: 'deployer', iamUserPath: 3 },
      [
        'targets[0].iamUserPath is 3, not an IAM path: use "/" or segments between slashes, e.g. "/ci/" (see ' +
          "the user's ARN)",
      ],
    ],
  ];
  for (const [what, extra, expected] of cases) {
    it(`refuses ${what}, naming the field`, () => {
      expect(problemsOf(extra)).toEqual(expected);
    });
  }

  it('takes what agrees: a user ARN with its own name and path, a role named with {step}, the longest path', () => {
    // Act
    const byArn = parse({
      iamUserArn: 'arn:aws:iam::222222222222:user/deployer',
      iamUserName: 'deployer',
      iamUserPath: '/',
      assumeRole: { roleArn: 'arn:aws:iam::222222222222:role/{step}', externalId: 'ab', secretInAccount: false },
      secretId: 'ado-key-rotator/member',
    });
    const longest = parse({ iamUserName: 'deployer', iamUserPath: `/${'a'.repeat(510)}/` });
    const longRole = parse({
      iamUserName: 'deployer',
      assumeRole: { roleArn: `arn:aws:iam::222222222222:role/${'r'.repeat(50)}{step}` },
    });

    // Assess
    expect(byArn).toEqual({
      name: 'member',
      iamUserName: 'deployer',
      iamUserArn: 'arn:aws:iam::222222222222:user/deployer',
      assumeRole: { roleArn: 'arn:aws:iam::222222222222:role/{step}', externalId: 'ab' },
      secretId: 'ado-key-rotator/member',
      connection: target().connection,
    });
    expect(longest?.iamUserPath).toHaveLength(512);
    expect(longRole?.assumeRole?.roleArn).toContain('{step}');
  });

  it('refuses a role name that leaves no room for the step', () => {
    // Act
    const list = problemsOf({
      iamUserName: 'deployer',
      assumeRole: { roleArn: `arn:aws:iam::222222222222:role/${'r'.repeat(51)}{step}` },
    });

    // Assess
    expect(list).toEqual([expect.stringMatching(/^targets\[0\]\.assumeRole\.roleArn is not an IAM role ARN: /)]);
  });

  it('reaches the secret by name or in another account without secretInAccount, and by name with it', () => {
    // Act
    const elsewhere = parse({
      iamUserName: 'deployer',
      assumeRole: { roleArn: ROLE },
      secretId: 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:ado-key-rotator/member',
    });
    const byName = parse({ iamUserName: 'deployer', assumeRole: { roleArn: ROLE, secretInAccount: true } });
    const longName = parse({
      iamUserName: 'deployer',
      assumeRole: { roleArn: `arn:aws:iam::222222222222:role/${'r'.repeat(64)}` },
    });

    // Assess
    expect(elsewhere?.assumeRole).toStrictEqual({ roleArn: ROLE });
    expect(byName?.assumeRole).toStrictEqual({ roleArn: ROLE, secretInAccount: true });
    expect(longName?.assumeRole?.roleArn).toMatch(/r{64}$/);
  });
});

describe('Functions: parseIamUser and parseAssumeRole (nothing half-checked is returned)', () => {
  it.each([
    ['no name', {}],
    ['a name that is not one', { iamUserName: 'a b' }],
    ['a path that is not one', { iamUserName: 'deployer', iamUserPath: 'ci' }],
    ['an ARN whose name disagrees', { iamUserArn: 'arn:aws:iam::222222222222:user/deployer', iamUserName: 'x' }],
    ['an ARN whose path disagrees', { iamUserArn: 'arn:aws:iam::222222222222:user/deployer', iamUserPath: '/ci/' }],
  ])('gives no user for %s, with its problem', (_label, fields) => {
    // Prepare
    const problems = new Problems();

    // Act
    const user = parseIamUser(fields, 'targets[0]', problems);

    // Assess
    expect(user).toBeUndefined();
    expect(problems.list).toHaveLength(1);
  });

  it.each([
    ['a bad external id', { roleArn: ROLE, externalId: '!' }],
    ['a secretInAccount that is not a boolean', { roleArn: ROLE, secretInAccount: 'yes' }],
    ['a role in another account than the user', { roleArn: 'arn:aws:iam::333333333333:role/x' }],
  ])('gives no role for %s, with its problem', (_label, value) => {
    // Prepare
    const problems = new Problems();
    problems.add('targets[0].name', 'is an earlier problem');

    // Act
    const role = parseAssumeRole(value, 'targets[0]', problems, '222222222222');

    // Assess
    expect(role).toBeUndefined();
    expect(problems.list).toHaveLength(2);
  });

  it('gives the role, even after earlier problems of the file', () => {
    // Prepare
    const problems = new Problems();
    problems.add('targets[0].name', 'is an earlier problem');

    // Act
    const role = parseAssumeRole({ roleArn: ROLE }, 'targets[0]', problems, '222222222222');

    // Assess
    expect(role).toStrictEqual({ roleArn: ROLE });
  });
});
