import { inject, injectable, optional } from 'inversify';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsNotAuthorizedError,
  AzureDevOpsRequestError,
  type SafeContext,
  ServicePrincipalNotMemberError,
} from '../../domain/errors.js';
import type { SecureParametersPort } from '../../ports/parameters.port.js';
import { TOKENS } from '../../ports/tokens.js';
import type { WebIdentityTokenPort } from '../../ports/web-identity-token.port.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';
import {
  type AzureDevOpsClientOptions,
  type AzureDevOpsLogger,
  DEFAULT_CLIENT_OPTIONS,
  describeScope,
  type FetchFn,
  type RequestScope,
} from './client-options.js';
import { type Authorization, AzureDevOpsCredentials } from './credentials.js';
import { describeFederated } from './federated-token.js';
import type { VssErrorBody } from './rest-types.js';
import { RetryingFetch } from './retrying-fetch.js';
import { isJsonContentType, parseVssError } from './server-text.js';

/**
 * A small HTTP client for the Azure DevOps REST API on the global `fetch`, in three parts:
 * the credential (`credentials.ts`: PAT or Entra service principal), the retrying `fetch`
 * (`retrying-fetch.ts`), and here the reading of an answer: the mapping of Azure DevOps' ways
 * of saying "no" to the domain's errors.
 *
 * Secrets: the credential, the bearer token and whatever secret a request body carries are
 * scrubbed from every piece of server text that goes into an error or a log line, and no
 * header or body is ever logged.
 */

export type { AzureDevOpsClientOptions, AzureDevOpsLogger, FetchFn, RequestScope, Sleep } from './client-options.js';
export { DEFAULT_CLIENT_OPTIONS, describeScope } from './client-options.js';
export { AZURE_DEVOPS_ENTRA_SCOPE } from './credentials.js';
export { parseRetryAfter } from './retrying-fetch.js';

export interface AdoRequest {
  method: 'GET' | 'PUT' | 'POST';
  url: URL;
  body?: unknown;
  /** What the request does, for messages: "list service connections", "update the service connection". */
  action: string;
  scope: RequestScope;
  /** Secrets the body carries (the new secret access key): scrubbed from any answer that echoes them. */
  bodySecrets?: readonly string[];
  /** What a 401/403 asks the operator to grant; default: the service-connection scope and role. */
  requiredAccess?: string;
  /** The request creates something: not repeated after an answer that may have been lost (see RetryingFetch). */
  notIdempotent?: boolean;
}

const SERVICE_CONNECTION_ACCESS =
  'the "Service Connections (Read, query & manage)" scope and the Administrator role on the connection';

/** A 2xx answer with its JSON body (`null` when empty), or a 404 the caller interprets. */
export type AdoResponse =
  | { status: 200; body: unknown; continuationToken?: string }
  | { status: 404; error: VssErrorBody | undefined };

