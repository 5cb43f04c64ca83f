import { describe, expect, it } from 'vitest';
import { describePlan, type MigrationFacts, planMigration } from '../../../src/domain/keyless/migration-plan.js';
import {
  DEFAULT_OIDC_SETTINGS,
  fill,
  organizationName,
  trustPolicy,
  usesRetiringIssuer,
} from '../../../src/domain/keyless/oidc.js';

const ORG_ID = '5e0a4b4c-0000-4000-8000-00000000c0de';
const KEY = 'AKIAHELDKEY000000001';

function facts(overrides: Partial<MigrationFacts> = {}): MigrationFacts {
  return {
    target: {
      name: 'web',
      iamUserName: 'ado-web',
      secretId: 'rotator/web',
      connection: {
        organizationUrl: 'https://dev.azure.com/contoso',
        project: 'payments',
        connectionName: 'aws-web',
        credentialParameter: '/p',
      },
    },
    account: '123456789012',
    organization: { organizationId: ORG_ID, hosted: true },
    connection: {
      id: 'c0ffee00-0000-4000-8000-000000000001',
      name: 'aws-web',
      projects: ['payments'],
      auth: 'keys',
      heldAccessKeyId: KEY,
      assumeRoleArn: null,
      externalId: false,
      isReady: true,
    },
    keys: [{ accessKeyId: KEY, status: 'Active', createdAt: new Date(0), lastUsedAt: null }],
    secretKeyId: KEY,
    permissions: {
      userArn: 'arn:aws:iam::123456789012:user/ado-web',
      managedPolicyArns: [],
      inlinePolicies: [],
      groups: [],
      permissionsBoundaryArn: null,
    },
    provider: null,
    existingRole: null,
    operatorRoleArn: null,
    oidc: DEFAULT_OIDC_SETTINGS,
    ...overrides,
  };
}

describe('Function: planMigration', () => {
  it('plans a provider, a role trusted for this connection only, and the held key deactivated', () => {
    const plan = planMigration(facts());
    expect(plan.refusals).toEqual([]);
    expect(plan).toMatchObject({
      issuer: `https://vstoken.dev.azure.com/${ORG_ID}`,
      subject: 'sc://contoso/payments/aws-web',
      provider: { action: 'create', arn: `arn:aws:iam::123456789012:oidc-provider/vstoken.dev.azure.com/${ORG_ID}` },
      role: { action: 'create', name: 'ado-oidc-web', arn: 'arn:aws:iam::123456789012:role/ado-oidc-web' },
      keysToDeactivate: [KEY],
    });
    expect(describePlan(plan, 6, null).at(-1)).toContain('delete after the 6-day grace period');
  });

  it.each([
    ['NoKey', { connection: { ...facts().connection, auth: 'role-only' as const, heldAccessKeyId: null } }],
    [
      'PermissionsBoundary',
      {
        permissions: {
          ...(facts().permissions as NonNullable<MigrationFacts['permissions']>),
          permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
        },
      },
    ],
    [
      'RoleConflict',
      {
        existingRole: {
          arn: 'arn:aws:iam::123456789012:role/ado-oidc-web',
          trustPolicy: '{"Version":"2012-10-17","Statement":[]}',
          attachedPolicyArns: [],
          inlinePolicyNames: [],
        },
      },
    ],
    ['NoWayBack', { secretKeyId: 'AKIAOTHERKEY00000001' }],
  ] as const)('refuses %s', (code, change) => {
    expect(planMigration(facts(change as Partial<MigrationFacts>)).refusals.map((r) => r.code)).toContain(code);
  });

  it('reuses a role whose trust policy is the one it would create, and a provider that has the audience', () => {
    const provider = {
      arn: `arn:aws:iam::123456789012:oidc-provider/vstoken.dev.azure.com/${ORG_ID}`,
      url: `vstoken.dev.azure.com/${ORG_ID}`,
      clientIds: ['api://AzureADTokenExchange'],
    };
    const trust = trustPolicy(
      provider.arn,
      `https://vstoken.dev.azure.com/${ORG_ID}`,
      'api://AzureADTokenExchange',
      'sc://contoso/payments/aws-web',
    );
    const plan = planMigration(
      facts({
        provider,
        existingRole: {
          arn: 'arn:aws:iam::123456789012:role/ado-oidc-web',
          trustPolicy: trust,
          attachedPolicyArns: [],
          inlinePolicyNames: [],
        },
      }),
    );
    expect(plan.refusals).toEqual([]);
    expect([plan.provider.action, plan.role.action]).toEqual(['reuse', 'reuse']);
    expect(planMigration(facts({ provider: { ...provider, clientIds: ['sts.amazonaws.com'] } })).provider.action).toBe(
      'add-audience',
    );
  });
});

describe('OIDC settings', () => {
  it('fills templates, names organizations from both URL forms, and tells the retiring issuer', () => {
    const values = {
      organizationId: ORG_ID,
      organization: 'contoso',
      project: 'p',
      connection: 'c',
      connectionId: 'id',
    };
    expect(fill('sc://{organization}/{project}/{connection}', values)).toBe('sc://contoso/p/c');
    expect(() => fill('{tenantId}', values)).toThrow(/names \{tenantId\}, which has no value/);
    expect(organizationName('https://dev.azure.com/contoso')).toBe('contoso');
    expect(organizationName('https://contoso.visualstudio.com')).toBe('contoso');
    expect(usesRetiringIssuer(`https://vstoken.dev.azure.com/${ORG_ID}`)).toBe(true);
    expect(usesRetiringIssuer('https://login.microsoftonline.com/t/v2.0')).toBe(false);
  });
});
