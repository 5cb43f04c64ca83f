/**
 * The behaviour every `IamIdentityPort` must have, run against the in-memory fake and against the
 * adapter over the IAM wire stub (test/adapters/aws/iam-identity.contract.test.ts), so `discover`
 * and `migrate-to-oidc` tests on the fake say what the real adapter does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { IamEntityNotFoundError, IamUserNotFoundError } from '../../src/domain/errors.js';
import type { IamIdentityPort } from '../../src/ports/iam-identity.port.js';

export interface IamIdentityHarness {
  port: IamIdentityPort;
  addUser(userName: string): void;
  seedKey(userName: string, lastUsedAt: Date | null): { accessKeyId: string };
  seedUserPolicies(
    userName: string,
    seed: { managed?: string[]; inline?: Record<string, string>; groups?: string[] },
  ): void;
  seedProvider(url: string, clientIds: string[]): string;
}

const USER = 'app-deployer';
const USED = new Date('2026-11-20T12:30:00Z');
const ISSUER = 'https://vstoken.dev.azure.com/5e0a4b4c-0000-4000-8000-00000000c0de';
const AUDIENCE = 'api://AzureADTokenExchange';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/x' },
      Action: 'sts:AssumeRoleWithWebIdentity',
    },
  ],
});
// Characters IAM's URL-encoding of policy documents must round-trip.
const INLINE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/a b+c%/*' }],
});

export function iamIdentityContract(
  label: string,
  makeHarness: () => IamIdentityHarness | Promise<IamIdentityHarness>,
): void {
  describe(`IamIdentityPort contract: ${label}`, () => {
    let harness: IamIdentityHarness;

    beforeEach(async () => {
      harness = await makeHarness();
      harness.addUser(USER);
    });

    it('keyOwner names the user owning a key and its last use (null when never used)', async () => {
      const used = harness.seedKey(USER, USED);
      const unused = harness.seedKey(USER, null);
      expect(await harness.port.keyOwner(used.accessKeyId)).toEqual({
        userName: USER,
        lastUsedAt: USED,
        lastUsedService: 's3',
      });
      expect(await harness.port.keyOwner(unused.accessKeyId)).toEqual({
        userName: USER,
        lastUsedAt: null,
        lastUsedService: null,
      });
    });

    it('keyOwner refuses a key id of no user with IamEntityNotFoundError naming it', async () => {
      const error = await harness.port.keyOwner('AKIANOTINTHISACCOUNT').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IamEntityNotFoundError);
      expect((error as Error).message).toContain('AKIANOTINTHISACCOUNT');
    });

    it('userPermissions lists managed policies, inline documents (decoded) and groups', async () => {
      harness.seedUserPolicies(USER, {
        managed: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        inline: { deploy: INLINE },
        groups: ['admins'],
      });
      expect(await harness.port.userPermissions(USER)).toEqual({
        userArn: `arn:aws:iam::123456789012:user/${USER}`,
        managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        inlinePolicies: [{ name: 'deploy', document: INLINE }],
        groups: ['admins'],
        permissionsBoundaryArn: null,
      });
    });

    it('userPermissions throws IamUserNotFoundError for a missing user', async () => {
      await expect(harness.port.userPermissions('nobody')).rejects.toBeInstanceOf(IamUserNotFoundError);
    });

    it(
      'finds no provider, creates one with the audience, then finds it; adding the audience again changes ' + 'nothing',
      async () => {
        expect(await harness.port.findOidcProvider(ISSUER)).toBeNull();
        const arn = await harness.port.createOidcProvider(ISSUER, AUDIENCE);
        expect(arn).toBe(`arn:aws:iam::123456789012:oidc-provider/${ISSUER.slice('https://'.length)}`);
        await harness.port.addAudience(arn, AUDIENCE);
        expect(await harness.port.findOidcProvider(ISSUER)).toEqual({
          arn,
          url: ISSUER.slice('https://'.length),
          clientIds: [AUDIENCE],
        });
      },
    );

    it('adds the audience to a provider that lacks it', async () => {
      const arn = harness.seedProvider(ISSUER, ['sts.amazonaws.com']);
      await harness.port.addAudience(arn, AUDIENCE);
      expect((await harness.port.findOidcProvider(ISSUER))?.clientIds).toEqual(['sts.amazonaws.com', AUDIENCE]);
    });

    it(
      'creates a role, attaches and puts policies (idempotently), and reads it back with its ' + 'trust policy',
      async () => {
        expect(await harness.port.getRole('ado-oidc-app')).toBeNull();
        const arn = await harness.port.createRole('ado-oidc-app', TRUST, 'keyless');
        for (let i = 0; i < 2; i++) {
          await harness.port.attachRolePolicy('ado-oidc-app', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
          await harness.port.putRolePolicy('ado-oidc-app', 'deploy', INLINE);
        }
        expect(await harness.port.getRole('ado-oidc-app')).toEqual({
          arn: 'arn:aws:iam::123456789012:role/ado-oidc-app',
          trustPolicy: TRUST,
          attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
          inlinePolicyNames: ['deploy'],
        });
        expect(arn).toBe('arn:aws:iam::123456789012:role/ado-oidc-app');
      },
    );

    it('refuses a policy change on a role that does not exist with IamEntityNotFoundError', async () => {
      await expect(
        harness.port.attachRolePolicy('missing', 'arn:aws:iam::aws:policy/ReadOnlyAccess'),
      ).rejects.toBeInstanceOf(IamEntityNotFoundError);
    });
  });
}
