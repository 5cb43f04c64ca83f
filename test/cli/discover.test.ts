import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli/main.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { ADAPTER_TOKENS } from '../../src/wiring/tokens.js';
import { ServiceEndpointSpec } from '../adapters/azure-devops/support/ado-spec.js';
import { type AdoStandIn, startAdoStandIn } from '../../local/ado-stand-in/index.js';
import { testIamClient } from '../../local/aws-wire/clients.js';
import { IamWire } from '../../local/aws-wire/iam-wire.js';
import { FakeClock } from '../../local/fakes/fake-clock.js';
import { FakeSecureParameters } from '../../local/fakes/fake-targets.js';
import './support/load-commands.js';

/**
 * `discover` end to end: the CLI with the real adapters, IAM over the wire stub
 * (GetAccessKeyLastUsed, ListAccessKeys) and Azure DevOps over the stand-in (held to the 7.1 specs).
 */
const PAT = 'cli-discover-pat-000000000000000000000000000000000000';
const PAT_PARAMETER = '/ado-key-rotator/azure-devops/pat';
const endpointsSpec = new ServiceEndpointSpec();
const coreSpec = new ServiceEndpointSpec('core_7.1_core.json');

let ado: AdoStandIn;
let iam: IamWire;
let clock: FakeClock;
let web: { accessKeyId: string; secretAccessKey: string };
let webId: string;

beforeEach(async () => {
  iam = new IamWire().install();
  clock = new FakeClock(new Date('2026-11-29T03:00:00Z'));
  ado = await startAdoStandIn({ pat: PAT, organizations: ['contoso'] });
  const org = ado.organizationUrl('contoso');
  web = iam.seedKey('ado-web', {
    createdAt: new Date('2026-10-30T03:00:00Z'),
    lastUsedAt: new Date('2026-11-28T10:00:00Z'),
  });
  webId = ado.seedConnection(
    { organizationUrl: org, project: 'payments', connectionName: 'aws-web' },
    { ...web, projects: ['payments', 'shop'] },
  );
  ado.seedConnection(
    { organizationUrl: org, project: 'shop', connectionName: 'aws-keyless' },
    { accessKeyId: '', secretAccessKey: '', usesOidc: true, assumeRoleArn: 'arn:aws:iam::123456789012:role/x' },
  );
  // A key of another AWS account: IAM cannot name its user.
  ado.seedConnection(
    { organizationUrl: org, project: 'shop', connectionName: 'aws-partner' },
    { accessKeyId: 'AKIAOTHERACCOUNT0001', secretAccessKey: 'partner/Secret+0000000000000000000000000' },
  );
  ado.seedConnection(
    { organizationUrl: org, project: 'shop', connectionName: 'azure-sub' },
    { accessKeyId: 'x', secretAccessKey: 'y', type: 'azurerm', scheme: 'ServicePrincipal' },
  );
  ado.seedVariableGroup(
    { organizationUrl: org, project: 'shop', groupName: 'legacy-aws' },
    {
      variables: {
        AWS_ACCESS_KEY_ID: { value: 'AKIALEGACYGROUP00001' },
        AWS_SECRET_ACCESS_KEY: { value: 'legacy/Secret+000000000000000000000000', isSecret: true },
        REGION: { value: 'eu-west-1' },
      },
    },
  );
});

afterEach(async () => {
  for (const r of ado.requests) {
    if (r.path.includes('/serviceendpoint/'))
      expect(
        endpointsSpec.checkRequest({ method: r.method, url: `${ado.url}${r.url}` }, ado.organizationUrl('contoso'))
          .errors,
      ).toEqual([]);
    if (r.path.endsWith('/_apis/projects'))
      expect(
        coreSpec.checkRequest({ method: r.method, url: `${ado.url}${r.url}` }, ado.organizationUrl('contoso')).errors,
      ).toEqual([]);
  }
  await ado.close();
});

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const overrides = new Map<symbol, unknown>([
    [ADAPTER_TOKENS.IamClient, testIamClient()],
    [TOKENS.SecureParameters, new FakeSecureParameters({ [PAT_PARAMETER]: PAT })],
    [TOKENS.Clock, clock],
  ]);
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), overrides, env: {} });
  return { code, stdout, stderr };
}

