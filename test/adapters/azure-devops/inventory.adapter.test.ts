import { AzureDevOpsHttpClient } from '../../../src/adapters/azure-devops/http-client.js';
/**
 * The inventory adapter (discovery and the move to OIDC) over the Azure DevOps stand-in, every
 * request held to Microsoft's 7.1 specs (Service Endpoints; Core for the project list). The
 * connectionData resource has no spec in the fixtures (Location area): its shape is the one the
 * stand-in documents (organization.ts), and a plain "7.1" is refused as the service refuses it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AzureDevOpsInventoryAdapter,
  CONNECTION_DATA_API_VERSION,
} from '../../../src/adapters/azure-devops/inventory.adapter.js';
import { ConnectionNotAwsError } from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { type AdoStandIn, startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { ServiceEndpointSpec } from './support/ado-spec.js';
import { capturingLogger, FakeSecureParameters, virtualTime } from './support/test-kit.js';

const PAT = 'stand-in-pat-0123456789abcdefghijklmnopqrstuvwxyz012345';
const PAT_PARAMETER = '/rotator/ado/pat';
const KEY = { accessKeyId: 'AKIAOLDKEY000000001', secretAccessKey: 'old/Secret+Key0123456789abcdefghijklmnop' };
const ROLE = 'arn:aws:iam::123456789012:role/ado-oidc-web-prod';

const endpoints = new ServiceEndpointSpec();
const core = new ServiceEndpointSpec('core_7.1_core.json');
let ado: AdoStandIn;
let ref: ConnectionRef;

beforeEach(async () => {
  ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam', 'tfs/DefaultCollection'] });
  ref = {
    organizationUrl: ado.organizationUrl('fabrikam'),
    project: 'Web',
    connectionName: 'aws-prod',
    credentialParameter: PAT_PARAMETER,
  };
});

afterEach(async () => {
  // Every Service Endpoints request is one the 7.1 spec defines, body included.
  for (const r of ado.requests.filter((r) => r.path.includes('/serviceendpoint/'))) {
    const check = endpoints.checkRequest(
      { method: r.method, url: `${ado.url}${r.url}`, body: r.body },
      ref.organizationUrl,
    );
    expect(check.errors, `${r.method} ${r.url}`).toEqual([]);
  }
  await ado.close();
});

const adapter = () => {
  const time = virtualTime();
  return new AzureDevOpsInventoryAdapter(
    new AzureDevOpsHttpClient(new FakeSecureParameters({ [PAT_PARAMETER]: PAT }), undefined, capturingLogger(), {
      sleep: time.sleep,
      now: time.now,
      random: () => 0.5,
    }),
  );
};

describe('Class: AzureDevOpsInventoryAdapter', () => {
  it(
    'reads the organization id from connectionData (a preview resource) and tells the service from Azure ' +
      'DevOps Server',
    async () => {
      // Act
      const cloud = await adapter().organization(ref);
      const server = await adapter().organization({
        organizationUrl: ado.organizationUrl('tfs/DefaultCollection'),
        credentialParameter: PAT_PARAMETER,
      });
      // Assess
      expect(cloud).toEqual({ organizationId: ado.organizationId('fabrikam'), hosted: true });
      expect(server.hosted).toBe(false);
      expect(ado.requests[0]?.query['api-version']).toBe(CONNECTION_DATA_API_VERSION);
    },
  );

  it('lists every AWS connection of a project (type=AWS, failed included) with how it authenticates', async () => {
    // Prepare
    const keys = ado.seedConnection(ref, { ...KEY, projects: ['Web', 'Api'], roleSessionName: 'deploy' });
    const oidc = ado.seedConnection(
      { ...ref, connectionName: 'aws-oidc' },
      { accessKeyId: '', secretAccessKey: '', usesOidc: true, assumeRoleArn: ROLE },
    );
    const role = ado.seedConnection(
      { ...ref, connectionName: 'aws-agent-role' },
      { accessKeyId: '', secretAccessKey: '', assumeRoleArn: ROLE, externalId: 'x-1' },
    );
    ado.seedConnection({ ...ref, connectionName: 'azure' }, { ...KEY, type: 'azurerm', scheme: 'ServicePrincipal' });
    // Act
    const found = await adapter().listAwsConnections(ref);
    // Assess
    expect(found).toEqual([
      {
        id: keys,
        name: 'aws-prod',
        projects: ['Web', 'Api'],
        auth: 'keys',
        heldAccessKeyId: KEY.accessKeyId,
        assumeRoleArn: null,
        externalId: false,
        isReady: true,
      },
      {
        id: oidc,
        name: 'aws-oidc',
        projects: ['Web'],
        auth: 'oidc',
        heldAccessKeyId: null,
        assumeRoleArn: ROLE,
        externalId: false,
        isReady: true,
      },
      {
        id: role,
        name: 'aws-agent-role',
        projects: ['Web'],
        auth: 'role-only',
        heldAccessKeyId: null,
        assumeRoleArn: ROLE,
        externalId: true,
        isReady: true,
      },
    ]);
    expect(ado.requests.at(-1)?.query).toMatchObject({ type: 'AWS', includeFailed: 'true', 'api-version': '7.1' });
    expect(JSON.stringify(found)).not.toContain(KEY.secretAccessKey);
  });

  it(
    'switches a connection to OIDC in place: same id and projects, key fields emptied, useOIDC and the role ' +
      'set, the rest kept',
    async () => {
      // Prepare
      const id = ado.seedConnection(ref, {
        ...KEY,
        projects: ['Web', 'Api'],
        roleSessionName: 'deploy',
        description: 'prod',
      });
      // Act
      await adapter().switchToOidc(ref, id, ROLE);
      // Assess
      const stored = ado.connection(id);
      expect(stored).toMatchObject({
        id,
        projects: ['Web', 'Api'],
        description: 'prod',
        usesOidc: true,
        accessKeyId: '',
        secretAccessKey: '',
        sessionToken: '',
      });
      expect(stored?.parameters).toMatchObject({ assumeRoleArn: ROLE, roleSessionName: 'deploy', useOIDC: 'true' });
      expect(await adapter().describeConnection(ref, id)).toMatchObject({
        id,
        auth: 'oidc',
        heldAccessKeyId: null,
        assumeRoleArn: ROLE,
        projects: ['Web', 'Api'],
      });
      const put = ado.requests.find((r) => r.method === 'PUT');
      expect(endpoints.checkEndpoint(put?.body, 'request')).toEqual([]);
    },
  );

  it('puts the key back (the way back): key and secret stored, useOIDC off, the role to assume as it was', async () => {
    // Prepare
    const id = ado.seedConnection(ref, { ...KEY, projects: ['Web', 'Api'] });
    await adapter().switchToOidc(ref, id, ROLE);
    // Act
    await adapter().restoreKey(
      ref,
      id,
      { accessKeyId: KEY.accessKeyId, secretAccessKey: new SecretValue(KEY.secretAccessKey) },
      null,
    );
    // Assess
    expect(ado.connection(id)).toMatchObject({
      accessKeyId: KEY.accessKeyId,
      secretAccessKey: KEY.secretAccessKey,
      usesOidc: false,
      projects: ['Web', 'Api'],
    });
    expect(ado.connection(id)?.parameters.assumeRoleArn).toBe('');
    // The secret travels in the PUT body only; the stand-in's record of it is redacted.
    expect(JSON.stringify(ado.requests)).not.toContain(KEY.secretAccessKey);
  });

  it('refuses to switch a connection that is not the AWS Toolkit type, changing nothing', async () => {
    const id = ado.seedConnection(ref, { ...KEY, type: 'azurerm', scheme: 'ServicePrincipal' });
    await expect(adapter().switchToOidc(ref, id, ROLE)).rejects.toBeInstanceOf(ConnectionNotAwsError);
    expect(ado.connection(id)?.updates).toBe(0);
  });

  it('the stand-in lists projects as Core 7.1 Projects_List does', async () => {
    ado.seedConnection(ref, { ...KEY, projects: ['Web', 'Api'] });
    const answer = await fetch(`${ref.organizationUrl}/_apis/projects?api-version=7.1`, {
      headers: { Authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}` },
    });
    const body = (await answer.json()) as { value: Array<{ name: string }> };
    expect(body.value.map((p) => p.name)).toEqual(['Web', 'Api']);
    expect(
      core.checkRequest(
        { method: 'GET', url: `${ref.organizationUrl}/_apis/projects?api-version=7.1` },
        ref.organizationUrl,
      ),
    ).toMatchObject({ operationId: 'Projects_List', errors: [] });
    expect(core.checkDefinition('TeamProjectReference', body.value[0], 'response')).toEqual([]);
  });
});
