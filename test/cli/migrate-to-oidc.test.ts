import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli/main.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { ADAPTER_TOKENS } from '../../src/wiring/tokens.js';
import { ServiceEndpointSpec } from '../adapters/azure-devops/support/ado-spec.js';
import { type AdoStandIn, OIDC_RUN_KEY, startAdoStandIn } from '../../local/ado-stand-in/index.js';
import { testIamClient, testSecretsManagerClient } from '../../local/aws-wire/clients.js';
import { IamWire } from '../../local/aws-wire/iam-wire.js';
import { wireOidcCheck } from '../../local/aws-wire/oidc-check.js';
import { SecretsManagerWire } from '../../local/aws-wire/secrets-manager-wire.js';
import { FakeClock } from '../../local/fakes/fake-clock.js';
import { FakeSecureParameters } from '../../local/fakes/fake-targets.js';
import './support/load-commands.js';

/**
 * `migrate-to-oidc` end to end: the CLI with the real adapters, IAM and Secrets Manager over the AWS
 * wire stubs, Azure DevOps over the stand-in (connection update held to the 7.1 spec), a canary
 * pipeline whose run succeeds only if IAM (the wire stub's provider and role trust) accepts the
 * connection's OIDC token.
 */
const PAT = 'cli-oidc-pat-0000000000000000000000000000000000000000';
const PAT_PARAMETER = '/ado-key-rotator/azure-devops/pat';
const INLINE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::deploy-bucket/*' }],
});
const MANAGED = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const spec = new ServiceEndpointSpec();

let ado: AdoStandIn;
let iam: IamWire;
let sm: SecretsManagerWire;
let configPath: string;
let connectionId: string;
let keyId: string;
let secret: string;
let canary: number;
let clock: FakeClock;

const target = (name: string, organizationUrl: string, extra: Record<string, unknown> = {}) => ({
  name,
  iamUserName: `ado-${name}`,
  secretId: `ado-key-rotator/${name}`,
  connection: {
    organizationUrl,
    project: 'payments',
    connectionName: `aws-${name}`,
    credentialParameter: PAT_PARAMETER,
    ...extra,
  },
});

beforeEach(async () => {
  iam = new IamWire().install();
  sm = new SecretsManagerWire().install();
  clock = new FakeClock();
  // A key works when IAM has it active and the secret matches the one it issued.
  const keyCheck = (id: string, value: string) =>
    id === keyId && value === secret && iam.keys('ado-web').some((k) => k.accessKeyId === id && k.status === 'Active');
  ado = await startAdoStandIn({
    pat: PAT,
    organizations: ['contoso', 'tfs/DefaultCollection'],
    oidcCheck: wireOidcCheck(iam),
    keyCheck,
  });
  const web = target('web', ado.organizationUrl('contoso'));
  const key = iam.seedKey('ado-web', { createdAt: new Date(Date.now() - 30 * 86_400_000) });
  keyId = key.accessKeyId;
  secret = key.secretAccessKey;
  sm.seed(web.secretId, { ...key, iamUserName: 'ado-web' });
  iam.identity.seedUserPolicies('ado-web', { managed: [MANAGED], inline: { deploy: INLINE } });
  connectionId = ado.seedConnection(web.connection, {
    ...key,
    projects: ['payments', 'shared'],
    roleSessionName: 'deploy',
  });
  canary = ado.seedPipeline(
    { organizationUrl: web.connection.organizationUrl, project: 'payments' },
    { name: 'aws-canary', uses: { connectionId }, readsToComplete: 2 },
  );
  const dir = await mkdtemp(path.join(tmpdir(), 'rotator-oidc-'));
  configPath = path.join(dir, 'rotation.config.json');
  const other = target('api', ado.organizationUrl('contoso'));
  await writeFile(
    configPath,
    // The Azure DevOps stand-in listens on http://127.0.0.1: a local run, opted in.
    JSON.stringify({
      targets: [web, other],
      settings: { minKeyAgeDays: 6, gracePeriodDays: 6, inProgressTimeoutMinutes: 120 },
      allowLoopbackHttp: true,
    }),
  );
});

afterEach(async () => {
  for (const r of ado.requests.filter((r) => r.path.includes('/serviceendpoint/'))) {
    const organization = ado.organizationUrl(r.path.startsWith('/tfs/') ? 'tfs/DefaultCollection' : 'contoso');
    expect(
      spec.checkRequest({ method: r.method, url: `${ado.url}${r.url}`, body: r.body }, organization).errors,
      `${r.method} ${r.url}`,
    ).toEqual([]);
  }
  await ado.close();
});

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const overrides = new Map<symbol, unknown>([
    [ADAPTER_TOKENS.IamClient, testIamClient()],
    [ADAPTER_TOKENS.SecretsManagerClient, testSecretsManagerClient()],
    [TOKENS.SecureParameters, new FakeSecureParameters({ [PAT_PARAMETER]: PAT })],
    [TOKENS.Clock, clock],
  ]);
  const code = await runCli(['--config', configPath, ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    overrides,
    env: {},
  });
  return { code, stdout, stderr };
}

const MUTATING_IAM = [
  'CreateOpenIDConnectProvider',
  'AddClientIDToOpenIDConnectProvider',
  'CreateRole',
  'AttachRolePolicy',
  'PutRolePolicy',
  'UpdateAccessKey',
  'DeleteAccessKey',
];

describe('CLI: migrate-to-oidc', () => {
  it('prints the plan and changes nothing without --yes', async () => {
    // Act
    const run = await cli('migrate-to-oidc', '--target', 'web');
    // Assess
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('? web: planned');
    expect(run.stdout).toContain(`issuer https://vstoken.dev.azure.com/${ado.organizationId('contoso')}`);
    expect(run.stdout).toContain('subject sc://contoso/payments/aws-web');
    expect(run.stdout).toContain(`would attach ${MANAGED} to the role`);
    expect(run.stdout).toMatch(/is being retired by Microsoft/);
    expect(iam.actions().filter((a) => MUTATING_IAM.includes(a))).toEqual([]);
    expect(ado.requestCount({ method: 'PUT' })).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it(
    "with --yes: provider, role with the user's permissions, connection switched in place, canary green, key " +
      'deactivated, target removed',
    async () => {
      // Act
      const run = await cli('migrate-to-oidc', '--target', 'web', '--yes', '--canary-pipeline', String(canary));
      // Assess
      expect(run.stdout).toContain('✔ web: migrated');
      expect(run.code).toBe(EXIT.ok);
      expect(iam.actions().filter((a) => MUTATING_IAM.includes(a))).toEqual([
        'CreateOpenIDConnectProvider',
        'CreateRole',
        'AttachRolePolicy',
        'PutRolePolicy',
        'UpdateAccessKey',
      ]);
      const role = iam.identity.roles.get('ado-oidc-web');
      expect(role?.attached).toEqual([MANAGED]);
      expect(role?.inline.get('deploy')).toBe(INLINE);
      const host = `vstoken.dev.azure.com/${ado.organizationId('contoso')}`;
      expect(JSON.parse(role?.trust ?? '{}').Statement[0].Condition).toEqual({
        StringEquals: {
          [`${host}:aud`]: 'api://AzureADTokenExchange',
          [`${host}:sub`]: 'sc://contoso/payments/aws-web',
        },
      });
      expect(iam.identity.providers.get(host)?.clientIds).toEqual(['api://AzureADTokenExchange']);
      expect(ado.connection(connectionId)).toMatchObject({
        id: connectionId,
        projects: ['payments', 'shared'],
        usesOidc: true,
        accessKeyId: '',
        secretAccessKey: '',
      });
      expect(ado.connection(connectionId)?.parameters).toMatchObject({
        assumeRoleArn: role?.arn,
        roleSessionName: 'deploy',
      });
      expect(ado.pipelineRuns(canary).map((r) => [r.accessKeyId, r.result])).toEqual([[OIDC_RUN_KEY, 'succeeded']]);
      expect(iam.keys('ado-web').map((k) => [k.accessKeyId, k.status])).toEqual([[keyId, 'Inactive']]);
      const config = JSON.parse(await readFile(configPath, 'utf8')) as { targets: Array<{ name: string }> };
      expect(config.targets.map((t) => t.name)).toEqual(['api']);
      expect(run.stdout).toContain('delete it after the 6-day grace period');
      expect(run.stdout + run.stderr).not.toContain(secret);
    },
  );

  it(
    'goes back with --back: the key reactivated and put back into the connection, which a key-based canary ' +
      'then proves',
    async () => {
      // Prepare: migrated, then the target added back to the configuration.
      const before = await readFile(configPath, 'utf8');
      expect((await cli('migrate-to-oidc', '--target', 'web', '--yes')).code).toBe(EXIT.ok);
      await writeFile(configPath, before);
      // Act
      const dry = await cli('migrate-to-oidc', '--target', 'web', '--back');
      const run = await cli('migrate-to-oidc', '--target', 'web', '--back', '--yes');
      // Assess
      expect(dry.stdout).toContain('? web: planned');
      expect(run.stdout).toContain('↩ web: restored');
      expect(run.code).toBe(EXIT.ok);
      expect(iam.keys('ado-web').map((k) => [k.accessKeyId, k.status])).toEqual([[keyId, 'Active']]);
      expect(ado.connection(connectionId)).toMatchObject({
        usesOidc: false,
        accessKeyId: keyId,
        secretAccessKey: secret,
        projects: ['payments', 'shared'],
      });
      expect((await cli('migrate-to-oidc', '--target', 'web', '--back', '--yes')).stdout).toContain('is not on OIDC');
    },
  );

  it('is idempotent: a re-run after a failure reuses the provider and the role it created', async () => {
    // Prepare: the first run stops at CreateRole's answer... after the provider exists.
    iam.failNext('AttachRolePolicy', { code: 'ServiceFailure', status: 500 });
    const first = await cli('migrate-to-oidc', '--target', 'web', '--yes');
    expect(first.stdout).toContain('✖ web: failed');
    expect(ado.connection(connectionId)?.usesOidc).toBe(false);
    // Act
    const second = await cli('migrate-to-oidc', '--target', 'web', '--yes');
    // Assess
    expect(second.stdout).toContain('✔ web: migrated');
    expect(iam.actions().filter((a) => a === 'CreateOpenIDConnectProvider' || a === 'CreateRole')).toEqual([
      'CreateOpenIDConnectProvider',
      'CreateRole',
    ]);
  });

  it(
    'rolls the connection back to its key when the canary fails (a role that does not trust this connection), ' +
      'keys untouched',
    async () => {
      // Prepare: an operator-managed role whose trust names another subject.
      const host = `vstoken.dev.azure.com/${ado.organizationId('contoso')}`;
      iam.identity.seedProvider(`https://${host}`, ['api://AzureADTokenExchange']);
      const trust = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${host}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${host}:sub`]: 'sc://contoso/payments/other' } },
          },
        ],
      });
      iam.identity.roles.set('shared-deployer', {
        arn: 'arn:aws:iam::123456789012:role/shared-deployer',
        trust,
        description: '',
        attached: [],
        inline: new Map(),
        createdAt: new Date(),
      });
      // Act
      const run = await cli(
        'migrate-to-oidc',
        '--target',
        'web',
        '--yes',
        '--role',
        'arn:aws:iam::123456789012:role/shared-deployer',
        '--canary-pipeline',
        String(canary),
      );
      // Assess
      expect(run.code).toBe(EXIT.partialFailure);
      expect(run.stdout).toContain('↺ web: rolled-back');
      expect(run.stdout).toContain('CanaryRunFailedError');
      expect(ado.pipelineRuns(canary).map((r) => r.result)).toEqual(['failed']);
      expect(ado.connection(connectionId)).toMatchObject({
        usesOidc: false,
        accessKeyId: keyId,
        secretAccessKey: secret,
        projects: ['payments', 'shared'],
      });
      expect(iam.keys('ado-web').map((k) => k.status)).toEqual(['Active']);
      expect(iam.actions().filter((a) => MUTATING_IAM.includes(a))).toEqual([]);
      const config = JSON.parse(await readFile(configPath, 'utf8')) as { targets: unknown[] };
      expect(config.targets).toHaveLength(2);
      expect(run.stdout + run.stderr).not.toContain(secret);
    },
  );

  it("runs the target's configured canary without --canary-pipeline, and rolls back on its failure", async () => {
    // Prepare: the canary named in the configuration; a role that does not trust this connection
    const config = JSON.parse(await readFile(configPath, 'utf8')) as { targets: Array<Record<string, unknown>> };
    config.targets[0] = { ...config.targets[0], canary: { pipelineId: canary } };
    await writeFile(configPath, JSON.stringify(config));
    const host = `vstoken.dev.azure.com/${ado.organizationId('contoso')}`;
    iam.identity.seedProvider(`https://${host}`, ['api://AzureADTokenExchange']);
    iam.identity.roles.set('shared-deployer', {
      arn: 'arn:aws:iam::123456789012:role/shared-deployer',
      trust: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${host}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${host}:sub`]: 'sc://contoso/payments/other' } },
          },
        ],
      }),
      description: '',
      attached: [],
      inline: new Map(),
      createdAt: new Date(),
    });

    // Act
    const run = await cli(
      'migrate-to-oidc',
      '--target',
      'web',
      '--yes',
      '--role',
      'arn:aws:iam::123456789012:role/shared-deployer',
    );

    // Assess
    expect(run.code).toBe(EXIT.partialFailure);
    expect(run.stdout).toContain('CanaryRunFailedError');
    expect(ado.pipelineRuns(canary).map((r) => r.result)).toEqual(['failed']);
    expect(ado.connection(connectionId)).toMatchObject({ usesOidc: false, accessKeyId: keyId });
    expect(iam.keys('ado-web').map((k) => k.status)).toEqual(['Active']);
  });

  describe('refuses, with a reason, what cannot move, and changes nothing', () => {
    const cases: Array<{ code: string; setup: () => Promise<void> | void }> = [
      { code: 'ExternalId', setup: () => void 0 },
      { code: 'GroupPermissions', setup: () => iam.identity.seedUserPolicies('ado-web', { groups: ['deployers'] }) },
      { code: 'AssumesRole', setup: () => void 0 },
      { code: 'AlreadyKeyless', setup: () => void 0 },
      { code: 'AzureDevOpsServer', setup: () => void 0 },
    ];
    it.each(cases)('$code', async ({ code, setup }) => {
      // Prepare: each case changes the one thing that makes the connection unmovable.
      await setup();
      const parameters = ado.connection(connectionId)?.parameters ?? {};
      let targetName = 'web';
      if (code === 'ExternalId') reseed(connectionId, { ...parameters, externalId: 'partner-42' });
      if (code === 'AssumesRole')
        reseed(connectionId, { ...parameters, assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy' });
      if (code === 'AlreadyKeyless') reseed(connectionId, { ...parameters, useOIDC: 'true' });
      if (code === 'AzureDevOpsServer') targetName = await serverTarget();
      const before = JSON.stringify(ado.connections());
      // Act
      const run = await cli('migrate-to-oidc', '--target', targetName, '--yes');
      // Assess
      expect(run.code).toBe(EXIT.partialFailure);
      expect(run.stdout).toContain(`⚠ ${targetName}: refused`);
      expect(run.stdout).toContain(`⚠ ${code}: `);
      expect(iam.actions().filter((a) => MUTATING_IAM.includes(a))).toEqual([]);
      expect(JSON.stringify(ado.connections())).toBe(before);
    });
  });

  it('needs exactly one of --target and --all (bad input, exit 2)', async () => {
    expect((await cli('migrate-to-oidc')).code).toBe(EXIT.badInput);
    expect((await cli('migrate-to-oidc', '--target', 'web', '--all')).code).toBe(EXIT.badInput);
    expect((await cli('migrate-to-oidc', '--target', 'web', '--canary-pipeline', 'x')).code).toBe(EXIT.badInput);
  });
});

/** Replaces a stored connection's parameters through a PUT-equivalent: the stand-in's own seed with the same id. */
function reseed(id: string, parameters: Record<string, string>): void {
  const stored = ado.connection(id);
  if (!stored) throw new Error('no connection');
  ado.deleteConnection(id);
  ado.seedConnection(
    { organizationUrl: ado.organizationUrl('contoso'), project: 'payments', connectionName: stored.name },
    {
      id,
      accessKeyId: parameters.username ?? '',
      secretAccessKey: parameters.password ?? '',
      projects: stored.projects,
      usesOidc: parameters.useOIDC === 'true',
      ...(parameters.assumeRoleArn ? { assumeRoleArn: parameters.assumeRoleArn } : {}),
      ...(parameters.externalId ? { externalId: parameters.externalId } : {}),
      ...(parameters.roleSessionName ? { roleSessionName: parameters.roleSessionName } : {}),
    },
  );
}

/** A target on the Azure DevOps Server collection, with its own user, secret and connection. */
async function serverTarget(): Promise<string> {
  const legacy = target('legacy', ado.organizationUrl('tfs/DefaultCollection'));
  const key = iam.seedKey('ado-legacy');
  sm.seed(legacy.secretId, { ...key, iamUserName: 'ado-legacy' });
  const raw = JSON.parse(await readFile(configPath, 'utf8')) as { targets: unknown[] };
  raw.targets.push(legacy);
  await writeFile(configPath, JSON.stringify(raw));
  ado.seedConnection(legacy.connection, { ...key });
  return 'legacy';
}
