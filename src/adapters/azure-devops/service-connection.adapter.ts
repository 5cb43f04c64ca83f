// Over 300 lines: the one adapter of the service connection port (find, read, update in place), with the REST
// shapes and checks its operations share.
import { inject, injectable } from 'inversify';
import { checkOrganizationUrl } from '../../config/organization-url.js';
import {
  AzureDevOpsRequestError,
  ConfigurationError,
  ConnectionAmbiguousError,
  ConnectionGoneError,
  ConnectionNotAwsError,
  ConnectionNotFoundError,
  ConnectionUsesOidcError,
  InvalidStepInputError,
} from '../../domain/errors.js';
import type { AccessKeyCredential, ConnectionRef, ConnectionState } from '../../domain/model.js';
import { maskKeyId } from '../../domain/secret-value.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import { type AzureDevOpsHttpClient, describeScope, type RequestScope } from './http-client.js';
import {
  API_VERSION,
  AWS_AUTH_SCHEME,
  AWS_CONFIDENTIAL_PARAMETERS,
  AWS_CONNECTION_TYPE,
  AWS_PARAMETERS,
  OIDC_AUTH_SCHEME,
  type ServiceEndpoint,
  type ServiceEndpointList,
} from './rest-types.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/** Optional binding for the client's timeouts, retry bounds and (in tests) `sleep`/`now`/`random`. */
// Its token lives with the other adapter tokens, next to the wiring (src/wiring/tokens.ts).
export const AZURE_DEVOPS_CLIENT_OPTIONS = ADAPTER_TOKENS.AzureDevOpsClientOptions;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `AzureDevOpsPort` on the Service Endpoints REST API, api-version 7.1.
 *
 * - find: `GET {org}/{project}/_apis/serviceendpoint/endpoints?endpointNames=` (with
 *   `includeFailed=true`, so a connection in a failed state still counts and an ambiguous name
 *   is never hidden), then a read by id.
 * - read: `GET {org}/{project}/_apis/serviceendpoint/endpoints/{id}`. Azure DevOps answers a
 *   missing id with 200 and a `null` body rather than 404; both mean "gone".
 * - update: read, then `PUT {org}/_apis/serviceendpoint/endpoints/{id}` (`Endpoints_Update
 *   Service Endpoint` is organization-scoped) with the whole endpoint as read, changing only the
 *   access key id, the secret and the session token. Never delete and re-create: the id, the
 *   project shares and the pipeline permissions hang on it.
 */
@injectable()
export class AzureDevOpsServiceConnectionAdapter implements AzureDevOpsPort {
  constructor(@inject(ADAPTER_TOKENS.AzureDevOpsHttpClient) private readonly client: AzureDevOpsHttpClient) {}

