/**
 * The adapter end to end over the local Azure DevOps stand-in (real HTTP on 127.0.0.1), and the
 * stand-in itself held to the spec, so the demo and benchmarks talk to something shaped like
 * Azure DevOps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceEndpoint } from '../../../src/adapters/azure-devops/rest-types.js';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsRequestError,
  AzureDevOpsUnavailableError,
} from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { type AdoStandIn, startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { ServiceEndpointSpec } from './support/ado-spec.js';
import { makeAdapter } from './support/test-kit.js';

const PAT = 'stand-in-pat-0123456789abcdefghijklmnopqrstuvwxyz012345';
const PAT_PARAMETER = '/rotator/ado/pat';
const SP_PARAMETER = '/rotator/ado/service-principal';
const SP = {
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecret: 'sp~Secret.value_0123456789abcdef',
};
const OLD = { accessKeyId: 'AKIAOLDKEY000000001', secretAccessKey: 'old/Secret+Key0123456789abcdefghijklmnop' };
const NEW = {
  accessKeyId: 'AKIANEWKEY000000001',
  secretAccessKey: new SecretValue('new/Secret+Key0123456789abcdefghijklmnop'),
};

const spec = new ServiceEndpointSpec();
let ado: AdoStandIn;
let ref: ConnectionRef;

beforeEach(async () => {
  ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam', 'tfs/DefaultCollection'], servicePrincipal: SP });
  ref = {
    organizationUrl: ado.organizationUrl('fabrikam'),
    project: 'Web',
    connectionName: 'aws-prod',
    credentialParameter: PAT_PARAMETER,
  };
});

afterEach(async () => {
  await ado.close();
});

function adapterFor(client = {}) {
  return makeAdapter({
    parameters: { [PAT_PARAMETER]: PAT, [SP_PARAMETER]: JSON.stringify(SP) },
    client: { entraAuthorityUrl: ado.url, ...client },
  });
}

describe('Class: AzureDevOpsServiceConnectionAdapter', () => {
  describe('over the Azure DevOps stand-in', () => {
    it('sends only requests the 7.1 spec defines during a full find, update and read-back', async () => {
      // Arrange
      const id = ado.seedConnection(ref, {
        ...OLD,
        projects: ['Web', 'Api'],
        assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy',
      });
      const { adapter } = adapterFor();

      // Act
      await adapter.findConnection(ref);
      await adapter.updateCredential(ref, id, NEW);
      await adapter.readConnection(ref, id);

      // Assert
      const checks = ado.requests.map((r) =>
        spec.checkRequest({ method: r.method, url: `${ado.url}${r.url}`, body: r.body }, ref.organizationUrl),
      );
      expect(checks.map((c) => c.operationId)).toEqual([
        'Endpoints_Get Service Endpoints By Names',
        'Endpoints_Get',
        'Endpoints_Update Service Endpoint',
        'Endpoints_Get',
      ]);
      expect(checks.flatMap((c) => c.errors)).toEqual([]);
    });

    it(
      'keeps the role, session name, external id, description and both projects through a ' + 'whole-endpoint PUT',
      async () => {
        // Arrange
        const id = ado.seedConnection(ref, {
          ...OLD,
          projects: ['Web', 'Api'],
          sessionToken: 'old-session-token',
          assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy',
          roleSessionName: 'ado-deploy',
          externalId: 'ext-42',
          description: 'Production deployments',
        });
        const before = ado.connection(id)!;
        const { adapter } = adapterFor();

        // Act
        await adapter.updateCredential(ref, id, NEW);

        // Assert
        const after = ado.connection(id)!;
        expect(after.parameters).toEqual({
          ...before.parameters,
          username: NEW.accessKeyId,
          password: NEW.secretAccessKey.reveal(),
          sessionToken: '',
        });
        expect(after.description).toBe('Production deployments');
        expect(after.projects).toEqual(['Web', 'Api']);
        expect(after.isShared).toBe(true);
        expect(after.updates).toBe(1);
      },
    );

    it('reaches an Azure DevOps Server collection URL', async () => {
      // Arrange
      const collectionRef = { ...ref, organizationUrl: `${ado.organizationUrl('tfs/DefaultCollection')}/` };
      const id = ado.seedConnection(
        { ...collectionRef, organizationUrl: ado.organizationUrl('tfs/DefaultCollection') },
        { ...OLD },
      );
      const { adapter } = adapterFor();

      // Act
      const found = await adapter.findConnection(collectionRef);
      await adapter.updateCredential(collectionRef, id, NEW);

      // Assert
      expect(found.id).toBe(id);
      expect(ado.connection(id)?.accessKeyId).toBe(NEW.accessKeyId);
      expect(ado.requests.find((r) => r.method === 'PUT')?.path).toBe(
        `/tfs/DefaultCollection/_apis/serviceendpoint/endpoints/${id}`,
      );
    });

    it(
      'throws AzureDevOpsCredentialRejectedError when the stand-in answers a wrong PAT with its 203 ' + 'sign-in page',
      async () => {
        // Arrange
        ado.seedConnection(ref, { ...OLD });
        ado.setPat('a-newer-pat-the-rotator-does-not-have');
        const { adapter } = adapterFor();

        // Act
        const error = await adapter.findConnection(ref).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(AzureDevOpsCredentialRejectedError);
        expect(ado.requests.map((r) => r.status)).toEqual([203]);
      },
    );

    it('waits out 429 + Retry-After and then succeeds', async () => {
      // Arrange
      const id = ado.seedConnection(ref, { ...OLD });
      ado.throttleNext(2, 3);
      const { adapter, time } = adapterFor();

      // Act
      const state = await adapter.readConnection(ref, id);

      // Assert
      expect(state.id).toBe(id);
      expect(time.sleeps).toEqual([3000, 3000]);
      expect(ado.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    });

    it('is held back by the rate limit window with 429 and Retry-After', async () => {
      // Arrange
      await ado.close();
      ado = await startAdoStandIn({ pat: PAT, rateLimit: { limit: 1, windowMs: 60_000 } });
      const limitedRef = { ...ref, organizationUrl: ado.organizationUrl('fabrikam') };
      const id = ado.seedConnection(limitedRef, { ...OLD });
      const { adapter } = adapterFor({ maxAttempts: 2, maxTotalMs: 600_000 });
      await adapter.readConnection(limitedRef, id);

      // Act
      const error = await adapter.readConnection(limitedRef, id).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
      expect(ado.requests.map((r) => r.status)).toEqual([200, 429, 429]);
    });

    it(
      'throws AzureDevOpsUnavailableError after bounded retries of a failing PUT and leaves the connection ' +
        'unchanged',
      async () => {
        // Arrange
        const id = ado.seedConnection(ref, { ...OLD });
        ado.failNext('PUT', { status: 500, times: 10 });
        const { adapter } = adapterFor({ maxAttempts: 3 });

        // Act
        const error = await adapter.updateCredential(ref, id, NEW).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
        expect(ado.requestCount({ method: 'PUT' })).toBe(3);
        expect(ado.connection(id)?.secretAccessKey).toBe(OLD.secretAccessKey);
      },
    );

    it(
      'refuses, changing nothing, when a parameter other than password/sessionToken is confidential (hidden ' +
        'on read)',
      async () => {
        // Arrange
        const id = ado.seedConnection(ref, {
          ...OLD,
          externalId: 'ext-42',
          confidentialParameters: ['password', 'sessionToken', 'externalId'],
        });
        const { adapter } = adapterFor();

        // Act
        const error = await adapter.updateCredential(ref, id, NEW).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(AzureDevOpsRequestError);
        expect(ado.requestCount({ method: 'PUT' })).toBe(0);
        expect(ado.connection(id)?.parameters.externalId).toBe('ext-42');
      },
    );

    it('authenticates as a Microsoft Entra service principal with a cached bearer token', async () => {
      // Arrange
      const id = ado.seedConnection(ref, { ...OLD });
      const spRef = { ...ref, credentialParameter: SP_PARAMETER };
      const { adapter } = adapterFor();

      // Act
      await adapter.findConnection(spRef);
      await adapter.updateCredential(spRef, id, NEW);

      // Assert
      expect(ado.connection(id)?.accessKeyId).toBe(NEW.accessKeyId);
      expect(ado.requestCount({ pathIncludes: '/oauth2/v2.0/token' })).toBe(1);
      expect(
        ado.requests
          .filter((r) => r.path.includes('_apis'))
          .every((r) => r.headers.authorization === 'Bearer [REDACTED]'),
      ).toBe(true);
    });

    it('throws AzureDevOpsCredentialRejectedError when the service principal secret is wrong', async () => {
      // Arrange
      ado.seedConnection(ref, { ...OLD });
      const spRef = { ...ref, credentialParameter: SP_PARAMETER };
      const { adapter, parameters } = adapterFor();
      parameters.set(SP_PARAMETER, JSON.stringify({ ...SP, clientSecret: 'expired-secret-value' }));

      // Act
      const error = await adapter.findConnection(spRef).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsCredentialRejectedError);
      expect((error as Error).message).toContain('AADSTS7000215');
    });
  });
});

describe('Function: startAdoStandIn', () => {
  const get = (path: string) =>
    fetch(`${ado.url}${path}`, {
      headers: { authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}`, accept: 'application/json' },
    });

  it('answers reads with bodies valid against the spec, the secret hidden (null by id, absent in a list)', async () => {
    // Arrange
    const id = ado.seedConnection(ref, { ...OLD, sessionToken: 'session' });

    // Act
    const details = (await (
      await get(`/fabrikam/Web/_apis/serviceendpoint/endpoints/${id}?api-version=7.1`)
    ).json()) as ServiceEndpoint;
    const list = (await (
      await get('/fabrikam/Web/_apis/serviceendpoint/endpoints?endpointNames=aws-prod&api-version=7.1')
    ).json()) as {
      count: number;
      value: ServiceEndpoint[];
    };

    // Assert
    expect(spec.checkEndpoint(details, 'response')).toEqual([]);
    expect(spec.checkEndpoint(list.value[0], 'response')).toEqual([]);
    expect(details.authorization?.parameters).toMatchObject({
      username: OLD.accessKeyId,
      password: null,
      sessionToken: null,
    });
    expect(list.count).toBe(1);
    expect(list.value[0]?.authorization?.parameters).not.toHaveProperty('password');
    expect(JSON.stringify([details, list])).not.toContain(OLD.secretAccessKey);
  });

  it('answers a read of an id the project cannot see with 200 and null, like Azure DevOps', async () => {
    // Arrange
    const id = ado.seedConnection(ref, { ...OLD });
    ado.seedConnection(
      { ...ref, project: 'Other' },
      { accessKeyId: 'AKIAOTHER0000000001', secretAccessKey: 'x'.repeat(40) },
    );

    // Act
    const response = await get(`/fabrikam/Other/_apis/serviceendpoint/endpoints/${id}?api-version=7.1`);

    // Assert
    expect(response.status).toBe(200);
    expect(await response.json()).toBeNull();
  });

  it('answers an unknown project with 404 and a VSS error body', async () => {
    // Arrange
    ado.seedConnection(ref, { ...OLD });

    // Act
    const response = await get('/fabrikam/Nope/_apis/serviceendpoint/endpoints?endpointNames=x&api-version=7.1');

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      typeKey: 'ProjectDoesNotExistWithNameException',
      message: expect.stringContaining('TF200016'),
    });
  });

  it('refuses a PUT with a null parameter or without project references, like a whole-endpoint replace', async () => {
    // Arrange
    const id = ado.seedConnection(ref, { ...OLD });
    const details = (await (
      await get(`/fabrikam/Web/_apis/serviceendpoint/endpoints/${id}?api-version=7.1`)
    ).json()) as ServiceEndpoint;
    const put = (body: unknown) =>
      fetch(`${ado.url}/fabrikam/_apis/serviceendpoint/endpoints/${id}?api-version=7.1`, {
        method: 'PUT',
        headers: {
          authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });

    // Act
    const withNull = await put(details);
    const withoutReferences = await put({
      ...details,
      serviceEndpointProjectReferences: undefined,
      authorization: { scheme: 'UsernamePassword', parameters: {} },
    });

    // Assert
    expect(withNull.status).toBe(400);
    expect(withoutReferences.status).toBe(400);
    expect(await withoutReferences.json()).toMatchObject({
      message: expect.stringContaining('endpointProjectReferences'),
    });
    expect(ado.connection(id)?.secretAccessKey).toBe(OLD.secretAccessKey);
  });

  it('records requests without any credential', async () => {
    // Arrange
    const id = ado.seedConnection(ref, { ...OLD });
    const { adapter } = adapterFor();

    // Act
    await adapter.updateCredential(ref, id, NEW);

    // Assert
    const recorded = JSON.stringify(ado.requests);
    expect(recorded).not.toContain(PAT);
    expect(recorded).not.toContain(Buffer.from(`:${PAT}`).toString('base64'));
    expect(recorded).not.toContain(NEW.secretAccessKey.reveal());
    expect(ado.requests.find((r) => r.method === 'PUT')?.body).toMatchObject({
      authorization: { parameters: { password: '[REDACTED]', sessionToken: '' } },
    });
  });

  it('injects faults only for the method asked, the number of times asked', async () => {
    // Arrange
    const id = ado.seedConnection(ref, { ...OLD });
    ado.failNext('GET', { status: 503, times: 2 });

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await get(`/fabrikam/Web/_apis/serviceendpoint/endpoints/${id}?api-version=7.1`)).status);

    // Assert
    expect(statuses).toEqual([503, 503, 200]);
    expect(ado.requestCount({ method: 'GET' })).toBe(3);
  });
});
