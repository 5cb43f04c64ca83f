import { inject, injectable } from 'inversify';
import { AzureDevOpsRequestError, ConnectionGoneError, ConnectionNotAwsError } from '../../domain/errors.js';
import type { AccessKeyCredential, ConnectionRef } from '../../domain/model.js';
import type {
  AzureDevOpsInventoryPort,
  DiscoveredConnection,
  OrganizationInfo,
  OrganizationScope,
} from '../../ports/azure-devops-inventory.port.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';
import { type AzureDevOpsHttpClient, describeScope, type RequestScope } from './http-client.js';
import {
  API_VERSION,
  AWS_AUTH_SCHEME,
  AWS_CONFIDENTIAL_PARAMETERS,
  AWS_CONNECTION_TYPE,
  AWS_PARAMETERS,
  type ServiceEndpoint,
  type ServiceEndpointList,
} from './rest-types.js';
import { organizationBase, toConnectionState } from './service-connection.adapter.js';

/** connectionData exists only as a preview resource (Location area); `7.1-preview` asks for its latest 7.1 version. */
export const CONNECTION_DATA_API_VERSION = '7.1-preview';
const PROJECTS_PAGE = 100;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `AzureDevOpsInventoryPort` on the REST API: `GET {org}/_apis/connectionData` (the organization id),
 * `GET {org}/{project}/_apis/serviceendpoint/endpoints?type=AWS&includeFailed=true` (7.1), and the
 * same read-then-PUT as a rotation (`Endpoints_Update Service Endpoint`, the whole endpoint) to move a
 * connection between a key and OIDC. A PUT replaces the authorization, so the key fields are sent
 * empty rather than left out, and every other parameter is sent back as read.
 */
@injectable()
export class AzureDevOpsInventoryAdapter implements AzureDevOpsInventoryPort {
  constructor(@inject(ADAPTER_TOKENS.AzureDevOpsHttpClient) private readonly client: AzureDevOpsHttpClient) {}

  async organization(scope: OrganizationScope): Promise<OrganizationInfo> {
    const base = organizationBase(scope);
    const url = new URL(`${base}/_apis/connectionData`);
    url.search = `api-version=${CONNECTION_DATA_API_VERSION}`;
    const requestScope: RequestScope = {
      organizationUrl: base,
      project: '(none)',
      connection: '(connection data)',
      resource: 'organization',
      ...credentialOf(scope),
    };
    const answer = await this.client.send({
      method: 'GET',
      url,
      action: 'read the organization (connectionData)',
      scope: requestScope,
    });
    const body =
      answer.status === 200 ? (answer.body as { instanceId?: unknown; deploymentType?: unknown } | null) : null;
    if (!body || typeof body.instanceId !== 'string' || !GUID.test(body.instanceId)) {
      throw new AzureDevOpsRequestError(
        `${base}/_apis/connectionData answered without the organization's id (instanceId); check the organizationUrl`,
        {
          context: { organizationUrl: base },
        },
      );
    }
    return { organizationId: body.instanceId.toLowerCase(), hosted: body.deploymentType !== 'onPremises' };
  }

  async listProjects(scope: OrganizationScope): Promise<string[]> {
    const base = organizationBase(scope);
    const requestScope: RequestScope = {
      organizationUrl: base,
      project: '(all)',
      connection: '(projects)',
      resource: 'organization',
      ...credentialOf(scope),
    };
    const names: string[] = [];
    // Pages of PROJECTS_PAGE, by $skip, until a short page (Projects_List takes $top and $skip).
    for (let skip = 0; ; skip += PROJECTS_PAGE) {
      const url = new URL(`${base}/_apis/projects`);
      url.search = `$top=${PROJECTS_PAGE}&$skip=${skip}&api-version=${API_VERSION}`;
      const answer = await this.client.send({
        method: 'GET',
        url,
        action: 'list the projects',
        scope: requestScope,
        requiredAccess: 'the "Project and Team (Read)" scope',
      });
      const page =
        answer.status === 200 ? (answer.body as { value?: Array<{ name?: unknown }> } | null)?.value : undefined;
      if (!Array.isArray(page))
        throw new AzureDevOpsRequestError(`${base}/_apis/projects answered without a list of projects`, {
          context: { organizationUrl: base },
        });
      names.push(...page.map((p) => p.name).filter((n): n is string => typeof n === 'string'));
      if (page.length < PROJECTS_PAGE) return names;
    }
  }