  async findConnection(ref: ConnectionRef): Promise<ConnectionState> {
    const base = organizationBase(ref);
    const scope = scopeOf(ref, base);
    const url = new URL(`${base}/${encodeURIComponent(ref.project)}/_apis/serviceendpoint/endpoints`);
    url.search = query({ endpointNames: ref.connectionName, includeFailed: 'true', 'api-version': API_VERSION });

    const answer = await this.client.send({ method: 'GET', url, action: 'list service connections', scope });
    if (answer.status === 404) {
      // The project (or collection) does not exist: Azure DevOps says so in its message.
      const detail = answer.error?.message ? ` (Azure DevOps: ${answer.error.message})` : '';
      throw new ConnectionNotFoundError(
        `no service connection named "${ref.connectionName}" was found in project "${ref.project}" of ${base}: ` +
          `the project was not found${detail}; check the target's organizationUrl and project`,
        {
          context: {
            organizationUrl: base,
            project: ref.project,
            connectionName: ref.connectionName,
            typeKey: answer.error?.typeKey,
          },
        },
      );
    }
    const endpoints = listOf(answer.body, scope);
    const wanted = ref.connectionName.toLowerCase();
    const matches = endpoints.filter((endpoint) =>
      namesOf(endpoint, ref.project).some((name) => name.toLowerCase() === wanted),
    );
    if (matches.length === 0) {
      throw new ConnectionNotFoundError(
        `no service connection named "${ref.connectionName}" in project "${ref.project}" of ${base} (searched ` +
          `by name, including failed connections); check the target's connectionName and that ` +
          (ref.federatedCredential
            ? `the service principal of Entra app ${ref.federatedCredential.clientId} `
            : `the credential in ${ref.credentialParameter} `) +
          `can see the connection`,
        {
          context: {
            organizationUrl: base,
            project: ref.project,
            connectionName: ref.connectionName,
            candidates: endpoints.length,
          },
        },
      );
    }
    if (matches.length > 1) {
      const ids = matches.map((endpoint) => endpoint.id ?? '?').join(', ');
      throw new ConnectionAmbiguousError(
        `${matches.length} service connections are named "${ref.connectionName}" in project "${ref.project}" ` +
          `of ${base} (ids ${ids}); rename all but one so the target names exactly one`,
        {
          context: {
            organizationUrl: base,
            project: ref.project,
            connectionName: ref.connectionName,
            matches: matches.length,
          },
        },
      );
    }
    const id = matches[0]?.id;
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new AzureDevOpsRequestError(
        `Azure DevOps listed the service connection "${ref.connectionName}" in project "${ref.project}" of ` +
          `${base} without a valid id`,
        {
          context: { organizationUrl: base, project: ref.project, connectionName: ref.connectionName },
        },
      );
    }
    // The list carries each endpoint whole (confidential values left out, as on a read by id):
    // mapping it directly saves a request per plan.
    return toConnectionState(matches[0] as NonNullable<(typeof matches)[number]>);
  }

  async readConnection(ref: ConnectionRef, connectionId: string): Promise<ConnectionState> {
    return toConnectionState(await this.readEndpoint(ref, connectionId));
  }

  async updateCredential(ref: ConnectionRef, connectionId: string, credential: AccessKeyCredential): Promise<void> {
    const endpoint = await this.readEndpoint(ref, connectionId);
    const base = organizationBase(ref);
    const scope = scopeOf(ref, base, connectionId, endpoint.name);
    const where = describeScope(scope);
    const state = toConnectionState(endpoint);
    const context = { organizationUrl: base, project: ref.project, connectionName: ref.connectionName, connectionId };

    if (state.type.toUpperCase() !== AWS_CONNECTION_TYPE) {
      throw new ConnectionNotAwsError(
        `${where} is of type "${state.type}", not AWS; nothing was changed: check the target's connectionName`,
        { context },
      );
    }
    if (state.usesOidc) {
      throw new ConnectionUsesOidcError(
        `${where} uses OIDC: it holds no static key, so nothing was changed; remove it from the targets`,
        { context },
      );
    }
    // The only place the new secret is revealed: it goes into the body of the PUT and nowhere else.
    const secret = credential.secretAccessKey.reveal();
    const body = updateBody(endpoint, credential.accessKeyId, secret, where, context);

    const url = new URL(`${base}/_apis/serviceendpoint/endpoints/${encodeURIComponent(connectionId)}`);
    url.search = query({ 'api-version': API_VERSION });
    const answer = await this.client.send({
      method: 'PUT',
      url,
      body,
      action: 'update the service connection',
      scope,
      bodySecrets: [secret],
    });
    // Only a 404 means gone. Any 2xx is taken as done whatever its body: the publish is verified
    // by reading the connection back (VerifyPublish), and calling a done update "gone" would roll
    // back a key the connection already holds.
    if (answer.status === 404) throw gone(ref, base, connectionId, 'on update');
    this.client.logger?.info('Azure DevOps service connection updated in place', {
      organizationUrl: base,
      project: ref.project,
      connectionId,
      projectReferenceCount: state.projectReferenceCount,
      newAccessKeyId: maskKeyId(credential.accessKeyId),
    });
  }

  private async readEndpoint(ref: ConnectionRef, connectionId: string): Promise<ServiceEndpoint> {
    const base = organizationBase(ref);
    if (!UUID.test(connectionId)) {
      throw new InvalidStepInputError(
        `connection id "${connectionId}" for "${ref.connectionName}" in project "${ref.project}" of ${base} is ` +
          `not a GUID`,
        {
          context: { organizationUrl: base, project: ref.project, connectionName: ref.connectionName },
        },
      );
    }
    const scope = scopeOf(ref, base, connectionId);
    const url = new URL(
      `${base}/${encodeURIComponent(ref.project)}/_apis/serviceendpoint/endpoints/${encodeURIComponent(connectionId)}`,
    );
    url.search = query({ 'api-version': API_VERSION });
    const answer = await this.client.send({ method: 'GET', url, action: 'read the service connection', scope });
    if (answer.status === 404 || answer.body === null) throw gone(ref, base, connectionId, 'on read');
    const endpoint = answer.body;
    if (
      typeof endpoint !== 'object' ||
      Array.isArray(endpoint) ||
      (endpoint as ServiceEndpoint).id?.toLowerCase() !== connectionId.toLowerCase()
    ) {
      throw new AzureDevOpsRequestError(
        `Azure DevOps answered the read of ${describeScope(scope)} with something other than that service connection`,
        {
          context: { organizationUrl: base, project: ref.project, connectionName: ref.connectionName, connectionId },
        },
      );
    }
    return endpoint as ServiceEndpoint;
  }
}

