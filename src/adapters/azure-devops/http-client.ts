import { Buffer } from 'node:buffer';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsNotAuthorizedError,
  AzureDevOpsRequestError,
  AzureDevOpsUnavailableError,
  ConfigurationError,
  type SafeContext,
  ServicePrincipalNotMemberError,
} from '../../domain/errors.js';
import type { FederatedCredentialRef } from '../../domain/model.js';
import type { SecretValue } from '../../domain/secret-value.js';
import type { SecureParametersPort } from '../../ports/parameters.port.js';
import type { WebIdentityTokenPort } from '../../ports/web-identity-token.port.js';
import { describeFederated, exchangeFederatedToken } from './federated-token.js';
import type { EntraTokenResponse, VssErrorBody } from './rest-types.js';

/**
 * A small HTTP client for the Azure DevOps REST API on the global `fetch`: authentication
 * (PAT or Microsoft Entra ID service principal, read from a SecureString parameter on every
 * call so a renewed PAT is picked up), bounded retries, a timeout on every request, and the
 * mapping of Azure DevOps' ways of saying "no" to the domain's errors.
 *
 * Secrets: the credential, the bearer token and whatever secret a request body carries are
 * scrubbed from every piece of server text that goes into an error or a log line, and no
 * header or body is ever logged.
 */

export type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;

/** The subset of a structured logger (e.g. Powertools `Logger`) the client uses. */
export interface AzureDevOpsLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
}

export interface AzureDevOpsClientOptions {
  /** Per attempt, covering the headers and the body (`AbortSignal.timeout`). */
  requestTimeoutMs: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /**
   * Budget for one request's retries: no wait starts that would end beyond it (a long Retry-After
   * ends the retries at once). The last attempt may still take `requestTimeoutMs`, so a caller's
   * own deadline (the Lambda timeout) should exceed `maxTotalMs + requestTimeoutMs`.
   */
  maxTotalMs: number;
  /** Exponential backoff: attempt n waits about `baseDelayMs * 2^(n-1)`, jittered, at most `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Microsoft Entra token is renewed this long before it expires (at most half its lifetime). */
  tokenRefreshMarginMs: number;
  /** `https://login.microsoftonline.com` (sovereign clouds and tests use another). */
  entraAuthorityUrl: string;
  sleep: Sleep;
  now: () => number;
  /** In [0, 1): the jitter source. */
  random: () => number;
}

export const DEFAULT_CLIENT_OPTIONS: AzureDevOpsClientOptions = {
  requestTimeoutMs: 15_000,
  maxAttempts: 5,
  maxTotalMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  tokenRefreshMarginMs: 5 * 60_000,
  entraAuthorityUrl: 'https://login.microsoftonline.com',
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: () => Math.random(),
};

/** The Azure DevOps resource id; `/.default` asks for the permissions granted to the service principal. */
export const AZURE_DEVOPS_ENTRA_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';

/** Identifiers of what a request is about, for messages and error context. Never a secret. */
export interface RequestScope {
  organizationUrl: string;
  project: string;
  /** The connection's name, or name and id. */
  connection: string;
  /** The SSM parameter holding a PAT or service principal; absent for a federated credential. */
  credentialParameter?: string;
  /** No stored secret: the Lambda role's identity, exchanged at Entra ID (federated-token.ts). */
  federatedCredential?: FederatedCredentialRef;
  connectionId?: string;
}

export interface AdoRequest {
  method: 'GET' | 'PUT';
  url: URL;
  body?: unknown;
  /** What the request does, for messages: "list service connections", "update the service connection". */
  action: string;
  scope: RequestScope;
  /** Secrets the body carries (the new secret access key): scrubbed from any answer that echoes them. */
  bodySecrets?: readonly string[];
}

/** A 2xx answer with its JSON body (`null` when empty), or a 404 the caller interprets. */
export type AdoResponse = { status: 200; body: unknown } | { status: 404; error: VssErrorBody | undefined };

type Credential =
  | { kind: 'pat'; pat: string }
  | { kind: 'service-principal'; tenantId: string; clientId: string; clientSecret: string };

interface Authorization {
  header: string;
  kind: Credential['kind'] | 'federated';
  /** Every form of the credential that could come back in an answer. */
  secrets: string[];
  cacheKey?: string;
}

interface CachedToken {
  token: string;
  renewAt: number;
}

