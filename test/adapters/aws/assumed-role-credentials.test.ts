/**
 * The credentials of a role in another account, at the wire: the real STS client asks the STS stub
 * (AssumeRole), the real IAM client signs with what it answered, and the IAM stub accepts only sessions
 * STS issued and that have not expired. One clock drives the stubs, another the cache (they differ only
 * where a test says so: a machine whose clock is behind AWS's).
 */
import { STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountRoutedIamAccessKeys } from '../../../src/adapters/aws/account-routing.js';
import { AssumedRoleCredentials } from '../../../src/adapters/aws/assumed-role-credentials.js';
import type { IamUserRef } from '../../../src/domain/accounts.js';
import { AwsAccessDeniedError } from '../../../src/domain/errors.js';
import { ROTATOR_CREDENTIALS, TEST_REGION, testIamClient } from '../../../local/aws-wire/clients.js';
import { IamWire } from '../../../local/aws-wire/iam-wire.js';
import { StsWire } from '../../../local/aws-wire/sts-wire.js';

const ROTATOR_ROLE = 'arn:aws:iam::123456789012:role/AdoKeyRotator-PlanRole';
const MEMBER_ROLE = 'arn:aws:iam::222222222222:role/ado-key-rotator-plan';
const EXTERNAL_ID = 'external-id-0001';
const USER: IamUserRef = {
  userName: 'deployer',
  accountId: '222222222222',
  via: { roleArn: 'arn:aws:iam::222222222222:role/ado-key-rotator-{step}', externalId: EXTERNAL_ID, target: 'app' },
};

afterEach(() => vi.unstubAllEnvs());

function setUp(options: { cacheBehindMs?: number } = {}) {
  vi.stubEnv('AWS_REGION', TEST_REGION);
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  let now = Date.parse('2026-11-30T02:00:00Z');
  const sts = new StsWire({ now: () => new Date(now) })
    .install()
    .addRole(ROTATOR_CREDENTIALS.accessKeyId, ROTATOR_ROLE)
    .allowAssumeRole(MEMBER_ROLE, { trustedRoleArns: [ROTATOR_ROLE], externalId: EXTERNAL_ID });
  const iam = new IamWire({ now: () => new Date(now) }).install().acceptSessionsFrom(sts);
  iam.seedKey('deployer');
  const roles = new AssumedRoleCredentials(
    new STSClient({ region: TEST_REGION, credentials: ROTATOR_CREDENTIALS, maxAttempts: 1 }),
    { step: () => 'plan', now: () => now - (options.cacheBehindMs ?? 0) },
  );
  const port = new AccountRoutedIamAccessKeys(testIamClient(), roles);
  const assumeCalls = () => sts.requests.filter((r) => r.operation === 'AssumeRole');
  return { sts, iam, roles, port, assumeCalls, advance: (ms: number) => (now += ms) };
}

describe('AssumedRoleCredentials (through the routed IAM port, at the wire)', () => {
  it('assumes the step’s role once and signs every call of its session with the temporary key and token', async () => {
    // Prepare
    const { sts, iam, port, assumeCalls } = setUp();

    // Act
    await port.listKeys(USER);
    await port.listKeys(USER);

    // Assess
    expect(assumeCalls().map((r) => r.params)).toEqual([
      {
        RoleArn: MEMBER_ROLE,
        RoleSessionName: 'ado-key-rotator.plan.app',
        DurationSeconds: '3600',
        ExternalId: EXTERNAL_ID,
      },
    ]);
    expect(iam.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of iam.requests) {
      expect(request.signedWith).toMatch(/^ASIA/);
      expect(request.sessionToken).toBe(sts.session(request.signedWith ?? '')?.sessionToken);
    }
  });

  it('uses the rotator’s own credentials for a user with no route', async () => {
    // Prepare
    const { iam, port, assumeCalls } = setUp();

    // Act
    await port.listKeys('deployer');

    // Assess
    expect(assumeCalls()).toEqual([]);
    expect(iam.requests.every((r) => r.signedWith === ROTATOR_CREDENTIALS.accessKeyId && !r.sessionToken)).toBe(true);
  });

  it('assumes the role again five minutes before the session expires, not later', async () => {
    // Prepare
    const { roles, assumeCalls, advance } = setUp();
    const session = roles.session(USER.via!);
    const first = await roles.credentials(session);

    // Act: 54 minutes on, the hour-long session still has 6 minutes; at 56 minutes, 4.
    advance(54 * 60_000);
    const atFiftyFour = await roles.credentials(session);
    advance(2 * 60_000);
    const atFiftySix = await roles.credentials(session);

    // Assess
    expect(atFiftyFour.accessKeyId).toBe(first.accessKeyId);
    expect(atFiftySix.accessKeyId).not.toBe(first.accessKeyId);
    expect(atFiftySix.expiration.getTime()).toBeGreaterThan(first.expiration.getTime());
    expect(assumeCalls()).toHaveLength(2);
  });

  it('shares one AssumeRole between concurrent callers of a session', async () => {
    // Prepare
    const { roles, assumeCalls } = setUp();
    const session = roles.session(USER.via!);

    // Act
    const all = await Promise.all([1, 2, 3].map(() => roles.credentials(session)));

    // Assess
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(assumeCalls()).toHaveLength(1);
  });

  it('drops a session AWS calls expired (a clock behind AWS’s) and retries the call once with a new one', async () => {
    // Prepare: the cache's clock is two hours behind the stubs'.
    const { iam, port, assumeCalls, advance } = setUp({ cacheBehindMs: 2 * 3_600_000 });
    await port.listKeys(USER);
    advance(3_600_000);

    // Act
    const keys = await port.listKeys(USER);

    // Assess: the first ListAccessKeys of the second call was refused ExpiredToken, then made again.
    expect(keys).toHaveLength(1);
    expect(assumeCalls()).toHaveLength(2);
    expect(iam.requests.filter((r) => r.operation === 'ListAccessKeys')).toHaveLength(3);
  });

  it('refuses with AwsAccessDeniedError naming role, step and target, not the external id', async () => {
    // Prepare
    const { iam, port } = setUp();
    const wrong: IamUserRef = { ...USER, via: { ...USER.via!, externalId: 'not-the-right-one' } };

    // Act
    const error = await port.listKeys(wrong).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsAccessDeniedError);
    const text = JSON.stringify({
      message: (error as Error).message,
      context: (error as AwsAccessDeniedError).context,
    });
    expect(text).toContain(`could not assume ${MEMBER_ROLE} for target app`);
    expect(text).not.toContain('not-the-right-one');
    expect(iam.requests).toEqual([]);
  });
});