/**
 * The PUT body: the endpoint exactly as read, with the new key id and secret and an empty session
 * token. A GET hides confidential parameters (`null` or absent), and a PUT replaces the whole
 * authorization, so every confidential value must be sent explicitly: the toolkit has two
 * (`password`, `sessionToken`) and the adapter sets both. Any other parameter or data value that
 * came back `null` is a hidden value the rotator cannot know (e.g. a future toolkit version making
 * `externalId` confidential): sending it back would erase it, so the adapter refuses and changes
 * nothing. Top-level `null` members are left out, which .NET reads back as the same `null`.
 */
function updateBody(
  endpoint: ServiceEndpoint,
  accessKeyId: string,
  secretAccessKey: string,
  where: string,
  context: Record<string, string>,
): ServiceEndpoint {
  const authorization = endpoint.authorization ?? {};
  const scheme = authorization.scheme ?? '';
  if (scheme.toLowerCase() !== AWS_AUTH_SCHEME.toLowerCase()) {
    throw new AzureDevOpsRequestError(
      `${where} uses the authorization scheme "${scheme}", not ${AWS_AUTH_SCHEME}; nothing was changed: fix ` +
        `the connection by hand`,
      {
        context,
      },
    );
  }
  const parameters = authorization.parameters ?? {};
  const hidden = [
    ...Object.entries(parameters)
      .filter(([name, value]) => value === null && !AWS_CONFIDENTIAL_PARAMETERS.includes(name))
      .map(([name]) => `authorization parameter ${name}`),
    ...Object.entries(endpoint.data ?? {})
      .filter(([, value]) => value === null)
      .map(([name]) => `data ${name}`),
  ];
  if (hidden.length > 0) {
    throw new AzureDevOpsRequestError(
      `${where} has hidden (confidential) values the rotator cannot preserve: ${hidden.join(', ')}; an update ` +
        `would erase them, so nothing was changed: update the connection by hand`,
      { context },
    );
  }
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value === 'string') kept[name] = value;
  }

  const body: ServiceEndpoint = {};
  for (const [field, value] of Object.entries(endpoint)) {
    if (value !== null) body[field] = value;
  }
  body.authorization = {
    ...authorization,
    parameters: {
      ...kept,
      [AWS_PARAMETERS.accessKeyId]: accessKeyId,
      [AWS_PARAMETERS.secretAccessKey]: secretAccessKey,
      // A session token belongs to temporary credentials; with a new long-term key it must go.
      [AWS_PARAMETERS.sessionToken]: '',
    },
  };
  return body;
}