/** A paged list's next page (Azure DevOps' `x-ms-continuationtoken` header): short and printable only. */
function continuationOf(response: Response): { continuationToken?: string } {
  const token = response.headers.get('x-ms-continuationtoken');
  return token && /^[\w.:=+/-]{1,256}$/.test(token) ? { continuationToken: token } : {};
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const credentialName = (auth: Authorization): string => (auth.kind === 'pat' ? 'PAT' : 'service principal');

/**
 * One client per process, bound once by the wiring (`ADAPTER_TOKENS.AzureDevOpsHttpClient`) and
 * injected into every Azure DevOps adapter (service connections, variable groups, pipeline runs,
 * inventory), so they share what belongs to one organization and credential: the cached Entra
 * tokens (any kind of credential, federated included) and the rate-limit pacing of that identity.
 */
@injectable()
export class AzureDevOpsHttpClient {
  private readonly credentials: AzureDevOpsCredentials;
  private readonly retryingFetch: RetryingFetch;

  constructor(
    @inject(TOKENS.SecureParameters) parameters: SecureParametersPort,
    @inject(ADAPTER_TOKENS.Fetch) @optional() fetchFn?: FetchFn,
    @inject(TOKENS.Logger) @optional() readonly logger?: AzureDevOpsLogger,
    // No default value here: Stryker's instrumented copy of a decorated parameter with a default loses its
    // @inject metadata (the container then refuses to build the client), so the spread below handles undefined.
    @inject(ADAPTER_TOKENS.AzureDevOpsClientOptions) @optional() options?: Partial<AzureDevOpsClientOptions>,
    // Only the federated credential kind uses it; PAT and client-secret credentials need no STS.
    @inject(TOKENS.WebIdentityToken) @optional() webIdentity?: WebIdentityTokenPort,
  ) {
    const resolved = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    // Bound late so a test (or nock) that replaces globalThis.fetch after construction is honoured.
    const fetchImpl: FetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
    this.retryingFetch = new RetryingFetch(fetchImpl, logger, resolved);
    this.credentials = new AzureDevOpsCredentials(parameters, this.retryingFetch, resolved, webIdentity);
  }

  /**
   * Sends one Azure DevOps request (with retries) and returns a 2xx JSON body or a 404; throws a domain error
   * otherwise.
   */
  async send(request: AdoRequest): Promise<AdoResponse> {
    const auth = await this.credentials.authorize(request.scope);
    const secrets = [...auth.secrets, ...(request.bodySecrets ?? [])];
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: auth.header,
      // Without it Azure DevOps answers an unauthenticated call with a 302/203 to its sign-in page.
      'X-TFS-FedAuthRedirect': 'Suppress',
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    const init: RequestInit = {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    };

    const { response, text } = await this.retryingFetch.fetch(request.url, init, request, secrets);
    return this.interpret(request, auth, response, text, secrets);
  }

  private interpret(
    request: AdoRequest,
    auth: Authorization,
    response: Response,
    text: string,
    secrets: string[],
  ): AdoResponse {
    const { status } = response;
    const where = describeScope(request.scope);
    const context = contextOf(request, status);

    // A redirect (to the sign-in page) or 203 with an HTML page is how Azure DevOps answers a
    // credential it does not accept: an expired, revoked or mistyped PAT.
    if (REDIRECT_STATUSES.has(status) || response.type === 'opaqueredirect' || status === 203) {
      const how = status === 203 ? 'answered 203 with a sign-in page' : `redirected (HTTP ${status}) to a sign-in page`;
      throw this.credentialRejected(request, auth, how, context);
    }
    if (status === 401 || status === 403) {
      this.credentials.forget(auth);
      const vss = parseVssError(text, response, secrets);
      if (auth.kind === 'federated') throw federatedRefusal(request, status, vss, context);
      const detail = vss?.message
        ? `: ${vss.message}${vss.typeKey ? ` (${vss.typeKey})` : ''}`
        : ' (no error details; the credential may have expired)';
      throw new AzureDevOpsNotAuthorizedError(
        `Azure DevOps refused to ${request.action} for ${where} with HTTP ${status}${detail}; the ` +
          `${credentialName(auth)} in parameter ${request.scope.credentialParameter} needs ` +
          `${request.requiredAccess ?? SERVICE_CONNECTION_ACCESS}`,
        { context: { ...context, typeKey: vss?.typeKey } },
      );
    }
    if (status === 404) {
      return { status: 404, error: parseVssError(text, response, secrets) };
    }
    if (status >= 200 && status < 300) {
      if (text.trim() === '') return { status: 200, body: null, ...continuationOf(response) };
      const contentType = response.headers.get('content-type');
      if (!isJsonContentType(contentType)) {
        throw this.credentialRejected(
          request,
          auth,
          `answered with a non-JSON page (${contentType ?? 'no content type'})`,
          context,
        );
      }
      try {
        return { status: 200, body: JSON.parse(text) as unknown, ...continuationOf(response) };
      } catch {
        throw this.credentialRejected(request, auth, 'answered with a body that is not JSON', context);
      }
    }
    const vss = parseVssError(text, response, secrets);
    const detail = vss?.message ? `: ${vss.message}${vss.typeKey ? ` (${vss.typeKey})` : ''}` : '';
    throw new AzureDevOpsRequestError(
      `Azure DevOps answered HTTP ${status} to the request to ${request.action} for ${where}${detail}`,
      {
        context: { ...context, typeKey: vss?.typeKey },
      },
    );
  }

  private credentialRejected(
    request: AdoRequest,
    auth: Authorization,
    how: string,
    context: SafeContext,
  ): AzureDevOpsCredentialRejectedError {
    this.credentials.forget(auth);
    const what = auth.kind === 'pat' ? 'PAT' : 'service principal token';
    if (auth.kind === 'federated' && request.scope.federatedCredential) {
      return new AzureDevOpsCredentialRejectedError(
        `Azure DevOps rejected the token of ${describeFederated(request.scope.federatedCredential)} when asked ` +
          `to ${request.action} for ${describeScope(request.scope)} (it ${how}); check that the app's service ` +
          `principal is a member of the organization`,
        { context },
      );
    }
    return new AzureDevOpsCredentialRejectedError(
      `Azure DevOps rejected the ${what} in parameter ${request.scope.credentialParameter} when asked to ` +
        `${request.action} for ${describeScope(request.scope)} (it ${how}); it may have expired or been ` +
        `revoked: renew it and update the parameter`,
      { context },
    );
  }
}

function contextOf(request: AdoRequest, status?: number): SafeContext {
  const { scope } = request;
  return {
    organizationUrl: scope.organizationUrl,
    project: scope.project,
    connection: scope.connection,
    connectionId: scope.connectionId,
    credentialParameter: scope.credentialParameter,
    method: request.method,
    status,
  };
}

/**
 * A federated token Azure DevOps refused: 401 (TF400813) is a service principal that is not a member
 * of the organization; 403 is a member without the permission (the Administrator role on the connection).
 */
function federatedRefusal(
  request: AdoRequest,
  status: number,
  vss: VssErrorBody | undefined,
  context: SafeContext,
): Error {
  const federated = request.scope.federatedCredential;
  const app = federated ? `Entra app ${federated.clientId} (tenant ${federated.tenantId})` : 'the Entra app';
  const where = describeScope(request.scope);
  const detail = vss?.message ? ` (Azure DevOps: ${vss.message})` : '';
  const fullContext = {
    ...context,
    typeKey: vss?.typeKey,
    tenantId: federated?.tenantId,
    clientId: federated?.clientId,
  };
  if (status === 401) {
    return new ServicePrincipalNotMemberError(
      `Azure DevOps refused to ${request.action} for ${where} with HTTP 401${detail}: the service principal of ` +
        `${app} is not a member of ${request.scope.organizationUrl}; add it in Organization settings > Users > ` +
        `Add users (search for the app's name), then give it the Administrator role on the connection`,
      { context: fullContext },
    );
  }
  return new AzureDevOpsNotAuthorizedError(
    `Azure DevOps refused to ${request.action} for ${where} with HTTP 403${detail}: the service principal of ` +
      `${app} is a member of the organization but lacks the permission; give it the Administrator role on the ` +
      `connection (Project settings > Service connections > the connection > Security)`,
    { context: fullContext },
  );
}
