import { AzureDevOpsHttpClient } from '../../../src/adapters/azure-devops/http-client.js';
/**
 * The variable group adapter over the stand-in, held to Microsoft's distributedTask 7.1 spec:
 * what it sends, how an update keeps the secrets it cannot read, and a stand-in that is no more
 * lenient than Azure DevOps (a secret sent back any other way is lost).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AzureDevOpsNotAuthorizedError } from '../../../src/domain/errors.js';
import type { VariableGroupRef } from '../../../src/domain/holders.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { AzureDevOpsVariableGroupAdapter } from '../../../src/adapters/azure-devops/variable-group.adapter.js';
import { type AdoStandIn, startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { readSpecJson, ServiceEndpointSpec } from './support/ado-spec.js';
import { capturingLogger, FakeSecureParameters, virtualTime } from './support/test-kit.js';

const PAT = 'stand-in-pat-0123456789abcdefghijklmnopqrstuvwxyz012345';
const PAT_PARAMETER = '/rotator/ado/pat';
const OLD = { accessKeyId: 'AKIAOLDKEY000000001', secretAccessKey: 'old/Secret+Key0123456789abcdefghijklmnop' };
const NEW = {
  accessKeyId: 'AKIANEWKEY000000001',
  secretAccessKey: new SecretValue('new/Secret+Key0123456789abcdefghijklmnop'),
};
const TF_TOKEN = 'terraform-token-0123456789abcdefghijkl';
const spec = new ServiceEndpointSpec('distributedTask_7.1_taskAgent.json');

let ado: AdoStandIn;
let ref: VariableGroupRef;
let groupId: number;

function adapter() {
  const time = virtualTime();
  const logger = capturingLogger();
  const parameters = new FakeSecureParameters({ [PAT_PARAMETER]: PAT });
  return {
    logger,
    adapter: new AzureDevOpsVariableGroupAdapter(
      new AzureDevOpsHttpClient(parameters, undefined, logger, {
        sleep: time.sleep,
        now: time.now,
        random: () => 0.5,
      }),
    ),
  };
}

async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${ado.url}${path}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}`,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

beforeEach(async () => {
  ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam'] });
  ref = {
    organizationUrl: ado.organizationUrl('fabrikam'),
    project: 'Web',
    groupName: 'aws-deploy',
    accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
    secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
    credentialParameter: PAT_PARAMETER,
  };
  groupId = ado.seedVariableGroup(ref, {
    variables: {
      AWS_ACCESS_KEY_ID: { value: OLD.accessKeyId },
      AWS_SECRET_ACCESS_KEY: { value: OLD.secretAccessKey, isSecret: true },
      TF_TOKEN: { value: TF_TOKEN, isSecret: true },
      REGION: { value: 'eu-west-1', isReadOnly: true },
    },
    projects: ['Web', 'Api'],
  });
});

afterEach(async () => {
  await ado.close();
});

describe('Class: AzureDevOpsVariableGroupAdapter', () => {
  it('sends only 7.1 operations with bodies valid against VariableGroupParameters', async () => {
    // Prepare
    const { adapter: port } = adapter();

    // Act
    const found = await port.findVariableGroup(ref);
    await port.updateCredential(ref, found.id, NEW);

    // Assess
    const checks = ado.requests.map((r) =>
      spec.checkRequest({ method: r.method, url: `${ado.url}${r.url}`, body: r.body }, ref.organizationUrl),
    );
    expect(checks.map((c) => c.operationId)).toEqual([
      'Variablegroups_Get Variable Groups',
      'Variablegroups_Get',
      'Variablegroups_Update',
    ]);
    expect(checks.flatMap((c) => c.errors)).toEqual([]);
  });

  it(
    'sends every other secret back as the spec example does ({ value: null, isSecret: true }), and they ' + 'survive',
    async () => {
      // Prepare
      const { adapter: port } = adapter();
      const example = readSpecJson<{ parameters: { body: { variables: Record<string, unknown> } } }>(
        'examples/distributedTask_7.1_variablegroups_PUT_UpdateVariableGroup.json',
      );

      // Act
      await port.updateCredential(ref, groupId, NEW);

      // Assess
      const put = ado.requests.find((r) => r.method === 'PUT')!.body as {
        variables: Record<string, unknown>;
        variableGroupProjectReferences: unknown[];
      };
      expect(example.parameters.body.variables.key2).toEqual({ value: null, isSecret: true });
      expect(put.variables.TF_TOKEN).toEqual({ value: null, isSecret: true });
      expect(put.variables.REGION).toEqual({ value: 'eu-west-1', isReadOnly: true });
      expect(put.variableGroupProjectReferences).toHaveLength(2);
      const stored = ado.variableGroup(groupId)!;
      expect(stored.variables.TF_TOKEN).toEqual({ value: TF_TOKEN, isSecret: true, isReadOnly: false });
      expect(stored.variables.AWS_SECRET_ACCESS_KEY?.value).toBe(NEW.secretAccessKey.reveal());
      expect(stored.projects).toEqual(['Web', 'Api']);
    },
  );

  it('never puts the new secret in a log line or a recorded request', async () => {
    // Prepare
    const { adapter: port, logger } = adapter();

    // Act
    await port.updateCredential(ref, groupId, NEW);

    // Assess
    expect(JSON.stringify(logger.lines)).not.toContain(NEW.secretAccessKey.reveal());
    expect(JSON.stringify(ado.requests)).not.toContain(NEW.secretAccessKey.reveal());
  });

  it('names the Variable Groups scope when Azure DevOps answers 403', async () => {
    // Prepare
    ado.failNext('GET', { status: 403 });
    const { adapter: port } = adapter();

    // Act
    const error = await port.findVariableGroup(ref).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AzureDevOpsNotAuthorizedError);
    expect((error as Error).message).toContain('Variable Groups (Read, create & manage)');
    expect((error as Error).message).toContain('variable group "aws-deploy"');
  });
});

describe('The stand-in as Azure DevOps (no more lenient)', () => {
  it(
    'answers reads valid against the VariableGroup schema, every secret value null, like the spec ' + 'example',
    async () => {
      // Prepare
      const example = readSpecJson<{ responses: { 200: { body: { variables: Record<string, unknown> } } } }>(
        'examples/distributedTask_7.1_variablegroups_GET_VariableGroup.json',
      );

      // Act
      const read = await raw('GET', `/fabrikam/Web/_apis/distributedtask/variablegroups/${groupId}?api-version=7.1`);

      // Assess
      expect(read.status).toBe(200);
      expect(spec.checkDefinition('VariableGroup', read.body, 'response')).toEqual([]);
      const variables = (read.body as { variables: Record<string, unknown> }).variables;
      expect(example.responses[200].body.variables.key2).toEqual({ value: null, isSecret: true });
      expect(variables.TF_TOKEN).toEqual({ value: null, isSecret: true });
      expect(JSON.stringify(read.body)).not.toContain(TF_TOKEN);
    },
  );

  it(
    'blanks a secret sent back with a value other than null, drops a variable left out, and needs the project ' +
      'references',
    async () => {
      // Prepare
      const read = (await raw('GET', `/fabrikam/Web/_apis/distributedtask/variablegroups/${groupId}?api-version=7.1`))
        .body as Record<string, unknown>;
      const variables = read.variables as Record<string, Record<string, unknown>>;
      const { REGION: _region, ...withoutRegion } = variables;
      const body = {
        name: read.name,
        type: read.type,
        variableGroupProjectReferences: read.variableGroupProjectReferences,
        variables: { ...withoutRegion, TF_TOKEN: { value: '', isSecret: true } },
      };

      // Act
      const naive = await raw('PUT', `/fabrikam/_apis/distributedtask/variablegroups/${groupId}?api-version=7.1`, body);
      const noReferences = await raw(
        'PUT',
        `/fabrikam/_apis/distributedtask/variablegroups/${groupId}?api-version=7.1`,
        {
          ...body,
          variableGroupProjectReferences: undefined,
        },
      );

      // Assess
      expect(naive.status).toBe(200);
      expect(ado.variableGroup(groupId)!.variables.TF_TOKEN?.value).toBe('');
      expect(ado.variableGroup(groupId)!.variables.REGION).toBeUndefined();
      expect(noReferences.status).toBe(400);
    },
  );

  it('keeps a secret only when it is sent as a secret with a null value, as in the spec example', async () => {
    // Prepare
    const example = readSpecJson<{ parameters: { body: Record<string, unknown> } }>(
      'examples/distributedTask_7.1_variablegroups_PUT_UpdateVariableGroup.json',
    );
    const id = ado.seedVariableGroup(
      { ...ref, groupName: 'TestVariableGroup1' },
      { variables: { key1: { value: 'value0' }, key2: { value: 'kept-secret', isSecret: true } } },
    );
    const references = [{ name: 'TestVariableGroup1', projectReference: { name: 'Web' } }];

    // Act
    const answer = await raw('PUT', `/fabrikam/_apis/distributedtask/variablegroups/${id}?api-version=7.1`, {
      ...example.parameters.body,
      variableGroupProjectReferences: references,
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(ado.variableGroup(id)!.variables).toEqual({
      key1: { value: 'value1', isSecret: false, isReadOnly: false },
      key2: { value: 'kept-secret', isSecret: true, isReadOnly: false },
    });
  });
});

describe('Class: AzureDevOpsVariableGroupAdapter, paged lists', () => {
  it('follows the continuation token through every page, each request declared by the 7.1 spec', async () => {
    // Prepare: 7 more groups, 3 per page; the wanted one on the last page
    await ado.close();
    ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam'], variableGroupPageSize: 3 });
    const at = { organizationUrl: ado.organizationUrl('fabrikam'), project: 'Web' };
    for (let i = 1; i <= 7; i++) {
      ado.seedVariableGroup({ ...at, groupName: `other-${i}` }, { variables: { X: { value: String(i) } } });
    }
    const wanted = ado.seedVariableGroup(
      { ...at, groupName: 'aws-deploy' },
      {
        variables: {
          AWS_ACCESS_KEY_ID: { value: OLD.accessKeyId },
          AWS_SECRET_ACCESS_KEY: { value: OLD.secretAccessKey, isSecret: true },
        },
      },
    );
    const { adapter: port } = adapter();

    // Act
    const listed = await port.listVariableGroups({ ...at, credentialParameter: PAT_PARAMETER });
    const found = await port.findVariableGroup({ ...ref, organizationUrl: at.organizationUrl });

    // Assess
    expect(listed.map((g) => g.name)).toEqual([...Array.from({ length: 7 }, (_, i) => `other-${i + 1}`), 'aws-deploy']);
    expect(found.id).toBe(wanted);
    const lists = ado.requests.filter((r) => r.path.endsWith('/variablegroups') && r.method === 'GET');
    expect(lists.map((r) => r.query.continuationToken ?? null)).toEqual([null, '3', '6', null]);
    const checks = lists.map((r) =>
      spec.checkRequest({ method: r.method, url: `${ado.url}${r.url}`, body: r.body }, at.organizationUrl),
    );
    expect(checks.flatMap((c) => c.errors)).toEqual([]);
  });

  it('refuses a list whose continuation token repeats, rather than looping or returning part of it', async () => {
    // Prepare: a service that always answers the same page and token
    const page = JSON.stringify({ count: 1, value: [{ id: 1, name: 'g', type: 'Vsts', variables: {} }] });
    const loopingFetch = async () =>
      new Response(page, {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-ms-continuationtoken': '1' },
      });
    const port = new AzureDevOpsVariableGroupAdapter(
      new AzureDevOpsHttpClient(new FakeSecureParameters({ [PAT_PARAMETER]: PAT }), loopingFetch, undefined, {
        ...virtualTime(),
      }),
    );

    // Act
    const error = await port
      .listVariableGroups({
        organizationUrl: 'https://dev.azure.com/fabrikam',
        project: 'Web',
        credentialParameter: PAT_PARAMETER,
      })
      .catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe('AzureDevOpsRequestError');
    expect((error as Error).message).toContain('continuation token repeated');
  });
});