const base = () => [
  'discover',
  '--organization',
  ado.organizationUrl('contoso'),
  '--credential-parameter',
  PAT_PARAMETER,
];

describe('CLI: discover', () => {
  it(
    'lists every AWS connection of every project once, with its key, IAM user, age and last use; never ' + 'a secret',
    async () => {
      // Act
      const run = await cli('--json', ...base());
      // Assess
      expect(run.code).toBe(EXIT.ok);
      const result = JSON.parse(run.stdout) as {
        organizationId: string;
        projects: string[];
        rows: Array<{
          connection: { name: string; auth: string; projects: string[] };
          owner: unknown;
          ownerProblem: string | null;
        }>;
      };
      expect(result.organizationId).toBe(ado.organizationId('contoso'));
      expect(result.projects).toEqual(['payments', 'shop']);
      expect(result.rows.map((r) => [r.connection.name, r.connection.auth, r.connection.projects.join(',')])).toEqual([
        ['aws-web', 'keys', 'payments,shop'],
        ['aws-keyless', 'oidc', 'shop'],
        ['aws-partner', 'keys', 'shop'],
      ]);
      expect(result.rows[0]?.owner).toEqual({
        userName: 'ado-web',
        keyStatus: 'Active',
        keyAgeDays: 30,
        lastUsedAt: '2026-11-28T10:00:00.000Z',
        lastUsedService: 's3',
      });
      expect(result.rows[2]?.ownerProblem).toMatch(
        /^IamEntityNotFoundError: access key AKIAOTHERACCOUNT0001 is not a key of this AWS account/,
      );
      expect(run.stdout).not.toContain(web.secretAccessKey);
      expect(run.stdout).not.toContain('legacy/Secret');
      expect(iam.actions().every((a) => a.startsWith('Get') || a.startsWith('List'))).toBe(true);
      expect(ado.requestCount({ method: 'PUT' })).toBe(0);
    },
  );

  it(
    'prints a table, the connections that could move to OIDC, and the variable groups that look like ' + 'AWS keys',
    async () => {
      const run = await cli(...base(), '--project', 'shop');
      expect(run.stdout).toContain('3 AWS connection(s) in 1 project(s)');
      expect(run.stdout).toMatch(
        new RegExp(
          `aws-web\\s+${webId}\\s+payments,shop\\s+keys\\s+${web.accessKeyId}\\s+ado-web\\s+30d\\s+2026-11-28 s3`,
        ),
      );
      expect(run.stdout).toContain('2 hold(s) an access key and could move to OIDC');
      expect(run.stdout).toContain('variable group "legacy-aws" (');
      expect(run.stdout).toContain('looks like it holds an AWS key: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY');
    },
  );

  it(
    'writes a rotation configuration for the connections holding a key of a known user, valid by the ' + 'same schema',
    async () => {
      // Prepare
      const out = path.join(await mkdtemp(path.join(tmpdir(), 'rotator-discover-')), 'discovered.config.json');
      // Act
      const run = await cli(...base(), '--config-out', out);
      // Assess
      expect(run.code).toBe(EXIT.ok);
      const written = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
      const config = parseRotationConfig(written);
      expect(config.targets).toEqual([
        {
          name: 'payments-aws-web',
          iamUserName: 'ado-web',
          secretId: 'ado-key-rotator/payments-aws-web',
          connection: {
            organizationUrl: ado.organizationUrl('contoso'),
            project: 'payments',
            connectionName: 'aws-web',
            credentialParameter: PAT_PARAMETER,
          },
        },
      ]);
      expect(run.stdout).toContain(`wrote 1 target(s) to ${out}`);
      // An existing file is not overwritten.
      const again = await cli(...base(), '--config-out', out);
      expect(again.code).toBe(EXIT.badInput);
      expect(again.stderr).toContain('exists already (it is never overwritten)');
    },
  );

  it('without AWS (--no-aws) asks IAM nothing', async () => {
    const run = await cli('--json', ...base(), '--no-aws');
    expect(run.code).toBe(EXIT.ok);
    expect(iam.actions()).toEqual([]);
  });

  it('refuses a missing organization with a usage error (exit 2)', async () => {
    expect((await cli('discover', '--credential-parameter', PAT_PARAMETER)).code).toBe(EXIT.badInput);
  });
});