const REDACTED = '[REDACTED]';
const MAX_SERVER_TEXT = 300;
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_AFTER_STATUSES = new Set([429, 503]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

/** Replaces every occurrence of a secret with `[REDACTED]` and bounds the length. */
export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length >= 4) clean = clean.split(secret).join(REDACTED);
  }
  return clean.length > MAX_SERVER_TEXT ? `${clean.slice(0, MAX_SERVER_TEXT)}…` : clean;
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const isJsonContentType = (contentType: string | null): boolean => /\bjson\b/i.test(contentType ?? '');

export class AzureDevOpsHttpClient {
  private readonly options: AzureDevOpsClientOptions;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly parameters: SecureParametersPort,
    private readonly fetchFn: FetchFn,
    private readonly logger: AzureDevOpsLogger | undefined,
    options: Partial<AzureDevOpsClientOptions> = {},
    private readonly webIdentity?: WebIdentityTokenPort,
  ) {
    this.options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
  }

  /** Sends one Azure DevOps request (with retries) and returns a 2xx JSON body or a 404; throws a domain error otherwise. */
  async send(request: AdoRequest): Promise<AdoResponse> {
    const auth = await this.authorize(request.scope);
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

    const { response, text } = await this.fetchWithRetries(request.url, init, request, secrets);
    return this.interpret(request, auth, response, text, secrets);
  }

  private interpret(request: AdoRequest, auth: Authorization, response: Response, text: string, secrets: string[]): AdoResponse {
    const { status } = response;
    const where = describeScope(request.scope);
    const context = this.context(request, status);

    // A redirect (to the sign-in page) or 203 with an HTML page is how Azure DevOps answers a
    // credential it does not accept: an expired, revoked or mistyped PAT.
    if (REDIRECT_STATUSES.has(status) || response.type === 'opaqueredirect' || status === 203) {
      throw this.credentialRejected(request, auth, status === 203 ? 'answered 203 with a sign-in page' : `redirected (HTTP ${status}) to a sign-in page`, context);
    }
    if (status === 401 || status === 403) {
      if (auth.cacheKey) this.tokens.delete(auth.cacheKey);
      const vss = parseVssError(text, response, secrets);
      if (auth.kind === 'federated' && request.scope.federatedCredential) {
        throw federatedRefusal(request, status, vss, context);
      }
      const detail = vss?.message ? `: ${vss.message}${vss.typeKey ? ` (${vss.typeKey})` : ''}` : ' (no error details; the credential may have expired)';
      throw new AzureDevOpsNotAuthorizedError(
        `Azure DevOps refused to ${request.action} for ${where} with HTTP ${status}${detail}; the ${credentialName(auth)} in parameter ${request.scope.credentialParameter ?? '(none)'} needs the "Service Connections (Read, query & manage)" scope and the Administrator role on the connection`,
        { context: { ...context, typeKey: vss?.typeKey } },
      );
    }
    if (status === 404) {
      return { status: 404, error: parseVssError(text, response, secrets) };
    }
    if (status >= 200 && status < 300) {
      if (text.trim() === '') return { status: 200, body: null };
      if (!isJsonContentType(response.headers.get('content-type'))) {
        throw this.credentialRejected(request, auth, `answered with a non-JSON page (${response.headers.get('content-type') ?? 'no content type'})`, context);
      }
      try {
        return { status: 200, body: JSON.parse(text) as unknown };
      } catch {
        throw this.credentialRejected(request, auth, 'answered with a body that is not JSON', context);
      }
    }
    const vss = parseVssError(text, response, secrets);
    const detail = vss?.message ? `: ${vss.message}${vss.typeKey ? ` (${vss.typeKey})` : ''}` : '';
    throw new AzureDevOpsRequestError(`Azure DevOps answered HTTP ${status} to the request to ${request.action} for ${where}${detail}`, {
      context: { ...context, typeKey: vss?.typeKey },
    });
  }

  private credentialRejected(request: AdoRequest, auth: Authorization, how: string, context: SafeContext): AzureDevOpsCredentialRejectedError {
    if (auth.cacheKey) this.tokens.delete(auth.cacheKey);
    const what = auth.kind === 'pat' ? 'PAT' : 'service principal token';
    if (auth.kind === 'federated' && request.scope.federatedCredential) {
      return new AzureDevOpsCredentialRejectedError(
        `Azure DevOps rejected the token of ${describeFederated(request.scope.federatedCredential)} when asked to ${request.action} for ${describeScope(request.scope)} (it ${how}); check that the app's service principal is a member of the organization`,
        { context },
      );
    }
    return new AzureDevOpsCredentialRejectedError(
      `Azure DevOps rejected the ${what} in parameter ${request.scope.credentialParameter} when asked to ${request.action} for ${describeScope(request.scope)} (it ${how}); it may have expired or been revoked: renew it and update the parameter`,
      { context },
    );
  }

  private context(request: AdoRequest, status?: number): SafeContext {
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
   * Retries throttling (429/503, honouring Retry-After), other 5xx, timeouts and network errors,
   * bounded by `maxAttempts` and `maxTotalMs`. A PUT of the whole endpoint is idempotent, so
   * retrying it is safe. Everything else is returned to the caller to interpret.
   */
  private async fetchWithRetries(
    url: URL,
    init: RequestInit,
    request: { action: string; scope: RequestScope; method: string; service?: string },
    secrets: readonly string[],
  ): Promise<{ response: Response; text: string }> {
    const { maxAttempts, maxTotalMs, requestTimeoutMs, now, sleep } = this.options;
    const started = now();
    const where = describeScope(request.scope);
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let retryAfterMs: number | undefined;
      let cause: unknown;
      let lastStatus: number | undefined;
      try {
        // redirect: 'manual' because a redirect is Azure DevOps sending an unauthenticated caller to its sign-in page.
        const response = await this.fetchFn(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(requestTimeoutMs) });
        const text = await response.text();
        if (!RETRYABLE_STATUSES.has(response.status)) return { response, text };
        lastStatus = response.status;
        const vss = parseVssError(text, response, secrets);
        reason = `HTTP ${response.status}${vss?.typeKey ? ` (${vss.typeKey})` : ''}`;
        if (RETRY_AFTER_STATUSES.has(response.status)) retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        reason = timedOut ? `no answer within ${requestTimeoutMs} ms` : 'a network error';
        cause = sanitizedCause(error, secrets);
      }

      const elapsed = now() - started;
      const delay = retryAfterMs ?? this.backoff(attempt);
      const outOfAttempts = attempt >= maxAttempts;
      const outOfTime = elapsed + delay > maxTotalMs;
      if (outOfAttempts || outOfTime) {
        const why = outOfAttempts
          ? `after ${attempt} attempts`
          : retryAfterMs !== undefined
            ? `it asked to retry after ${Math.ceil(retryAfterMs / 1000)} s, beyond the ${Math.round(maxTotalMs / 1000)} s budget`
            : `after ${attempt} attempts in ${Math.round(elapsed / 1000)} s`;
        throw new AzureDevOpsUnavailableError(
          `${request.service ?? 'Azure DevOps'} did not ${request.action} for ${where}: ${reason}, ${why}; it is rate limiting or unavailable, retry later`,
          {
            context: {
              organizationUrl: request.scope.organizationUrl,
              project: request.scope.project,
              connection: request.scope.connection,
              connectionId: request.scope.connectionId,
              method: request.method,
              status: lastStatus,
              attempts: attempt,
            },
            cause,
          },
        );
      }
      this.logger?.warn('Azure DevOps request will be retried', {
        action: request.action,
        organizationUrl: request.scope.organizationUrl,
        project: request.scope.project,
        connection: request.scope.connection,
        reason,
        attempt,
        delayMs: delay,
      });
      await sleep(delay);
    }
  }

  /** Exponential backoff with "equal jitter": half the step fixed, half random, so waits never collapse to zero. */
  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs, random } = this.options;
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(step / 2 + random() * (step / 2));
  }

  // ------------------------------------------------------------------ authentication

  private async authorize(scope: RequestScope): Promise<Authorization> {
    if (scope.federatedCredential) return this.authorizeFederated(scope, scope.federatedCredential);
    if (!scope.credentialParameter) {
      throw new ConfigurationError(`${describeScope(scope)} names no Azure DevOps credential: give its connection a credentialParameter or a federatedCredential`, {
        context: { organizationUrl: scope.organizationUrl, project: scope.project },
      });
    }
    const value = await this.parameters.getSecure(
      scope.credentialParameter,
      `the Azure DevOps credential (PAT or service principal JSON) for ${scope.organizationUrl}`,
    );
    const credential = parseCredential(value, scope.credentialParameter);
    if (credential.kind === 'pat') {
      const encoded = Buffer.from(`:${credential.pat}`, 'utf8').toString('base64');
      return { kind: 'pat', header: `Basic ${encoded}`, secrets: [credential.pat, encoded] };
    }
    const cacheKey = `${scope.credentialParameter}|${credential.tenantId}|${credential.clientId}`;
    const token = await this.entraToken(credential, cacheKey, scope);
    return { kind: 'service-principal', header: `Bearer ${token}`, secrets: [credential.clientSecret, token], cacheKey };
  }

  /** A cached client-credentials token, renewed shortly before it expires; concurrent callers share one request. */
  private async entraToken(credential: Extract<Credential, { kind: 'service-principal' }>, cacheKey: string, scope: RequestScope): Promise<string> {
    return this.cachedToken(cacheKey, () => this.requestEntraToken(credential, scope));
  }

  private async cachedToken(cacheKey: string, request: () => Promise<CachedToken>): Promise<string> {
    const cached = this.tokens.get(cacheKey);
    if (cached && this.options.now() < cached.renewAt) return cached.token;
    let pending = this.pendingTokens.get(cacheKey);
    if (!pending) {
      pending = request().finally(() => this.pendingTokens.delete(cacheKey));
      this.pendingTokens.set(cacheKey, pending);
    }
    const fresh = await pending;
    this.tokens.set(cacheKey, fresh);
    return fresh.token;
  }

  /** The federated kind: a token from STS exchanged at Entra ID, cached for its lifetime like a client-secret token. */
  private async authorizeFederated(scope: RequestScope, federated: FederatedCredentialRef): Promise<Authorization> {
    const { webIdentity } = this;
    if (!webIdentity) {
      throw new ConfigurationError(`${describeFederated(federated)} needs AWS STS, which this process was not wired with`, {
        context: { organizationUrl: scope.organizationUrl, tenantId: federated.tenantId, clientId: federated.clientId },
      });
    }
    const cacheKey = `federated|${federated.tenantId}|${federated.clientId}`;
    let assertionSecrets: string[] = [];
    const token = await this.cachedToken(cacheKey, async () => {
      const issuedAt = this.options.now();
      const request = { action: 'issue a token', scope, method: 'POST', service: 'Microsoft Entra ID' };
      const exchanged = await exchangeFederatedToken(
        webIdentity,
        (url, form, secrets) =>
          this.fetchWithRetries(
            url,
            { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' }, body: form },
            request,
            secrets,
          ),
        { federated, organizationUrl: scope.organizationUrl, entraAuthorityUrl: this.options.entraAuthorityUrl, scope: AZURE_DEVOPS_ENTRA_SCOPE },
      );
      assertionSecrets = exchanged.secrets;
      const margin = Math.min(this.options.tokenRefreshMarginMs, exchanged.expiresInMs / 2);
      return { token: exchanged.token, renewAt: issuedAt + exchanged.expiresInMs - margin };
    });
    return { kind: 'federated', header: `Bearer ${token}`, secrets: [token, ...assertionSecrets], cacheKey };
  }

  private async requestEntraToken(credential: Extract<Credential, { kind: 'service-principal' }>, scope: RequestScope): Promise<CachedToken> {
    const url = new URL(`${this.options.entraAuthorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(credential.tenantId)}/oauth2/v2.0/token`);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      scope: AZURE_DEVOPS_ENTRA_SCOPE,
    });
    const request = { action: 'issue a token', scope, method: 'POST', service: 'Microsoft Entra ID' };
    // The secret as sent (form-encoded) and as it may be echoed (raw or URI-encoded).
    const secrets = [credential.clientSecret, encodeURIComponent(credential.clientSecret), new URLSearchParams({ s: credential.clientSecret }).toString().slice(2), form.toString()];
    const issuedAt = this.options.now();
    const { response, text } = await this.fetchWithRetries(
      url,
      { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() },
      request,
      secrets,
    );
    const context: SafeContext = {
      organizationUrl: scope.organizationUrl,
      credentialParameter: scope.credentialParameter,
      tenantId: credential.tenantId,
      clientId: credential.clientId,
      status: response.status,
    };
    let body: EntraTokenResponse | undefined;
    try {
      body = JSON.parse(text) as EntraTokenResponse;
    } catch {
      body = undefined;
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      // Only the OAuth error code and the AADSTS numbers: error_description is long and echoes request details.
      const oauthError = typeof body?.error === 'string' && /^[a-z_]{1,64}$/i.test(body.error) ? body.error : undefined;
      const aadsts = Array.isArray(body?.error_codes) ? body.error_codes.filter((c) => Number.isInteger(c)).map((c) => `AADSTS${c}`) : [];
      const codes = [oauthError, ...aadsts].filter(Boolean).join(', ');
      throw new AzureDevOpsCredentialRejectedError(
        `Microsoft Entra ID rejected the service principal (tenant ${credential.tenantId}, client ${credential.clientId}) in parameter ${scope.credentialParameter}${codes ? ` (${codes})` : ''}; its client secret may have expired: renew it and update the parameter`,
        { context },
      );
    }
    const expiresIn = Number(body?.expires_in);
    if (response.status !== 200 || !body || typeof body.access_token !== 'string' || body.access_token === '' || !Number.isFinite(expiresIn)) {
      throw new AzureDevOpsRequestError(
        `Microsoft Entra ID answered HTTP ${response.status} without a usable token for the service principal in parameter ${scope.credentialParameter}`,
        { context },
      );
    }
    const lifetimeMs = expiresIn * 1000;
    const margin = Math.min(this.options.tokenRefreshMarginMs, lifetimeMs / 2);
    return { token: body.access_token, renewAt: issuedAt + lifetimeMs - margin };
  }
}