  async listAwsConnections(scope: OrganizationScope & { project: string }): Promise<DiscoveredConnection[]> {
    const base = organizationBase(scope);
    const url = new URL(`${base}/${encodeURIComponent(scope.project)}/_apis/serviceendpoint/endpoints`);
    url.search = `type=${AWS_CONNECTION_TYPE}&includeFailed=true&api-version=${API_VERSION}`;
    const requestScope: RequestScope = {
      organizationUrl: base,
      project: scope.project,
      connection: '(all AWS)',
      ...credentialOf(scope),
    };
    const answer = await this.client.send({
      method: 'GET',
      url,
      action: 'list the AWS service connections',
      scope: requestScope,
    });
    if (answer.status === 404) {
      throw new AzureDevOpsRequestError(
        `project "${scope.project}" of ${base} was not found (${answer.error?.message ?? '404'}); check the ` +
          `project name`,
        {
          context: { organizationUrl: base, project: scope.project },
        },
      );
    }
    const body = answer.body as ServiceEndpointList | ServiceEndpoint[] | null;
    const list = Array.isArray(body) ? body : body?.value;
    if (!Array.isArray(list))
      throw new AzureDevOpsRequestError(
        `Azure DevOps answered the list of AWS connections in "${scope.project}" of ${base} without a list`,
      );
    // The type filter is case-insensitive on the service; the check here keeps a stand-in or a proxy honest.
    return list.filter((e) => (e.type ?? '').toUpperCase() === AWS_CONNECTION_TYPE).map(describe);
  }

  async describeConnection(ref: ConnectionRef, connectionId: string): Promise<DiscoveredConnection> {
    return describe(await this.read(ref, connectionId));
  }

  async switchToOidc(ref: ConnectionRef, connectionId: string, roleArn: string): Promise<void> {
    await this.rewrite(ref, connectionId, 'switch the service connection to OIDC', {
      [AWS_PARAMETERS.accessKeyId]: '',
      [AWS_PARAMETERS.secretAccessKey]: '',
      [AWS_PARAMETERS.sessionToken]: '',
      [AWS_PARAMETERS.useOidc]: 'true',
      [AWS_PARAMETERS.assumeRoleArn]: roleArn,
    });
  }

  async restoreKey(
    ref: ConnectionRef,
    connectionId: string,
    credential: AccessKeyCredential,
    roleArn: string | null,
  ): Promise<void> {
    const secret = credential.secretAccessKey.reveal();
    await this.rewrite(
      ref,
      connectionId,
      'put the access key back into the service connection',
      {
        [AWS_PARAMETERS.accessKeyId]: credential.accessKeyId,
        [AWS_PARAMETERS.secretAccessKey]: secret,
        [AWS_PARAMETERS.sessionToken]: '',
        [AWS_PARAMETERS.useOidc]: 'false',
        [AWS_PARAMETERS.assumeRoleArn]: roleArn ?? '',
      },
      [secret],
    );
  }

  private async read(ref: ConnectionRef, connectionId: string): Promise<ServiceEndpoint> {
    const base = organizationBase(ref);
    const url = new URL(
      `${base}/${encodeURIComponent(ref.project)}/_apis/serviceendpoint/endpoints/${encodeURIComponent(connectionId)}`,
    );
    url.search = `api-version=${API_VERSION}`;
    const scope = scopeOf(ref, base, connectionId);
    const answer = await this.client.send({ method: 'GET', url, action: 'read the service connection', scope });
    if (answer.status === 404 || answer.body === null) throw gone(ref, base, connectionId);
    return answer.body as ServiceEndpoint;
  }

