/**
 * The organization-URL rules on their own (src/config/organization-url.ts): which hosts may receive the credential,
 * over which protocol, with and without a configuration's rules (the adapter checks URLs from the CLI and the demo).
 */
import { describe, expect, it } from 'vitest';
import { checkOrganizationUrl, ORG_URL_HINT, type OrganizationUrlRules } from '../../src/config/organization-url.js';

const HTTPS_ONLY = `must use https (the rotator sends a credential to it); ${ORG_URL_HINT}`;
const OUTSIDE =
  'names a host that is neither dev.azure.com, {org}.visualstudio.com nor one of azureDevOpsServerHosts: the ' +
  'rotator sends a credential only to Azure DevOps; list an Azure DevOps Server host in azureDevOpsServerHosts';

describe('Function: checkOrganizationUrl', () => {
  it.each<[string, OrganizationUrlRules]>([
    ['https://tfs.contoso.internal/tfs/DefaultCollection', {}],
    ['http://127.0.0.1:8080/contoso', {}],
    ['https://tfs.contoso.internal/tfs/DefaultCollection', { serverHosts: ['other.example', 'TFS.contoso.internal'] }],
  ])('accepts %s under %j', (url, rules) => {
    // Act
    const result = checkOrganizationUrl(url, rules);

    // Assess
    expect(result).toEqual({ ok: true, url });
  });

  it.each<[string, OrganizationUrlRules, string]>([
    ['ftp://127.0.0.1/contoso', { serverHosts: [], allowLoopbackHttp: true }, HTTPS_ONLY],
    [
      'http://tfs.contoso.internal/tfs/x',
      { serverHosts: ['tfs.contoso.internal'], allowLoopbackHttp: true },
      HTTPS_ONLY,
    ],
    ['https://attacker.example/collect', { serverHosts: [], allowLoopbackHttp: true }, OUTSIDE],
    ['https://tfs.contoso.internal/tfs/x', { serverHosts: ['other.example'] }, OUTSIDE],
    ['https://evil.contoso.visualstudio.com/', { serverHosts: [] }, OUTSIDE],
    [
      'https://contoso.visualstudio.com.evil.example/x',
      { serverHosts: ['contoso.visualstudio.com.evil.example'] },
      'ok',
    ],
  ])('judges %s under %j', (url, rules, problem) => {
    // Act
    const result = checkOrganizationUrl(url, rules);

    // Assess
    expect(result).toEqual(problem === 'ok' ? { ok: true, url } : { ok: false, problem });
  });
});