export function toConnectionState(endpoint: ServiceEndpoint): ConnectionState {
  const parameters = endpoint.authorization?.parameters ?? {};
  const username = parameters[AWS_PARAMETERS.accessKeyId];
  const roleArn = parameters[AWS_PARAMETERS.assumeRoleArn];
  const scheme = endpoint.authorization?.scheme ?? '';
  return {
    id: endpoint.id ?? '',
    name: endpoint.name ?? '',
    type: endpoint.type ?? '',
    // The toolkit's `useOIDC` is an auth-scheme input, so it lives in authorization.parameters;
    // data.useOIDC and Azure's own workload-identity scheme are accepted too.
    usesOidc:
      isTrue(parameters[AWS_PARAMETERS.useOidc]) ||
      isTrue(endpoint.data?.[AWS_PARAMETERS.useOidc]) ||
      scheme.toLowerCase() === OIDC_AUTH_SCHEME.toLowerCase(),
    heldAccessKeyId: typeof username === 'string' && username.trim() !== '' ? username.trim() : null,
    assumesRole: typeof roleArn === 'string' && roleArn.trim() !== '',
    projectReferenceCount: Array.isArray(endpoint.serviceEndpointProjectReferences)
      ? endpoint.serviceEndpointProjectReferences.length
      : 0,
  };
}

const isTrue = (value: unknown): boolean => typeof value === 'string' && value.trim().toLowerCase() === 'true';

/**
 * The organization (or collection) URL without trailing slashes, by the configuration's own rules
 * (src/config/organization-url.ts): the CLI and the demo hand URLs here that no configuration file checked.
 */
export function organizationBase(ref: Pick<ConnectionRef, 'organizationUrl'>): string {
  const result = checkOrganizationUrl(ref.organizationUrl.trim());
  if (result.ok) return result.url;
  throw new ConfigurationError(`organizationUrl ${result.problem}`, { context: { field: 'organizationUrl' } });
}

function scopeOf(ref: ConnectionRef, base: string, connectionId?: string, name?: string): RequestScope {
  const shownName = name ?? ref.connectionName;
  return {
    organizationUrl: base,
    project: ref.project,
    connection: connectionId ? `"${shownName}" (${connectionId})` : `"${shownName}"`,
    ...(ref.credentialParameter ? { credentialParameter: ref.credentialParameter } : {}),
    ...(ref.federatedCredential ? { federatedCredential: ref.federatedCredential } : {}),
    ...(connectionId ? { connectionId } : {}),
  };
}

/** Query strings with `%20` for spaces (not `+`), as the spec's examples show. */
function query(parameters: Record<string, string>): string {
  return Object.entries(parameters)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

function listOf(body: unknown, scope: RequestScope): ServiceEndpoint[] {
  const value = Array.isArray(body) ? body : (body as ServiceEndpointList | null)?.value;
  if (!Array.isArray(value)) {
    throw new AzureDevOpsRequestError(
      `Azure DevOps answered the search for ${describeScope(scope)} without a list of service connections`,
      {
        context: { organizationUrl: scope.organizationUrl, project: scope.project, connection: scope.connection },
      },
    );
  }
  return value.filter((endpoint): endpoint is ServiceEndpoint => typeof endpoint === 'object' && endpoint !== null);
}

/** The endpoint's name, and the name it has in this project if it is shared under another name. */
function namesOf(endpoint: ServiceEndpoint, project: string): string[] {
  const names = typeof endpoint.name === 'string' ? [endpoint.name] : [];
  for (const reference of endpoint.serviceEndpointProjectReferences ?? []) {
    if (reference.projectReference?.name?.toLowerCase() === project.toLowerCase() && typeof reference.name === 'string')
      names.push(reference.name);
  }
  return names;
}

function gone(ref: ConnectionRef, base: string, connectionId: string, when: string): ConnectionGoneError {
  return new ConnectionGoneError(
    `service connection "${ref.connectionName}" (${connectionId}) in project "${ref.project}" of ${base} is ` +
      `gone (not found ${when}); it was deleted or unshared since it was found: check the target`,
    { context: { organizationUrl: base, project: ref.project, connectionName: ref.connectionName, connectionId } },
  );
}
