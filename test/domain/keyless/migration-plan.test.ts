/**
 * What `migrate-to-oidc` decides before anything changes: the issuer, subject, provider and role, the
 * permissions copied, the keys deactivated, each refusal with the sentence an operator reads, and the plan
 * as the steps `--yes` takes.
 */
import { describe, expect, it } from 'vitest';
import { describePlan, type MigrationFacts, planMigration } from '../../../src/domain/keyless/migration-plan.js';
import { DEFAULT_OIDC_SETTINGS, ENTRA_ISSUER_TEMPLATE, trustPolicy } from '../../../src/domain/keyless/oidc.js';

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

const CONNECTION_ID = 'c0ffee00-0000-4000-8000-000000000001';
const WHERE = `connection "aws-web" (${CONNECTION_ID}) of target web`;
const HOST = `vstoken.dev.azure.com/${ORG_ID}`;
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${HOST}`;
const ROLE_ARN = 'arn:aws:iam::123456789012:role/ado-oidc-web';
const TRUST = trustPolicy(
  PROVIDER_ARN,
  `https://${HOST}`,
  'api://AzureADTokenExchange',
  'sc://contoso/payments/aws-web',
);
const permissions = (change: Partial<NonNullable<MigrationFacts['permissions']>>): MigrationFacts['permissions'] => ({
  ...(facts().permissions as NonNullable<MigrationFacts['permissions']>),
  ...change,
});
const connection = (change: Partial<MigrationFacts['connection']>): MigrationFacts['connection'] => ({
  ...facts().connection,
  ...change,
});
const role = (trust: string, arn = ROLE_ARN) => ({
  arn,
  trustPolicy: trust,
  attachedPolicyArns: [],
  inlinePolicyNames: [],
});

