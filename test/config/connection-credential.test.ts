import { describe, expect, it } from 'vitest';
import { parseExpiryDate } from '../../src/config/connection-credential.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { ConfigurationError } from '../../src/domain/errors.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0e3f6c1a-5b7d-4c2e-9a8f-1d2c3b4a5e6f';

/** One target whose connection takes the given credential fields. */
const withConnection = (credential: Record<string, unknown>) => ({
  targets: [
    {
      name: 'app-prod',
      iamUserName: 'ado-app-prod',
      secretId: 'ado-key-rotator/app-prod',
      connection: {
        organizationUrl: 'https://dev.azure.com/contoso',
        project: 'payments',
        connectionName: 'aws-prod',
        ...credential,
      },
    },
  ],
});

const problem = (credential: Record<string, unknown>): string => {
  try {
    parseRotationConfig(withConnection(credential));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('Configuration: the Azure DevOps credential of a connection', () => {
  it('accepts a federated credential with no parameter: ids only, no secret', () => {
    // Prepare, Act
    const config = parseRotationConfig(withConnection({ federatedCredential: { tenantId: TENANT, clientId: CLIENT } }));

    // Assess
    expect(config.targets[0]?.connection).toEqual({
      organizationUrl: 'https://dev.azure.com/contoso',
      project: 'payments',
      connectionName: 'aws-prod',
      federatedCredential: { tenantId: TENANT, clientId: CLIENT },
    });
  });

  it('accepts a tenant named by its verified domain', () => {
    // Prepare, Act
    const config = parseRotationConfig(
      withConnection({ federatedCredential: { tenantId: 'contoso.onmicrosoft.com', clientId: CLIENT } }),
    );

    // Assess
    expect(config.targets[0]?.connection.federatedCredential?.tenantId).toBe('contoso.onmicrosoft.com');
  });

  it('keeps the expiry date of a PAT or client secret', () => {
    // Prepare, Act
    const config = parseRotationConfig(
      withConnection({ credentialParameter: '/ado-key-rotator/ado/pat', credentialExpiresOn: '2027-03-31' }),
    );

    // Assess
    expect(config.targets[0]?.connection).toMatchObject({
      credentialParameter: '/ado-key-rotator/ado/pat',
      credentialExpiresOn: '2027-03-31',
    });
  });

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['neither kind', {}, /connection\.credentialParameter is missing: .*or give federatedCredential instead/],
    [
      'both kinds',
      { credentialParameter: '/ado-key-rotator/ado/pat', federatedCredential: { tenantId: TENANT, clientId: CLIENT } },
      /has both credentialParameter and federatedCredential/,
    ],
    [
      'a client id that is not a GUID',
      { federatedCredential: { tenantId: TENANT, clientId: 'my-app' } },
      /federatedCredential\.clientId is not a client id: .*GUID/,
    ],
    ['no tenant', { federatedCredential: { clientId: CLIENT } }, /federatedCredential\.tenantId is missing/],
    ['a list instead of an object', { federatedCredential: [TENANT, CLIENT] }, /federatedCredential is not an object/],
    [
      'an expiry on a federated credential',
      { federatedCredential: { tenantId: TENANT, clientId: CLIENT }, credentialExpiresOn: '2027-01-01' },
      /credentialExpiresOn is set for a federated credential/,
    ],
    [
      'an expiry that is not a calendar day',
      { credentialParameter: '/ado-key-rotator/ado/pat', credentialExpiresOn: '2027-02-30' },
      /credentialExpiresOn is not a date: .*YYYY-MM-DD/,
    ],
    [
      'an expiry that is not a string',
      { credentialParameter: '/ado-key-rotator/ado/pat', credentialExpiresOn: 20270101 },
      /credentialExpiresOn is not a date/,
    ],
  ];
  for (const [what, credential, message] of refusals) {
    it(`refuses ${what}, naming the field`, () => {
      // Prepare, Act
      const text = problem(credential);

      // Assess
      expect(text).toMatch(message);
    });
  }

  it('refuses a client secret pasted into federatedCredential without quoting it', () => {
    // Prepare
    const secret = 'Q~8Xv.super-secret-client-value_0123456789';

    // Act
    const text = problem({ federatedCredential: { tenantId: TENANT, clientId: CLIENT, clientSecret: secret } });

    // Assess
    expect(text).toMatch(
      /federatedCredential\.clientSecret is not a known field: a federated credential has no secret/,
    );
    expect(text).not.toContain(secret);
  });

  it('reads expiry dates as whole UTC days and rejects impossible ones', () => {
    // Prepare, Act, Assess
    expect(parseExpiryDate('2027-03-31')).toBe(Date.UTC(2027, 2, 31));
    expect(parseExpiryDate('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    expect(parseExpiryDate('2027-02-29')).toBeUndefined();
    expect(parseExpiryDate('2027-3-31')).toBeUndefined();
  });
});
