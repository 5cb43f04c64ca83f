/**
 * Where a target's IAM user and secret live, as the ports take them: the rotator's own account, or another one
 * reached through a role (one per step). References hold ARNs and names only.
 */
import { describe, expect, it } from 'vitest';
import {
  accountOfArn,
  accountOfTarget,
  iamUserArnOf,
  iamUserOf,
  roleArnForStep,
  routeOf,
  routeOfSecret,
  routeOfUser,
  secretIdOf,
  secretOf,
  userNameOf,
} from '../../src/domain/accounts.js';
import type { RotationTarget } from '../../src/domain/model.js';

const ROLE = 'arn:aws:iam::222222222222:role/ado-key-rotator-{step}';
const target = (extra: Partial<RotationTarget> = {}): RotationTarget => ({
  name: 'member',
  iamUserName: 'ado-member',
  secretId: 'ado-key-rotator/member',
  connection: { organizationUrl: 'https://dev.azure.com/contoso', project: 'payments', connectionName: 'aws' },
  ...extra,
});
const ROUTE = { roleArn: ROLE, target: 'member' };

describe('Functions: userNameOf, secretIdOf, routeOfUser, routeOfSecret', () => {
  it('take a bare name as the rotator’s own account (no route), and a reference as it says', () => {
    // Act
    const bare = [userNameOf('ado-a'), secretIdOf('ado-key-rotator/a'), routeOfUser('ado-a'), routeOfSecret('s')];
    const referenced = [
      userNameOf({ userName: 'ado-b', via: ROUTE }),
      secretIdOf({ secretId: 'ado-key-rotator/b', via: ROUTE }),
      routeOfUser({ userName: 'ado-b', via: ROUTE }),
      routeOfSecret({ secretId: 'ado-key-rotator/b', via: ROUTE }),
    ];

    // Assess
    expect(bare).toEqual(['ado-a', 'ado-key-rotator/a', undefined, undefined]);
    expect(referenced).toEqual(['ado-b', 'ado-key-rotator/b', ROUTE, ROUTE]);
  });
});

describe('Function: accountOfArn', () => {
  it.each([
    ['an IAM role ARN', ROLE, '222222222222'],
    ['a user ARN in another partition', 'arn:aws-cn:iam::333333333333:user/ci/x', '333333333333'],
    ['a regional ARN', 'arn:aws:secretsmanager:eu-west-1:444444444444:secret:x', '444444444444'],
    ['an account id of 11 digits', 'arn:aws:iam::22222222222:role/x', undefined],
    ['an account id of 13 digits', 'arn:aws:iam::2222222222222:role/x', undefined],
    ['text before the ARN', 'x arn:aws:iam::222222222222:role/x', undefined],
    ['no ARN at all', 'ado-member', undefined],
  ])('reads %s', (_label, arn, account) => {
    expect(accountOfArn(arn)).toBe(account);
  });
});

describe('Function: routeOf', () => {
  it('routes a target with a role through it, with its external id only when there is one', () => {
    // Act
    const withId = routeOf(target({ assumeRole: { roleArn: ROLE, externalId: 'ext-1' } }));
    const withoutId = routeOf(target({ assumeRole: { roleArn: ROLE } }));

    // Assess
    expect(withId).toStrictEqual({ roleArn: ROLE, externalId: 'ext-1', target: 'member' });
    expect(withoutId).toStrictEqual({ roleArn: ROLE, target: 'member' });
    expect(routeOf(target())).toBeUndefined();
  });
});

describe('Function: accountOfTarget', () => {
  it('takes the role’s account first, else the user ARN’s, else none', () => {
    // Act
    const accounts = [
      accountOfTarget(
        target({ assumeRole: { roleArn: ROLE }, iamUserArn: 'arn:aws:iam::999999999999:user/ado-member' }),
      ),
      accountOfTarget(target({ iamUserArn: 'arn:aws:iam::999999999999:user/ado-member' })),
      accountOfTarget(target()),
    ];

    // Assess
    expect(accounts).toEqual(['222222222222', '999999999999', undefined]);
  });
});

describe('Function: iamUserOf', () => {
  it('gives the user’s name, path, account and route, each only when known', () => {
    // Act
    const full = iamUserOf(target({ iamUserPath: '/ci/', assumeRole: { roleArn: ROLE } }));
    const own = iamUserOf(target());

    // Assess
    expect(full).toStrictEqual({ userName: 'ado-member', path: '/ci/', accountId: '222222222222', via: ROUTE });
    expect(own).toStrictEqual({ userName: 'ado-member' });
  });
});

describe('Function: secretOf', () => {
  it('routes the secret through the role only when it lives in the member account', () => {
    // Act
    const there = secretOf(target({ assumeRole: { roleArn: ROLE, secretInAccount: true } }));
    const here = secretOf(target({ assumeRole: { roleArn: ROLE } }));

    // Assess
    expect(there).toStrictEqual({ secretId: 'ado-key-rotator/member', via: ROUTE });
    expect(here).toStrictEqual({ secretId: 'ado-key-rotator/member' });
    expect(secretOf(target())).toStrictEqual({ secretId: 'ado-key-rotator/member' });
  });
});

describe('Function: iamUserArnOf', () => {
  it('builds the user’s ARN with its path when the account is known, in the partition asked', () => {
    // Act
    const arns = [
      iamUserArnOf(target({ assumeRole: { roleArn: ROLE }, iamUserPath: '/ci/' })),
      iamUserArnOf(target({ assumeRole: { roleArn: ROLE } }), 'aws-us-gov'),
      iamUserArnOf(target()),
    ];

    // Assess
    expect(arns).toEqual([
      'arn:aws:iam::222222222222:user/ci/ado-member',
      'arn:aws-us-gov:iam::222222222222:user/ado-member',
      undefined,
    ]);
  });
});

describe('Function: roleArnForStep', () => {
  it('puts the step’s name in every {step} of the role ARN', () => {
    expect(roleArnForStep('arn:aws:iam::222222222222:role/{step}/rotator-{step}', 'revoke')).toBe(
      'arn:aws:iam::222222222222:role/revoke/rotator-revoke',
    );
  });
});