/** A PAT (plain string) or a service principal `{"tenantId","clientId","clientSecret"}`; the value never appears in an error. */
function parseCredential(value: SecretValue, parameter: string): Credential {
  const raw = value.reveal().trim();
  if (!raw.startsWith('{')) {
    if (raw === '' || /\s/.test(raw)) {
      throw new ConfigurationError(`parameter ${parameter} does not hold a usable PAT (it is empty or contains whitespace)`, { context: { parameter } });
    }
    return { kind: 'pat', pat: raw };
  }
  const invalid = () =>
    new ConfigurationError(
      `parameter ${parameter} holds JSON that is not a Microsoft Entra service principal: expected {"tenantId","clientId","clientSecret"} with non-empty strings and a tenant id or domain`,
      { context: { parameter } },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid();
  }
  const { tenantId, clientId, clientSecret } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof tenantId !== 'string' || !TENANT_PATTERN.test(tenantId) || typeof clientId !== 'string' || clientId === '' || typeof clientSecret !== 'string' || clientSecret === '') {
    throw invalid();
  }
  return { kind: 'service-principal', tenantId, clientId, clientSecret };
}

/** The `message` and `typeKey` of a VSS error body, already scrubbed of the request's secrets. */
function parseVssError(text: string, response: Response, secrets: readonly string[]): VssErrorBody | undefined {
  if (!isJsonContentType(response.headers.get('content-type'))) return undefined;
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null) return undefined;
    const { message, typeKey } = body as Record<string, unknown>;
    return {
      ...(typeof message === 'string' ? { message: scrub(message, secrets) } : {}),
      ...(typeof typeKey === 'string' ? { typeKey: scrub(typeKey, secrets) } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A network error reduced to name and scrubbed message (undici puts request details in some of them). */
function sanitizedCause(error: unknown, secrets: readonly string[]): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const clean = new Error(scrub(source.message, secrets));
  clean.name = source.name;
  return clean;
}

const credentialName = (auth: Authorization): string => (auth.kind === 'pat' ? 'PAT' : 'service principal');

/**
 * A federated token Azure DevOps refused: 401 (TF400813) is a service principal that is not a member
 * of the organization; 403 is a member without the permission (the Administrator role on the connection).
 */
function federatedRefusal(request: AdoRequest, status: number, vss: VssErrorBody | undefined, context: SafeContext): Error {
  const federated = request.scope.federatedCredential as FederatedCredentialRef;
  const where = describeScope(request.scope);
  const detail = vss?.message ? ` (Azure DevOps: ${vss.message})` : '';
  const fullContext = { ...context, typeKey: vss?.typeKey, tenantId: federated.tenantId, clientId: federated.clientId };
  if (status === 401) {
    return new ServicePrincipalNotMemberError(
      `Azure DevOps refused to ${request.action} for ${where} with HTTP 401${detail}: the service principal of Entra app ${federated.clientId} (tenant ${federated.tenantId}) is not a member of ${request.scope.organizationUrl}; add it in Organization settings > Users > Add users (search for the app's name), then give it the Administrator role on the connection`,
      { context: fullContext },
    );
  }
  return new AzureDevOpsNotAuthorizedError(
    `Azure DevOps refused to ${request.action} for ${where} with HTTP 403${detail}: the service principal of Entra app ${federated.clientId} is a member of the organization but lacks the permission; give it the Administrator role on the connection (Project settings > Service connections > the connection > Security)`,
    { context: fullContext },
  );
}

/** `connection "x" in project "p" of https://dev.azure.com/org`. */
export function describeScope(scope: RequestScope): string {
  return `connection ${scope.connection} in project "${scope.project}" of ${scope.organizationUrl}`;
}