  private async rewrite(
    ref: ConnectionRef,
    connectionId: string,
    action: string,
    changes: Record<string, string>,
    secrets: string[] = [],
  ): Promise<void> {
    const endpoint = await this.read(ref, connectionId);
    const base = organizationBase(ref);
    const scope = scopeOf(ref, base, connectionId);
    const where = describeScope(scope);
    const context = { organizationUrl: base, project: ref.project, connectionId };
    if (
      (endpoint.type ?? '').toUpperCase() !== AWS_CONNECTION_TYPE ||
      (endpoint.authorization?.scheme ?? '').toLowerCase() !== AWS_AUTH_SCHEME.toLowerCase()
    ) {
      throw new ConnectionNotAwsError(
        `${where} is not an AWS Toolkit connection (type "${endpoint.type}", scheme "` +
          `${endpoint.authorization?.scheme}"); nothing was changed`,
        { context },
      );
    }
    const parameters = endpoint.authorization?.parameters ?? {};
    const hidden = Object.entries(parameters).filter(
      ([name, value]) => value === null && !AWS_CONFIDENTIAL_PARAMETERS.includes(name) && !(name in changes),
    );
    const hiddenData = Object.entries(endpoint.data ?? {}).filter(([, value]) => value === null);
    if (hidden.length + hiddenData.length > 0) {
      throw new AzureDevOpsRequestError(
        `${where} has hidden values (${[...hidden, ...hiddenData].map(([n]) => n).join(', ')}) that an update ` +
          `would erase; nothing was changed: change it by hand`,
        { context },
      );
    }
    const kept = Object.fromEntries(
      Object.entries(parameters).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    const body: ServiceEndpoint = Object.fromEntries(Object.entries(endpoint).filter(([, value]) => value !== null));
    body.authorization = { ...endpoint.authorization, parameters: { ...kept, ...changes } };
    const url = new URL(`${base}/_apis/serviceendpoint/endpoints/${encodeURIComponent(connectionId)}`);
    url.search = `api-version=${API_VERSION}`;
    const answer = await this.client.send({ method: 'PUT', url, body, action, scope, bodySecrets: secrets });
    if (answer.status === 404) throw gone(ref, base, connectionId);
  }
}

function describe(endpoint: ServiceEndpoint): DiscoveredConnection {
  const state = toConnectionState(endpoint);
  const parameters = endpoint.authorization?.parameters ?? {};
  const roleArn = parameters[AWS_PARAMETERS.assumeRoleArn];
  const assumeRoleArn = typeof roleArn === 'string' && roleArn.trim() !== '' ? roleArn.trim() : null;
  const externalId = parameters[AWS_PARAMETERS.externalId];
  return {
    id: state.id,
    name: state.name,
    projects: (endpoint.serviceEndpointProjectReferences ?? [])
      .map((r) => r.projectReference?.name ?? '')
      .filter(Boolean),
    auth: state.usesOidc ? 'oidc' : state.heldAccessKeyId ? 'keys' : assumeRoleArn ? 'role-only' : 'none',
    heldAccessKeyId: state.heldAccessKeyId,
    assumeRoleArn,
    externalId: typeof externalId === 'string' && externalId.trim() !== '',
    isReady: endpoint.isReady !== false,
  };
}

function scopeOf(ref: ConnectionRef, base: string, connectionId: string): RequestScope {
  return {
    organizationUrl: base,
    project: ref.project,
    connection: `"${ref.connectionName}" (${connectionId})`,
    ...credentialOf(ref),
    connectionId,
  };
}

/** The credential fields of a request scope: an SSM parameter, or a federated credential (no stored secret). */
function credentialOf(scope: OrganizationScope): Pick<RequestScope, 'credentialParameter' | 'federatedCredential'> {
  return {
    ...(scope.credentialParameter ? { credentialParameter: scope.credentialParameter } : {}),
    ...(scope.federatedCredential ? { federatedCredential: scope.federatedCredential } : {}),
  };
}

function gone(ref: ConnectionRef, base: string, connectionId: string): ConnectionGoneError {
  return new ConnectionGoneError(
    `service connection "${ref.connectionName}" (${connectionId}) in project "${ref.project}" of ${base} is ` +
      `gone; check the target`,
    {
      context: { organizationUrl: base, project: ref.project, connectionId },
    },
  );
}
