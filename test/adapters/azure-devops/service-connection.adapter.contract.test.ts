/**
 * The adapter against Microsoft's Service Endpoints 7.1 spec: every request it sends is checked
 * against the spec's operation and `ServiceEndpoint` schema (ajv), and answered with bodies built
 * from the spec's own examples, adapted to the AWS Toolkit's connection type.
 */
import { Container } from 'inversify';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AzureDevOpsHttpClient } from '../../../src/adapters/azure-devops/http-client.js';
import {
  AWS_CONFIDENTIAL_PARAMETERS,
  AWS_PARAMETERS,
  type ServiceEndpoint,
} from '../../../src/adapters/azure-devops/rest-types.js';
import {
  AzureDevOpsServiceConnectionAdapter,
  toConnectionState,
} from '../../../src/adapters/azure-devops/service-connection.adapter.js';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsNotAuthorizedError,
  AzureDevOpsRateLimitedError,
  AzureDevOpsRequestError,
  AzureDevOpsUnavailableError,
  ConfigurationError,
  ConnectionAmbiguousError,
  ConnectionGoneError,
  ConnectionNotAwsError,
  ConnectionNotFoundError,
  ConnectionUsesOidcError,
  InvalidStepInputError,
} from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { TOKENS } from '../../../src/ports/tokens.js';
import { awsToolkitDefinition, ServiceEndpointSpec } from './support/ado-spec.js';
import {
  asStored,
  awsEndpointDetails,
  awsEndpointList,
  EXAMPLE_ENDPOINT_ID,
  EXAMPLE_PROJECT,
  SECOND_PROJECT,
} from './support/aws-endpoints.js';
import { NockRecorder } from './support/nock-recorder.js';
import { FakeSecureParameters, makeAdapter } from './support/test-kit.js';
import { ADAPTER_TOKENS } from '../../../src/wiring/tokens.js';

const ORIGIN = 'https://dev.azure.com';
const ORG = `${ORIGIN}/fabrikam`;
const TFS_ORIGIN = 'https://tfs.contoso.local';
const TFS_ORG = `${TFS_ORIGIN}/tfs/DefaultCollection`;
const PROJECT = EXAMPLE_PROJECT.name;
const ID = EXAMPLE_ENDPOINT_ID;
const PAT = 'ado-pat-0123456789abcdefghijklmnopqrstuvwxyz0123456789';
const PAT_PARAMETER = '/rotator/ado/pat';

const LIST_PATH = `/fabrikam/${PROJECT}/_apis/serviceendpoint/endpoints`;
const READ_PATH = `/fabrikam/${PROJECT}/_apis/serviceendpoint/endpoints/${ID}`;
const PUT_PATH = `/fabrikam/_apis/serviceendpoint/endpoints/${ID}`;

const ref: ConnectionRef = {
  organizationUrl: ORG,
  project: PROJECT,
  connectionName: 'aws-prod',
  credentialParameter: PAT_PARAMETER,
};
const NEW_KEY = {
  accessKeyId: 'AKIANEWKEY000000001',
  secretAccessKey: new SecretValue('new/Secret+Key0123456789abcdefghijklmnop'),
};

const spec = new ServiceEndpointSpec();
const recorder = new NockRecorder();

function kit(client = {}) {
  return makeAdapter({ parameters: { [PAT_PARAMETER]: PAT }, client });
}

const operationsOf = (calls = recorder.calls) =>
  calls.map((call) => spec.checkRequest(call, call.url.startsWith(TFS_ORIGIN) ? TFS_ORG : ORG).operationId);

beforeEach(() => {
  recorder.clear();
});

afterEach(() => {
  // Every request the client sent, whatever the test, must be one the spec defines.
  for (const call of recorder.calls) {
    if (call.url.startsWith('https://login.microsoftonline.com')) continue;
    const check = spec.checkRequest(call, call.url.startsWith(TFS_ORIGIN) ? TFS_ORG : ORG);
    expect(check.errors, `${call.method} ${call.url}`).toEqual([]);
  }
});

