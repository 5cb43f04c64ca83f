/**
 * The OIDC trust of a keyless connection: template placeholders, the organization's name, the issuer's
 * host (IAM's provider URL and condition-key prefix), the retiring issuer, the role trust policy and the
 * role name. Each value ends up in IAM, where a wrong character is a role nobody can assume.
 */
import { describe, expect, it } from 'vitest';
import {
  fill,
  issuerHost,
  type OidcValues,
  organizationName,
  roleNameFor,
  trustPolicy,
  usesRetiringIssuer,
} from '../../../src/domain/keyless/oidc.js';

const ORG_ID = '5e0a4b4c-0000-4000-8000-00000000c0de';
const VALUES: OidcValues = {
  organizationId: ORG_ID,
  organization: 'contoso',
  project: 'p',
  connection: 'c',
  connectionId: 'id',
};

describe('Function: fill', () => {
  it.each([
    ['sc://{organization}/{project}/{connection}', VALUES, 'sc://contoso/p/c'],
    ['https://vstoken.dev.azure.com/{organizationId}', VALUES, `https://vstoken.dev.azure.com/${ORG_ID}`],
    ['{connectionId}:{connectionId}', VALUES, 'id:id'],
    [
      'https://login.microsoftonline.com/{tenantId}/v2.0',
      { ...VALUES, tenantId: 't1' },
      'https://login.microsoftonline.com/t1/v2.0',
    ],
    ['no placeholder', VALUES, 'no placeholder'],
  ])('fills %j', (template, values, filled) => {
    // Act / Assess
    expect(fill(template, values)).toBe(filled);
  });

  it.each([
    ['a placeholder without a value', '{tenantId}', VALUES, 'tenantId'],
    ['an empty value', 'sc://{organization}', { ...VALUES, organization: '' }, 'organization'],
    ['a typo', 'sc://{organisation}/{project}', VALUES, 'organisation'],
  ])('refuses %s, naming the template, the placeholder and the known ones', (_case, template, values, name) => {
    // Act / Assess
    expect(() => fill(template, values)).toThrow(
      `the OIDC template "${template}" names {${name}}, which has no value here (known: organizationId, ` +
        'organization, project, connection, connectionId, tenantId)',
    );
  });
});

describe('Function: organizationName', () => {
  it.each([
    ['https://dev.azure.com/contoso', 'contoso'],
    ['https://dev.azure.com/contoso/', 'contoso'],
    ['https://dev.azure.com//contoso/payments', 'contoso'],
    ['https://dev.azure.com/my%20org', 'my org'],
    ['https://contoso.visualstudio.com', 'contoso'],
    ['https://Contoso.VisualStudio.com/DefaultCollection', 'contoso'],
    ['https://ado.example.com/', 'ado.example.com'],
  ])('%s names %j', (url, name) => {
    // Act / Assess
    expect(organizationName(url)).toBe(name);
  });
});

describe('Function: issuerHost', () => {
  it.each([
    [`https://vstoken.dev.azure.com/${ORG_ID}`, `vstoken.dev.azure.com/${ORG_ID}`],
    ['HTTPS://login.microsoftonline.com/t/v2.0//', 'login.microsoftonline.com/t/v2.0'],
    ['https://a//b//', 'a//b'],
    ['issuer.example/https://x/', 'issuer.example/https://x'],
    ['http://plain.example', 'http://plain.example'],
  ])('%s is %s', (issuer, host) => {
    // Act / Assess
    expect(issuerHost(issuer)).toBe(host);
  });
});

describe('Function: usesRetiringIssuer', () => {
  it.each([
    [`https://vstoken.dev.azure.com/${ORG_ID}`, true],
    [`HTTPS://VSTOKEN.dev.azure.com/${ORG_ID}`, true],
    ['https://login.microsoftonline.com/t/v2.0', false],
    ['https://issuer.example/vstoken.dev.azure.com', false],
  ])('%s: %s', (issuer, retiring) => {
    // Act / Assess
    expect(usesRetiringIssuer(issuer)).toBe(retiring);
  });
});

describe('Function: trustPolicy', () => {
  it('lets only this provider assume the role by web identity, for exactly this audience and subject', () => {
    // Prepare
    const provider = `arn:aws:iam::123456789012:oidc-provider/vstoken.dev.azure.com/${ORG_ID}`;
    // Act
    const policy = JSON.parse(
      trustPolicy(provider, `https://vstoken.dev.azure.com/${ORG_ID}/`, 'api://AzureADTokenExchange', 'sc://o/p/c'),
    );
    // Assess
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AzureDevOpsServiceConnection',
          Effect: 'Allow',
          Principal: { Federated: provider },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`vstoken.dev.azure.com/${ORG_ID}:aud`]: 'api://AzureADTokenExchange',
              [`vstoken.dev.azure.com/${ORG_ID}:sub`]: 'sc://o/p/c',
            },
          },
        },
      ],
    });
  });
});

describe('Function: roleNameFor', () => {
  it.each([
    ['web', 'ado-oidc-web'],
    ['payments/web app', 'ado-oidc-payments-web-app'],
    ['a_b+c=d,e.f@g-h', 'ado-oidc-a_b+c=d,e.f@g-h'],
    ['x:y', 'ado-oidc-x-y'],
    ['t'.repeat(80), `ado-oidc-${'t'.repeat(55)}`],
  ])('%s: %s (IAM allows 64 characters of [\\w+=,.@-])', (target, role) => {
    // Act / Assess
    expect(roleNameFor(target)).toBe(role);
  });
});
