import { describe, expect, it } from 'vitest';
import {
  type ParsedCredential,
  parseConnectionCredential,
  parseExpiryDate,
} from '../../src/config/connection-credential.js';
import { Problems } from '../../src/config/problems.js';
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

/** Every problem of the connection, one line each, without the header. */
const problemList = (credential: Record<string, unknown>): string[] =>
  problem(credential)
    .replace(/^Invalid rotation configuration(?: \(\d+ problems\))?:\s*/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*- /, ''));

describe('Configuration: the exact problems of a connection credential', () => {
  const at = 'targets[0].connection';
  const fed = `${at}.federatedCredential`;
  const tenantHint = 'use the Entra tenant (directory) id, a GUID, or its verified domain';
  const clientHint = "use the app registration's application (client) id, a GUID";
  const noSecret = 'a federated credential has no secret: remove it (and revoke it if it was real)';
  const hint = 'give { "tenantId": "<Entra tenant id>", "clientId": "<app registration client id>" }';
  const rows: Array<[string, Record<string, unknown>, string[]]> = [
    [
      'both kinds, saying nothing more about the parameter',
      { credentialParameter: 'not-a-parameter', federatedCredential: { tenantId: TENANT, clientId: CLIENT } },
      [
        `${at} has both credentialParameter and federatedCredential: keep federatedCredential (no stored secret) or ` +
          'credentialParameter (a PAT or client secret in SSM), not both',
      ],
    ],
    [
      'an expiry on a federated credential, asking for no parameter',
      { federatedCredential: { tenantId: TENANT, clientId: CLIENT }, credentialExpiresOn: '2027-01-01' },
      [
        `${at}.credentialExpiresOn is set for a federated credential, which has no secret and does not expire: ` +
          'remove it',
      ],
    ],
    ['a federated credential that is null', { federatedCredential: null }, [`${fed} is not an object: ${hint}`]],
    [
      'a bad expiry and a bad parameter, both',
      { credentialParameter: 'pat', credentialExpiresOn: 'soon' },
      [
        `${at}.credentialExpiresOn is not a date: give the day the PAT or client secret expires as "YYYY-MM-DD" ` +
          '(UTC), as Azure DevOps or Entra shows it',
        `${at}.credentialParameter is not an SSM parameter name: it must start with "/" and name the SecureString ` +
          'parameter holding the Azure DevOps PAT',
      ],
    ],
    [
      'secret-like and unknown fields, ids of the wrong kind',
      { federatedCredential: { tenantId: 5, clientId: 'app', password: 'p', token: 't', apiKey: 'k', name: 'n' } },
      [
        `${fed}.password is not a known field: ${noSecret}`,
        `${fed}.token is not a known field: ${noSecret}`,
        `${fed}.apiKey is not a known field: ${noSecret}`,
        `${fed}.name is not a known field: expected only tenantId, clientId`,
        `${fed}.tenantId is not a tenant id: ${tenantHint}`,
        `${fed}.clientId is not a client id: ${clientHint}`,
      ],
    ],
    [
      'a tenant that is neither a GUID nor a domain, and no client',
      { federatedCredential: { tenantId: 'contoso' } },
      [`${fed}.tenantId is not a tenant id: ${tenantHint}`, `${fed}.clientId is missing: ${clientHint}`],
    ],
    [
      'a client id that is a domain',
      { federatedCredential: { tenantId: 'contoso.onmicrosoft.com', clientId: 'contoso.onmicrosoft.com' } },
      [`${fed}.clientId is not a client id: ${clientHint}`],
    ],
  ];
  it.each(rows)('refuses %s', (_label, credential, expected) => {
    // Act
    const list = problemList(credential);

    // Assess
    expect(list).toEqual(expected);
  });

  it('takes GUIDs in capitals for both ids', () => {
    // Prepare
    const ids = { tenantId: TENANT.toUpperCase(), clientId: CLIENT.toUpperCase() };

    // Act
    const config = parseRotationConfig(withConnection({ federatedCredential: ids }));

    // Assess
    expect(config.targets[0]?.connection.federatedCredential).toEqual(ids);
  });
});

describe('Function: parseConnectionCredential (what the caller must do next)', () => {
  const federatedCredential = { tenantId: TENANT, clientId: CLIENT };
  const rows: Array<[string, Record<string, unknown>, ParsedCredential]> = [
    ['a stored credential', { credentialParameter: '/p' }, { needsParameter: true, ok: true }],
    ['no credential at all (the parameter is then required)', {}, { needsParameter: true, ok: true }],
    [
      'a stored credential with its expiry',
      { credentialParameter: '/p', credentialExpiresOn: '2027-03-31' },
      { needsParameter: true, credentialExpiresOn: '2027-03-31', ok: true },
    ],
    ['a bad expiry', { credentialParameter: '/p', credentialExpiresOn: 'soon' }, { needsParameter: true, ok: false }],
    ['both kinds', { credentialParameter: '/p', federatedCredential }, { needsParameter: false, ok: false }],
    ['a federated credential', { federatedCredential }, { needsParameter: false, federatedCredential, ok: true }],
    [
      'a federated credential with an expiry',
      { federatedCredential, credentialExpiresOn: '2027-03-31' },
      { needsParameter: false, ok: false },
    ],
    [
      'a federated credential with a bad tenant',
      { federatedCredential: { ...federatedCredential, tenantId: 'x' } },
      {
        needsParameter: false,
        ok: false,
      },
    ],
    [
      'a federated credential with a bad client',
      { federatedCredential: { ...federatedCredential, clientId: 'x' } },
      {
        needsParameter: false,
        ok: false,
      },
    ],
  ];
  it.each(rows)('reads %s', (_label, connection, expected) => {
    // Prepare
    const problems = new Problems();

    // Act
    const parsed = parseConnectionCredential(connection, 'connection', problems);

    // Assess
    expect(parsed).toStrictEqual(expected);
    expect(problems.list.length === 0).toBe(expected.ok);
  });
});