describe('Class: AzureDevOpsServiceConnectionAdapter', () => {
  describe('spec and toolkit alignment', () => {
    it(
      'uses the AWS Toolkit input ids as parameter names and treats exactly its confidential inputs as ' +
        'confidential',
      () => {
        // Arrange
        const toolkit = awsToolkitDefinition();

        // Act
        const ids = toolkit.inputs.map((input) => input.id);
        const confidential = toolkit.inputs.filter((input) => input.isConfidential).map((input) => input.id);

        // Assert
        expect(toolkit.typeName).toBe('AWS');
        expect(ids).toEqual(expect.arrayContaining(Object.values(AWS_PARAMETERS)));
        expect([...AWS_CONFIDENTIAL_PARAMETERS].sort()).toEqual([...confidential].sort());
      },
    );

    it('rejects a request the spec does not define (the validator can fail)', () => {
      // Arrange
      const drifted = {
        method: 'PUT',
        url: `${ORG}/${PROJECT}/_apis/serviceendpoint/endpoints/${ID}?api-version=7.1`,
        body: {},
      };
      const nullSecret = {
        method: 'PUT',
        url: `${ORG}/_apis/serviceendpoint/endpoints/${ID}?api-version=7.1`,
        body: { ...awsEndpointDetails(), serviceEndpointProjectReference: [] },
      };

      // Act
      const wrongPath = spec.checkRequest(drifted, ORG);
      const wrongBody = spec.checkRequest(nullSecret, ORG);

      // Assert
      expect(wrongPath.errors).not.toEqual([]);
      expect(wrongBody.operationId).toBe('Endpoints_Update Service Endpoint');
      expect(wrongBody.errors.join('\n')).toMatch(/password|additional/);
    });
  });

  describe('findConnection', () => {
    it(
      'finds by name (including failed connections) in one request, the list carrying each ' + 'endpoint whole',
      async () => {
        // Arrange
        const endpoint = awsEndpointDetails({ accessKeyId: 'AKIAHELDKEY00000001' });
        const scope = nock(ORIGIN)
          .get(LIST_PATH)
          .query(true)
          .reply(recorder.answer(200, awsEndpointList(endpoint)));
        const { adapter } = kit();

        // Act
        const state = await adapter.findConnection(ref);

        // Assert
        expect(scope.isDone()).toBe(true);
        expect(operationsOf()).toEqual(['Endpoints_Get Service Endpoints By Names']);
        const listUrl = new URL(recorder.calls[0]!.url);
        expect(Object.fromEntries(listUrl.searchParams)).toEqual({
          endpointNames: 'aws-prod',
          includeFailed: 'true',
          'api-version': '7.1',
        });
        expect(state).toEqual({
          id: ID,
          name: 'aws-prod',
          type: 'AWS',
          usesOidc: false,
          heldAccessKeyId: 'AKIAHELDKEY00000001',
          assumesRole: false,
          projectReferenceCount: 1,
        });
      },
    );

    it(
      'sends the PAT as Basic base64(":" + PAT), X-TFS-FedAuthRedirect: Suppress and Accept: ' + 'application/json',
      async () => {
        // Arrange
        const endpoint = awsEndpointDetails();
        nock(ORIGIN).get(READ_PATH).query(true).reply(recorder.answer(200, endpoint));
        const { adapter } = kit();

        // Act
        await adapter.readConnection(ref, ID);

        // Assert
        const headers = recorder.calls[0]!.headers;
        expect(headers.get('authorization')).toBe(`Basic ${Buffer.from(`:${PAT}`).toString('base64')}`);
        expect(headers.get('x-tfs-fedauthredirect')).toBe('Suppress');
        expect(headers.get('accept')).toBe('application/json');
      },
    );

    it('maps a shared connection with a role to assume: reference count and assumesRole', async () => {
      // Arrange
      const endpoint = awsEndpointDetails({
        projects: [EXAMPLE_PROJECT, SECOND_PROJECT],
        assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy',
      });
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointList(endpoint)))
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, endpoint));
      const { adapter } = kit();

      // Act
      const state = await adapter.findConnection(ref);

      // Assert
      expect(state.projectReferenceCount).toBe(2);
      expect(state.assumesRole).toBe(true);
    });

    it(
      'throws ConnectionNotFoundError naming the organization, project and name searched when nothing ' + 'matches',
      async () => {
        // Arrange
        nock(ORIGIN).get(LIST_PATH).query(true).reply(recorder.answer(200, awsEndpointList()));
        const { adapter } = kit();

        // Act
        const error = await adapter.findConnection(ref).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionNotFoundError);
        expect((error as Error).message).toContain('"aws-prod"');
        expect((error as Error).message).toContain(`project "${PROJECT}"`);
        expect((error as Error).message).toContain(ORG);
        expect((error as ConnectionNotFoundError).context).toMatchObject({
          organizationUrl: ORG,
          project: PROJECT,
          connectionName: 'aws-prod',
        });
      },
    );

    it('ignores a listed connection whose name only resembles the one searched', async () => {
      // Arrange
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointList(awsEndpointDetails({ name: 'aws-prod-old' }))));
      const { adapter } = kit();

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConnectionNotFoundError);
    });

    it('throws ConnectionNotFoundError when Azure DevOps says the project does not exist (404 TF200016)', async () => {
      // Arrange
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(
          recorder.answer(404, {
            $id: '1',
            innerException: null,
            message: `TF200016: The following project does not exist: ${PROJECT}.`,
            typeName:
              'Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, ' +
              'Microsoft.TeamFoundation.Core.WebApi',
            typeKey: 'ProjectDoesNotExistWithNameException',
            errorCode: 0,
            eventId: 3000,
          }),
        );
      const { adapter } = kit();

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConnectionNotFoundError);
      expect((error as Error).message).toContain('TF200016');
    });

    it('throws ConnectionAmbiguousError listing both ids when two connections have the name', async () => {
      // Arrange
      const other = '0b6b3f2c-6d3e-4c61-9a48-2f1f3f1f5e10';
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(
          recorder.answer(
            200,
            awsEndpointList(awsEndpointDetails(), awsEndpointDetails({ id: other, name: 'AWS-PROD' })),
          ),
        );
      const { adapter } = kit();

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConnectionAmbiguousError);
      expect((error as Error).message).toContain(ID);
      expect((error as Error).message).toContain(other);
      expect((error as Error).message).toContain(PROJECT);
    });

    it('reports an OIDC connection (useOIDC "true") without refusing it', async () => {
      // Arrange
      const endpoint = awsEndpointDetails({ useOidc: true, accessKeyId: '' });
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointList(endpoint)))
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, endpoint));
      const { adapter } = kit();

      // Act
      const state = await adapter.findConnection(ref);

      // Assert
      expect(state.usesOidc).toBe(true);
      expect(state.heldAccessKeyId).toBeNull();
    });

    it('reports a non-AWS connection with its type without refusing it', async () => {
      // Arrange
      const endpoint = {
        ...ServiceEndpointSpec.example<ServiceEndpoint>('GetServiceEndpointDetails'),
        name: 'aws-prod',
      };
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointList(endpoint)))
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, endpoint));
      const { adapter } = kit();

      // Act
      const state = await adapter.findConnection(ref);

      // Assert
      expect(state.type).toBe('Generic');
      expect(state.usesOidc).toBe(false);
    });

    it.each([TFS_ORG, `${TFS_ORG}/`])('reaches an Azure DevOps Server collection at %s', async (organizationUrl) => {
      // Arrange
      const endpoint = awsEndpointDetails();
      const scope = nock(TFS_ORIGIN)
        .get(`/tfs/DefaultCollection/${PROJECT}/_apis/serviceendpoint/endpoints`)
        .query(true)
        .reply(recorder.answer(200, awsEndpointList(endpoint)));
      const { adapter } = kit();

      // Act
      const state = await adapter.findConnection({ ...ref, organizationUrl });

      // Assert
      expect(scope.isDone()).toBe(true);
      expect(state.id).toBe(ID);
      expect(operationsOf()).toEqual(['Endpoints_Get Service Endpoints By Names']);
    });

    it('accepts an organization URL with a trailing slash and a project name with a space', async () => {
      // Arrange
      const endpoint = awsEndpointDetails({ projects: [{ id: EXAMPLE_PROJECT.id, name: 'Web App' }] });
      nock(ORIGIN)
        .get('/fabrikam/Web%20App/_apis/serviceendpoint/endpoints')
        .query(true)
        .reply(recorder.answer(200, awsEndpointList(endpoint)))
        .get(`/fabrikam/Web%20App/_apis/serviceendpoint/endpoints/${ID}`)
        .query(true)
        .reply(recorder.answer(200, endpoint));
      const { adapter } = kit();

      // Act
      const state = await adapter.findConnection({ ...ref, organizationUrl: `${ORG}/`, project: 'Web App' });

      // Assert
      expect(state.id).toBe(ID);
    });

    it.each([
      ['plain http to a remote host', 'http://dev.azure.com/fabrikam'],
      ['credentials in the URL', 'https://user:secret@dev.azure.com/fabrikam'],
      ['no organization', 'https://dev.azure.com/'],
      ['not a URL', 'dev.azure.com fabrikam'],
    ])(
      'throws ConfigurationError for an organization URL with %s, without calling Azure DevOps',
      async (_why, organizationUrl) => {
        // Arrange
        const { adapter } = kit();

        // Act
        const error = await adapter.findConnection({ ...ref, organizationUrl }).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).not.toContain('secret');
        expect(recorder.calls).toEqual([]);
      },
    );
  });

  describe('readConnection', () => {
    it('throws ConnectionGoneError when the read answers 404', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(404, { message: 'not found', typeKey: 'ServiceEndpointNotFoundException' }));
      const { adapter } = kit();

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConnectionGoneError);
      expect((error as Error).message).toContain(ID);
      expect((error as Error).message).toContain(PROJECT);
    });

    it(
      'throws ConnectionGoneError when the read answers 200 with null, as Azure DevOps does for an ' + 'unknown id',
      async () => {
        // Arrange
        nock(ORIGIN).get(READ_PATH).query(true).reply(recorder.answer(200, null));
        const { adapter } = kit();

        // Act
        const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionGoneError);
      },
    );

    it(
      'throws InvalidStepInputError for a connection id that is not a GUID, without calling ' + 'Azure DevOps',
      async () => {
        // Arrange
        const { adapter } = kit();

        // Act
        const error = await adapter.readConnection(ref, '../../_apis/projects').catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(InvalidStepInputError);
        expect(recorder.calls).toEqual([]);
      },
    );

    it.each([
      ['authorization.parameters.useOIDC "true"', { parameters: { useOIDC: 'true' } }, true],
      ['authorization.parameters.useOIDC "True"', { parameters: { useOIDC: 'True' } }, true],
      ['data.useOIDC "true"', { data: { useOIDC: 'true' } }, true],
      ['the WorkloadIdentityFederation scheme', { scheme: 'WorkloadIdentityFederation' }, true],
      ['useOIDC "false"', { parameters: { useOIDC: 'false' } }, false],
      ['no useOIDC at all', { parameters: { useOIDC: null } }, false],
    ])('maps %s to usesOidc %s', (_what, options, expected) => {
      // Arrange
      const endpoint = awsEndpointDetails(options);

      // Act
      const state = toConnectionState(endpoint);

      // Assert
      expect(state.usesOidc).toBe(expected);
    });

    it('maps an empty username to no held key and an empty assumeRoleArn to no role', () => {
      // Arrange
      const endpoint = awsEndpointDetails({ accessKeyId: ' ', assumeRoleArn: '' });

      // Act
      const state = toConnectionState(endpoint);

      // Assert
      expect(state.heldAccessKeyId).toBeNull();
      expect(state.assumesRole).toBe(false);
    });

    it('throws AzureDevOpsRequestError when the read answers another connection', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointDetails({ id: '0b6b3f2c-6d3e-4c61-9a48-2f1f3f1f5e10' })));
      const { adapter } = kit();

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsRequestError);
    });
  });

  describe('updateCredential', () => {
    it(
      'PUTs the whole endpoint as read to the organization-level update, changing only username, password and ' +
        'sessionToken',
      async () => {
        // Arrange
        const read = awsEndpointDetails({
          accessKeyId: 'AKIAOLDKEY000000001',
          assumeRoleArn: 'arn:aws:iam::123456789012:role/deploy',
          roleSessionName: 'ado-deploy',
          externalId: 'ext-42',
          description: 'Production deployments',
        });
        nock(ORIGIN)
          .get(READ_PATH)
          .query(true)
          .reply(recorder.answer(200, read))
          .put(PUT_PATH)
          .query(true)
          .reply(async (request: Request) => {
            const body = (await request.clone().json()) as ServiceEndpoint;
            return recorder.answer(200, asStored(body))(request);
          });
        const { adapter } = kit();

        // Act
        await adapter.updateCredential(ref, ID, NEW_KEY);

        // Assert
        expect(operationsOf()).toEqual(['Endpoints_Get', 'Endpoints_Update Service Endpoint']);
        const put = recorder.byMethod('PUT')[0]!;
        expect(Object.fromEntries(new URL(put.url).searchParams)).toEqual({ 'api-version': '7.1' });
        expect(put.headers.get('content-type')).toBe('application/json');
        expect(put.body).toEqual({
          ...read,
          authorization: {
            scheme: 'UsernamePassword',
            parameters: {
              ...read.authorization?.parameters,
              username: NEW_KEY.accessKeyId,
              password: NEW_KEY.secretAccessKey.reveal(),
              sessionToken: '',
            },
          },
        });
      },
    );

    it('keeps both project references of a connection shared by two projects', async () => {
      // Arrange
      const read = awsEndpointDetails({ projects: [EXAMPLE_PROJECT, SECOND_PROJECT] });
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, read))
        .put(PUT_PATH)
        .query(true)
        .reply(recorder.answer(200, asStored(read)));
      const { adapter } = kit();

      // Act
      await adapter.updateCredential(ref, ID, NEW_KEY);

      // Assert
      const body = recorder.byMethod('PUT')[0]!.body as ServiceEndpoint;
      expect(body.isShared).toBe(true);
      expect(body.serviceEndpointProjectReferences).toEqual(read.serviceEndpointProjectReferences);
      expect(body.serviceEndpointProjectReferences?.map((r) => r.projectReference?.name)).toEqual([
        EXAMPLE_PROJECT.name,
        SECOND_PROJECT.name,
      ]);
    });

    it('reads back the new access key id after the update', async () => {
      // Arrange
      let stored = awsEndpointDetails({ accessKeyId: 'AKIAOLDKEY000000001' });
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(async (request: Request) => recorder.answer(200, stored)(request))
        .put(PUT_PATH)
        .query(true)
        .reply(async (request: Request) => {
          stored = asStored((await request.clone().json()) as ServiceEndpoint);
          return recorder.answer(200, stored)(request);
        })
        .get(READ_PATH)
        .query(true)
        .reply(async (request: Request) => recorder.answer(200, stored)(request));
      const { adapter } = kit();

      // Act
      await adapter.updateCredential(ref, ID, NEW_KEY);
      const after = await adapter.readConnection(ref, ID);

      // Assert
      expect(after.heldAccessKeyId).toBe(NEW_KEY.accessKeyId);
      expect(after.id).toBe(ID);
    });

    it('refuses an OIDC connection with ConnectionUsesOidcError and sends no PUT', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointDetails({ useOidc: true })));
      const { adapter } = kit();

      // Act
      const error = await adapter.updateCredential(ref, ID, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConnectionUsesOidcError);
      expect((error as Error).message).toContain(ID);
      expect(recorder.byMethod('PUT')).toEqual([]);
    });

    it('refuses a non-AWS connection with ConnectionNotAwsError and sends no PUT', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(
          recorder.answer(200, {
            ...ServiceEndpointSpec.example<ServiceEndpoint>('GetServiceEndpointDetails'),
            name: 'aws-prod',
          }),
        );
      const { adapter } = kit();

      // Act
      const error = await adapter.updateCredential(ref, ID, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConnectionNotAwsError);
      expect((error as Error).message).toContain('Generic');
      expect(recorder.byMethod('PUT')).toEqual([]);
    });

    it(
      'refuses, sending no PUT, when a parameter other than password/sessionToken came back ' + 'hidden (null)',
      async () => {
        // Arrange
        nock(ORIGIN)
          .get(READ_PATH)
          .query(true)
          .reply(recorder.answer(200, awsEndpointDetails({ parameters: { externalId: null } })));
        const { adapter } = kit();

        // Act
        const error = await adapter.updateCredential(ref, ID, NEW_KEY).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(AzureDevOpsRequestError);
        expect((error as Error).message).toContain('externalId');
        expect((error as Error).message).toContain('nothing was changed');
        expect(recorder.byMethod('PUT')).toEqual([]);
      },
    );

    it('sends the session token as "" even when the read left it out', async () => {
      // Arrange
      const read = awsEndpointDetails();
      delete read.authorization?.parameters?.sessionToken;
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, read))
        .put(PUT_PATH)
        .query(true)
        .reply(recorder.answer(200, asStored(read)));
      const { adapter } = kit();

      // Act
      await adapter.updateCredential(ref, ID, NEW_KEY);

      // Assert
      const body = recorder.byMethod('PUT')[0]!.body as ServiceEndpoint;
      expect(body.authorization?.parameters?.sessionToken).toBe('');
    });

    it('retries a 500 on PUT a bounded number of times, then throws AzureDevOpsUnavailableError', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointDetails()))
        .put(PUT_PATH)
        .query(true)
        .times(3)
        .reply(recorder.answer(500, { message: 'Internal error', typeKey: 'InternalServerException' }));
      const { adapter, time } = kit({ maxAttempts: 3 });

      // Act
      const error = await adapter.updateCredential(ref, ID, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
      expect((error as Error).message).toContain('after 3 attempts');
      expect(recorder.byMethod('PUT')).toHaveLength(3);
      expect(time.sleeps).toHaveLength(2);
    });

    it('takes any 2xx to the PUT as done, even without a body (the read-back verifies it)', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointDetails()))
        .put(PUT_PATH)
        .query(true)
        .reply(recorder.answer(204));
      const { adapter } = kit();

      // Act
      const result = await adapter.updateCredential(ref, ID, NEW_KEY);

      // Assert
      expect(result).toBeUndefined();
      expect(recorder.byMethod('PUT')).toHaveLength(1);
    });

    it('throws ConnectionGoneError when the PUT answers 404', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointDetails()))
        .put(PUT_PATH)
        .query(true)
        .reply(recorder.answer(404, { message: 'gone', typeKey: 'ServiceEndpointNotFoundException' }));
      const { adapter } = kit();

      // Act
      const error = await adapter.updateCredential(ref, ID, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConnectionGoneError);
    });

    it('throws AzureDevOpsRequestError with Azure DevOps message and typeKey when the PUT answers 400', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointDetails()))
        .put(PUT_PATH)
        .query(true)
        .reply(
          recorder.answer(400, {
            message: 'Service Connection Authorization cannot be null.',
            typeKey: 'ServiceEndpointException',
          }),
        );
      const { adapter } = kit();

      // Act
      const error = await adapter.updateCredential(ref, ID, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsRequestError);
      expect((error as Error).message).toContain('Service Connection Authorization cannot be null.');
      expect((error as AzureDevOpsRequestError).context.typeKey).toBe('ServiceEndpointException');
    });
  });

  describe('answers that mean the credential was not accepted', () => {
    it('throws AzureDevOpsCredentialRejectedError when the PAT is answered with the 203 sign-in page', async () => {
      // Arrange
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(
          recorder.answer(
            203,
            '<html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in</body></html>',
            { 'content-type': 'text/html' },
          ),
        );
      const { adapter } = kit();

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsCredentialRejectedError);
      expect((error as Error).message).toContain(`the PAT in parameter ${PAT_PARAMETER}`);
      expect((error as Error).message).toContain('may have expired');
    });

    it(
      'throws AzureDevOpsCredentialRejectedError on a redirect to the sign-in page, without ' + 'following it',
      async () => {
        // Arrange
        nock(ORIGIN)
          .get(READ_PATH)
          .query(true)
          .reply(
            recorder.answer(302, '', {
              location: 'https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com',
            }),
          );
        const { adapter } = kit();

        // Act
        const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(AzureDevOpsCredentialRejectedError);
        expect(recorder.calls).toHaveLength(1);
      },
    );

    it('throws AzureDevOpsCredentialRejectedError when a 200 is not JSON', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, '<html>Sign in</html>', { 'content-type': 'text/html; charset=utf-8' }));
      const { adapter } = kit();

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsCredentialRejectedError);
    });

    it('throws AzureDevOpsNotAuthorizedError with Azure DevOps message and typeKey on 401 TF400813', async () => {
      // Arrange
      nock(ORIGIN)
        .get(LIST_PATH)
        .query(true)
        .reply(
          recorder.answer(401, {
            $id: '1',
            innerException: null,
            message: "TF400813: The user 'aaaa-bbbb' is not authorized to access this resource.",
            typeName:
              'Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, ' +
              'Microsoft.TeamFoundation.Framework.Server',
            typeKey: 'UnauthorizedRequestException',
            errorCode: 0,
            eventId: 3000,
          }),
        );
      const { adapter } = kit();

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsNotAuthorizedError);
      expect((error as Error).message).toContain('TF400813');
      expect((error as Error).message).toContain('UnauthorizedRequestException');
      expect((error as Error).message).toContain(PROJECT);
      expect((error as AzureDevOpsNotAuthorizedError).context).toMatchObject({
        status: 401,
        typeKey: 'UnauthorizedRequestException',
      });
    });

    it('throws AzureDevOpsNotAuthorizedError on 403', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(403, { message: 'Access denied', typeKey: 'AccessCheckException' }));
      const { adapter } = kit();

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsNotAuthorizedError);
      expect((error as Error).message).toContain('AccessCheckException');
    });
  });

  describe('throttling', () => {
    it('honours Retry-After on 429, then succeeds', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(
          recorder.answer(
            429,
            { message: 'TF400733: Request was blocked', typeKey: 'RequestBlockedException' },
            { 'retry-after': '7' },
          ),
        )
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(200, awsEndpointDetails()));
      const { adapter, time, logger } = kit();

      // Act
      const state = await adapter.readConnection(ref, ID);

      // Assert
      expect(state.id).toBe(ID);
      expect(time.sleeps).toEqual([7000]);
      expect(
        logger.lines.some((l) => l.level === 'warn' && l.attributes?.reason === 'HTTP 429 (RequestBlockedException)'),
      ).toBe(true);
    });

    it('gives up at once with AzureDevOpsRateLimitedError when a 429 Retry-After is beyond the budget', async () => {
      // Arrange
      nock(ORIGIN)
        .get(READ_PATH)
        .query(true)
        .reply(recorder.answer(429, { message: 'blocked' }, { 'retry-after': '3600' }));
      const { adapter, time } = kit({ maxTotalMs: 60_000 });

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsRateLimitedError);
      expect((error as Error).message).toContain('3600 s');
      expect((error as AzureDevOpsRateLimitedError).context).toMatchObject({ retryAfterSeconds: 3600 });
      expect(time.sleeps).toEqual([]);
    });
  });

  describe('dependency injection', () => {
    it(
      'resolves from an inversify container with only SecureParameters and the shared client bound (fetch, ' +
        'logger and options are optional)',
      async () => {
        // Arrange
        const container = new Container();
        container.bind(TOKENS.SecureParameters).toConstantValue(new FakeSecureParameters({ [PAT_PARAMETER]: PAT }));
        container.bind(ADAPTER_TOKENS.AzureDevOpsHttpClient).to(AzureDevOpsHttpClient);
        container.bind(TOKENS.AzureDevOps).to(AzureDevOpsServiceConnectionAdapter);
        nock(ORIGIN).get(READ_PATH).query(true).reply(recorder.answer(200, awsEndpointDetails()));

        // Act
        const adapter = container.get<AzureDevOpsServiceConnectionAdapter>(TOKENS.AzureDevOps);
        const state = await adapter.readConnection(ref, ID);

        // Assert
        expect(state.id).toBe(ID);
      },
    );

    it('uses the fetch bound to ADAPTER_TOKENS.Fetch', async () => {
      // Arrange
      const container = new Container();
      const seen: string[] = [];
      container.bind(TOKENS.SecureParameters).toConstantValue(new FakeSecureParameters({ [PAT_PARAMETER]: PAT }));
      container.bind(ADAPTER_TOKENS.Fetch).toConstantValue(async (input: string | URL) => {
        seen.push(String(input));
        return new Response(JSON.stringify(awsEndpointDetails()), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      });
      container.bind(ADAPTER_TOKENS.AzureDevOpsHttpClient).to(AzureDevOpsHttpClient);
      container.bind(TOKENS.AzureDevOps).to(AzureDevOpsServiceConnectionAdapter);

      // Act
      await container.get<AzureDevOpsServiceConnectionAdapter>(TOKENS.AzureDevOps).readConnection(ref, ID);

      // Assert
      expect(seen).toEqual([`${ORG}${READ_PATH.slice('/fabrikam'.length)}?api-version=7.1`]);
    });
  });
});
