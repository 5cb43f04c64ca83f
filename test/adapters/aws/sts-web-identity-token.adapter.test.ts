import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { StsWebIdentityTokenAdapter } from '../../../src/adapters/aws/sts-web-identity-token.adapter.js';
import {
  AwsAccessDeniedError,
  AwsCallFailedError,
  OutboundFederationDisabledError,
} from '../../../src/domain/errors.js';
import { ROTATOR_CREDENTIALS, TEST_REGION } from '../../../local/aws-wire/clients.js';
import { StsWire } from '../../../local/aws-wire/sts-wire.js';
import { JwtIssuer, readJwt } from '../../../local/federation/jwt-issuer.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/AdoKeyRotator-PlanRole';
const AUDIENCE = 'api://AzureADTokenExchange';

function setUp(options: { federation?: boolean; region?: string } = {}) {
  const issuer = new JwtIssuer();
  const wire = new StsWire().install().addRole(ROTATOR_CREDENTIALS.accessKeyId, ROLE_ARN);
  if (options.federation ?? true) wire.enableOutboundFederation(issuer);
  const client = new STSClient({
    region: options.region ?? TEST_REGION,
    credentials: ROTATOR_CREDENTIALS,
    maxAttempts: 1,
  });
  return { issuer, wire, adapter: new StsWebIdentityTokenAdapter(client) };
}

describe('Class: StsWebIdentityTokenAdapter', () => {
  describe('Method: getToken', () => {
    it(
      'calls GetWebIdentityToken on the regional endpoint with the audience, the duration and RS256, signed ' +
        'by the role',
      async () => {
        // Prepare
        const { wire, adapter } = setUp();

        // Act
        await adapter.getToken(AUDIENCE, 300);

        // Assess: the query API's parameters, as STS documents them (Audience.member.N).
        expect(wire.requests).toEqual([
          {
            operation: 'GetWebIdentityToken',
            params: { 'Audience.member.1': AUDIENCE, DurationSeconds: '300', SigningAlgorithm: 'RS256' },
            signedWith: ROTATOR_CREDENTIALS.accessKeyId,
          },
        ]);
      },
    );

    it('returns the signed token as a secret, whose claims name the issuer, the role and the audience', async () => {
      // Prepare
      const { issuer, adapter } = setUp();

      // Act
      const result = await adapter.getToken(AUDIENCE, 300);

      // Assess
      expect(String(result.token)).toBe('[REDACTED]');
      const jwt = readJwt(result.token.reveal(), issuer.publicKey);
      expect(jwt?.signatureValid).toBe(true);
      expect(jwt?.claims).toMatchObject({ iss: issuer.issuer, sub: ROLE_ARN, aud: AUDIENCE });
      expect(result.expiresAt.getTime() - Date.now()).toBeGreaterThan(290_000);
      expect(result.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    });

    it(
      'refuses with OutboundFederationDisabledError, saying how to enable it, when the account has not ' + 'enabled it',
      async () => {
        // Prepare
        const { adapter } = setUp({ federation: false });

        // Act
        const result = adapter.getToken(AUDIENCE, 300);

        // Assess
        await expect(result).rejects.toThrow(OutboundFederationDisabledError);
        await expect(result).rejects.toThrow(/aws iam enable-outbound-web-identity-federation/);
      },
    );

    it(
      'maps AccessDenied (a role without sts:GetWebIdentityToken for that audience) to ' + 'AwsAccessDeniedError',
      async () => {
        // Prepare
        const { wire, adapter } = setUp();
        wire.failNext('GetWebIdentityToken', {
          status: 403,
          code: 'AccessDenied',
          message: `User: ${ROLE_ARN} is not authorized to perform: sts:GetWebIdentityToken`,
        });

        // Act
        const result = adapter.getToken(AUDIENCE, 300);

        // Assess
        await expect(result).rejects.toThrow(AwsAccessDeniedError);
        await expect(result).rejects.toThrow(/sts:GetWebIdentityToken/);
      },
    );

    it('refuses a client bound to the STS global endpoint before calling it', async () => {
      // Prepare
      const { wire, adapter } = setUp({ region: 'aws-global' });

      // Act
      const result = adapter.getToken(AUDIENCE, 300);

      // Assess
      await expect(result).rejects.toThrow(AwsCallFailedError);
      await expect(result).rejects.toThrow(/not available on the STS global endpoint/);
      expect(wire.requests).toHaveLength(0);
    });
  });
});