describe('Function: planMigration', () => {
  it('plans a provider, a role trusted for this connection only, and the active keys deactivated', () => {
    // Prepare
    const inactive = {
      accessKeyId: 'AKIAINACTIVE00000001',
      status: 'Inactive' as const,
      createdAt: new Date(0),
      lastUsedAt: null,
    };
    const managedPolicyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    const inlinePolicies = [{ name: 'deploy', document: '{"Version":"2012-10-17","Statement":[]}' }];
    // Act
    const plan = planMigration(
      facts({ keys: [...facts().keys, inactive], permissions: permissions({ managedPolicyArns, inlinePolicies }) }),
    );
    // Assess
    expect(plan).toEqual({
      targetName: 'web',
      connectionId: CONNECTION_ID,
      issuer: `https://${HOST}`,
      subject: 'sc://contoso/payments/aws-web',
      audience: 'api://AzureADTokenExchange',
      provider: { action: 'create', arn: PROVIDER_ARN },
      role: { action: 'create', name: 'ado-oidc-web', arn: ROLE_ARN, trustPolicy: TRUST },
      managedPolicyArns,
      inlinePolicies,
      keysToDeactivate: [KEY],
      previousRoleArn: null,
      warnings: [
        `the issuer https://${HOST} is being retired by Microsoft (deprecated 2026-07-01, retired 2027-07-01): ` +
          'plan to move the trust to the replacement issuer (README, "Go keyless")',
      ],
      refusals: [],
    });
  });

  // One row per refusal: the one fact that makes the connection unmovable, and the sentence the operator reads.
  const refusals: Array<[string, Partial<MigrationFacts>, string]> = [
    [
      'AzureDevOpsServer',
      { organization: { organizationId: ORG_ID, hosted: false } },
      'https://dev.azure.com/contoso is Azure DevOps Server, which issues no OIDC tokens to the AWS Toolkit: ' +
        'keep rotating this key',
    ],
    [
      'AlreadyKeyless',
      { connection: connection({ auth: 'oidc', heldAccessKeyId: null }) },
      `${WHERE} already uses OIDC: remove the target from the configuration`,
    ],
    [
      'NoKey',
      { connection: connection({ auth: 'role-only', heldAccessKeyId: null }) },
      `${WHERE} holds no access key (role-only): there is nothing to move`,
    ],
    [
      'NoKey',
      { connection: connection({ auth: 'none', heldAccessKeyId: null }) },
      `${WHERE} holds no access key (none): there is nothing to move`,
    ],
    [
      'ExternalId',
      { connection: connection({ externalId: true }) },
      `${WHERE} sets an External ID, which the toolkit ignores on its OIDC path: a role that requires one could ` +
        'not be assumed; drop the requirement from the role, clear the field, then re-run',
    ],
    [
      'AssumesRole',
      { connection: connection({ assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy' }) },
      `${WHERE} uses its key to assume arn:aws:iam::123456789012:role/deploy: add the OIDC trust to that role ` +
        'yourself and re-run with --role arn:aws:iam::123456789012:role/deploy',
    ],
    [
      'GroupPermissions',
      { permissions: permissions({ groups: ['deployers', 'readers'] }) },
      'IAM user ado-web gets permissions from group(s) deployers, readers, which a role cannot belong to: ' +
        'create a role with those permissions and re-run with --role ARN',
    ],
    [
      'PermissionsBoundary',
      { permissions: permissions({ permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary' }) },
      'IAM user ado-web has the permissions boundary arn:aws:iam::123456789012:policy/boundary, which is not ' +
        'copied: create the role with it and re-run with --role ARN',
    ],
    [
      'RoleConflict',
      { existingRole: role('{"Version":"2012-10-17","Statement":[]}', 'arn:aws:iam::123456789012:role/ci/x') },
      'role ado-oidc-web exists with another trust policy: delete it, or re-run with --role ' +
        'arn:aws:iam::123456789012:role/ci/x if it is meant for this connection',
    ],
    [
      'RoleConflict',
      { existingRole: role('not json') },
      `role ado-oidc-web exists with another trust policy: delete it, or re-run with --role ${ROLE_ARN} if it is ` +
        'meant for this connection',
    ],
    [
      'NoWayBack',
      { secretKeyId: 'AKIAOTHERKEY00000001' },
      `the secret rotator/web holds AKIAOTHERKEY00000001, not the connection's key ${KEY}: without its secret a ` +
        'failed move could not be undone; run a rotation first',
    ],
    [
      'NoWayBack',
      { secretKeyId: null },
      `the secret rotator/web holds nothing, not the connection's key ${KEY}: without its secret a failed move ` +
        'could not be undone; run a rotation first',
    ],
  ];

  it.each(refusals)('refuses %s: %s', (code, change, reason) => {
    // Act
    const plan = planMigration(facts(change));
    // Assess
    expect(plan.refusals).toEqual([{ code, reason }]);
  });

  it('lists every refusal at once, in a fixed order', () => {
    // Act
    const plan = planMigration(
      facts({
        organization: { organizationId: ORG_ID, hosted: false },
        connection: connection({ externalId: true, assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy' }),
        permissions: permissions({ groups: ['g'], permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/b' }),
        existingRole: role('{}'),
        secretKeyId: null,
      }),
    );
    // Assess
    expect(plan.refusals.map((r) => r.code)).toEqual([
      'AzureDevOpsServer',
      'ExternalId',
      'AssumesRole',
      'GroupPermissions',
      'PermissionsBoundary',
      'RoleConflict',
      'NoWayBack',
    ]);
  });

  it('needs no way back for a connection that holds no key', () => {
    // Act
    const plan = planMigration(
      facts({ connection: connection({ auth: 'role-only', heldAccessKeyId: null }), secretKeyId: null }),
    );
    // Assess
    expect(plan.refusals.map((r) => r.code)).toEqual(['NoKey']);
  });

  it("uses an operator's role as it is: no trust policy of its own, nothing copied, no conflict or refusal", () => {
    // Prepare
    const operatorRoleArn = 'arn:aws:iam::123456789012:role/team/shared-deployer';
    // Act
    const plan = planMigration(
      facts({
        operatorRoleArn,
        permissions: null,
        existingRole: role('{}'),
        connection: connection({ assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy' }),
      }),
    );
    // Assess
    expect(plan.refusals).toEqual([]);
    expect(plan.role).toEqual({ action: 'operator', name: 'shared-deployer', arn: operatorRoleArn, trustPolicy: null });
    expect([plan.managedPolicyArns, plan.inlinePolicies]).toEqual([[], []]);
    expect(plan.previousRoleArn).toBe('arn:aws:iam::123456789012:role/deploy');
  });

  it('reuses a role whose trust policy is the one it would create (whitespace aside), under its own ARN', () => {
    // Prepare
    const reformatted = JSON.stringify(JSON.parse(TRUST), null, 2);
    // Act
    const plan = planMigration(
      facts({ existingRole: role(reformatted, 'arn:aws:iam::123456789012:role/ci/ado-oidc-web') }),
    );
    // Assess
    expect(plan.refusals).toEqual([]);
    expect(plan.role).toMatchObject({ action: 'reuse', arn: 'arn:aws:iam::123456789012:role/ci/ado-oidc-web' });
  });

  it.each([
    [['api://AzureADTokenExchange'], 'reuse'],
    [['sts.amazonaws.com', 'api://AzureADTokenExchange'], 'reuse'],
    [['sts.amazonaws.com'], 'add-audience'],
  ])("keeps an existing provider's ARN; with client ids %j it will %s it", (clientIds, action) => {
    // Prepare: a provider ARN in another form than the one it would create.
    const provider = { arn: `arn:aws:iam::210987654321:oidc-provider/${HOST}`, url: HOST, clientIds };
    // Act
    const plan = planMigration(facts({ provider }));
    // Assess
    expect(plan.provider).toEqual({ action, arn: provider.arn });
    expect(JSON.parse(plan.role.trustPolicy ?? '{}').Statement[0].Principal).toEqual({ Federated: provider.arn });
  });

  it('fills an Entra issuer with the tenant id, and warns of no retirement', () => {
    // Act
    const plan = planMigration(
      facts({ oidc: { ...DEFAULT_OIDC_SETTINGS, issuerTemplate: ENTRA_ISSUER_TEMPLATE }, tenantId: 'tenant-1' }),
    );
    // Assess
    expect(plan.issuer).toBe('https://login.microsoftonline.com/tenant-1/v2.0');
    expect(plan.provider.arn).toBe('arn:aws:iam::123456789012:oidc-provider/login.microsoftonline.com/tenant-1/v2.0');
    expect(plan.warnings).toEqual([]);
  });

  it('refuses a template naming a value it does not have (a typo must not reach a trust policy)', () => {
    // Act / Assess
    expect(() =>
      planMigration(facts({ oidc: { ...DEFAULT_OIDC_SETTINGS, issuerTemplate: ENTRA_ISSUER_TEMPLATE } })),
    ).toThrow(/names \{tenantId\}, which has no value here/);
  });

  it('fills the subject from the connection id and the organization from its URL', () => {
    // Act
    const plan = planMigration(
      facts({ oidc: { ...DEFAULT_OIDC_SETTINGS, subjectTemplate: '{organization}/{project}/{connectionId}' } }),
    );
    // Assess
    expect(plan.subject).toBe(`contoso/payments/${CONNECTION_ID}`);
  });
});

describe('Function: describePlan', () => {
  it('says what --yes does, in order: provider, role, permissions, switch, canary, keys', () => {
    // Prepare
    const plan = planMigration(
      facts({
        permissions: permissions({
          managedPolicyArns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B'],
          inlinePolicies: [{ name: 'deploy', document: '{}' }],
        }),
        keys: [
          ...facts().keys,
          { accessKeyId: 'AKIASECOND0000000001', status: 'Active', createdAt: new Date(0), lastUsedAt: null },
        ],
      }),
    );
    // Act
    const lines = describePlan(plan, 6, '42');
    // Assess
    expect(lines).toEqual([
      `create the IAM OIDC provider ${PROVIDER_ARN}`,
      `create the role ${ROLE_ARN}, trusted only for audience api://AzureADTokenExchange and subject ` +
        'sc://contoso/payments/aws-web',
      'attach arn:aws:iam::aws:policy/A to the role (as the user has it)',
      'attach arn:aws:iam::aws:policy/B to the role (as the user has it)',
      "put a copy of the user's inline policy deploy on the role",
      `update connection ${CONNECTION_ID} in place: key fields emptied, useOIDC on, role to assume ${ROLE_ARN}; ` +
        'read it back',
      'run the canary pipeline 42; on failure put the key back',
      `deactivate ${KEY}, AKIASECOND0000000001 (delete after the 6-day grace period) and take web out of rotation`,
    ]);
  });

  it("with an operator's role, an existing provider without the audience, no canary and no active key", () => {
    // Prepare
    const plan = planMigration(
      facts({
        operatorRoleArn: 'arn:aws:iam::123456789012:role/shared',
        permissions: null,
        provider: { arn: PROVIDER_ARN, url: HOST, clientIds: [] },
        keys: [],
      }),
    );
    // Act
    const lines = describePlan({ ...plan, managedPolicyArns: ['arn:aws:iam::aws:policy/A'] }, 3, null);
    // Assess
    expect(lines).toEqual([
      `add the audience api://AzureADTokenExchange to the IAM OIDC provider ${PROVIDER_ARN}`,
      'use the role arn:aws:iam::123456789012:role/shared as it is (its trust policy must accept ' +
        'sc://contoso/payments/aws-web)',
      `update connection ${CONNECTION_ID} in place: key fields emptied, useOIDC on, role to assume ` +
        'arn:aws:iam::123456789012:role/shared; read it back',
      'no canary pipeline given (--canary-pipeline): the read-back is the only check',
      'deactivate no key (delete after the 3-day grace period) and take web out of rotation',
    ]);
  });

  it('reuses a provider that has the audience and a role that has the trust', () => {
    // Prepare
    const plan = planMigration(
      facts({
        provider: { arn: PROVIDER_ARN, url: HOST, clientIds: ['api://AzureADTokenExchange'] },
        existingRole: role(TRUST),
      }),
    );
    // Act
    const lines = describePlan(plan, 6, null);
    // Assess
    expect(lines.slice(0, 2)).toEqual([
      `reuse the IAM OIDC provider ${PROVIDER_ARN}`,
      `reuse the role ${ROLE_ARN}, trusted only for audience api://AzureADTokenExchange and subject ` +
        'sc://contoso/payments/aws-web',
    ]);
  });
});
