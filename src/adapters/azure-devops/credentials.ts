import { Buffer } from 'node:buffer';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsRequestError,
  ConfigurationError,
  type SafeContext,
} from '../../domain/errors.js';
import type { FederatedCredentialRef } from '../../domain/model.js';
import type { SecretValue } from '../../domain/secret-value.js';
import type { SecureParametersPort } from '../../ports/parameters.port.js';
import type { WebIdentityTokenPort } from '../../ports/web-identity-token.port.js';
import { type AzureDevOpsClientOptions, describeScope, type RequestScope } from './client-options.js';
import { describeFederated, exchangeFederatedToken } from './federated-token.js';
import type { EntraTokenResponse } from './rest-types.js';
import type { RetryingFetch } from './retrying-fetch.js';

/**
 * The Azure DevOps credential behind a request: a PAT, or a Microsoft Entra ID service principal
 * whose client-credentials token is cached until shortly before it expires. The parameter is read
 * on every call, so a renewed PAT is picked up at once. The third kind, "federated", stores
 * nothing: its Entra token is obtained with the Lambda role's own STS token (federated-token.ts)
 * and cached the same way.
 */

/** The Azure DevOps resource id; `/.default` asks for the permissions granted to the service principal. */
export const AZURE_DEVOPS_ENTRA_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';

const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

type Credential =
  | { kind: 'pat'; pat: string }
  | { kind: 'service-principal'; tenantId: string; clientId: string; clientSecret: string };
type ServicePrincipal = Extract<Credential, { kind: 'service-principal' }>;

export interface Authorization {
  header: string;
  kind: Credential['kind'] | 'federated';
  /** Every form of the credential that could come back in an answer. */
  secrets: string[];
  /** Set for a cached Entra token, so a rejected one can be forgotten. */
  cacheKey?: string;
}

interface CachedToken {
  token: string;
  renewAt: number;
}

export class AzureDevOpsCredentials {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly parameters: SecureParametersPort,
    private readonly retryingFetch: RetryingFetch,
    private readonly options: AzureDevOpsClientOptions,
    private readonly webIdentity?: WebIdentityTokenPort,
  ) {}

  async authorize(scope: RequestScope): Promise<Authorization> {
    if (scope.federatedCredential) return this.authorizeFederated(scope, scope.federatedCredential);
    if (!scope.credentialParameter) {
      throw new ConfigurationError(
        `${describeScope(scope)} names no Azure DevOps credential: give its connection a credentialParameter ` +
          `or a federatedCredential`,
        {
          context: { organizationUrl: scope.organizationUrl, project: scope.project },
        },
      );
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
    const token = await this.cachedToken(cacheKey, () => this.requestEntraToken(credential, scope));
    return {
      kind: 'service-principal',
      header: `Bearer ${token}`,
      secrets: [credential.clientSecret, token],
      cacheKey,
    };
  }

  /** The federated kind: a token from STS exchanged at Entra ID, cached for its lifetime like a client-secret token. */
  private async authorizeFederated(scope: RequestScope, federated: FederatedCredentialRef): Promise<Authorization> {
    const { webIdentity } = this;
    if (!webIdentity) {
      throw new ConfigurationError(
        `${describeFederated(federated)} needs AWS STS, which this process was not wired with`,
        {
          context: {
            organizationUrl: scope.organizationUrl,
            tenantId: federated.tenantId,
            clientId: federated.clientId,
          },
        },
      );
    }
    const cacheKey = `federated|${federated.tenantId}|${federated.clientId}`;
    let assertionSecrets: string[] = [];
    const token = await this.cachedToken(cacheKey, async () => {
      const issuedAt = this.options.now();
      const request = { action: 'issue a token', scope, method: 'POST', service: 'Microsoft Entra ID' };
      const headers = { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };
      const exchanged = await exchangeFederatedToken(
        webIdentity,
        (url, form, secrets) =>
          this.retryingFetch.fetch(url, { method: 'POST', headers, body: form }, request, secrets),
        {
          federated,
          organizationUrl: scope.organizationUrl,
          entraAuthorityUrl: this.options.entraAuthorityUrl,
          scope: AZURE_DEVOPS_ENTRA_SCOPE,
        },
      );
      assertionSecrets = exchanged.secrets;
      const margin = Math.min(this.options.tokenRefreshMarginMs, exchanged.expiresInMs / 2);
      return { token: exchanged.token, renewAt: issuedAt + exchanged.expiresInMs - margin };
    });
    return { kind: 'federated', header: `Bearer ${token}`, secrets: [token, ...assertionSecrets], cacheKey };
  }

  /** Drops a token Azure DevOps refused, so the next request asks for a new one. */
  forget(auth: Authorization): void {
    if (auth.cacheKey) this.tokens.delete(auth.cacheKey);
  }

  /** A cached Entra token, renewed shortly before it expires; concurrent callers share one request. */
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

  private async requestEntraToken(credential: ServicePrincipal, scope: RequestScope): Promise<CachedToken> {
    const authority = this.options.entraAuthorityUrl.replace(/\/+$/, '');
    const url = new URL(`${authority}/${encodeURIComponent(credential.tenantId)}/oauth2/v2.0/token`);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      scope: AZURE_DEVOPS_ENTRA_SCOPE,
    });
    const request = { action: 'issue a token', scope, method: 'POST', service: 'Microsoft Entra ID' };
    // The secret as sent (form-encoded) and as it may be echoed (raw or URI-encoded).
    const secrets = [
      credential.clientSecret,
      encodeURIComponent(credential.clientSecret),
      new URLSearchParams({ s: credential.clientSecret }).toString().slice(2),
      form.toString(),
    ];
    const issuedAt = this.options.now();
    const headers = { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };
    const { response, text } = await this.retryingFetch.fetch(
      url,
      { method: 'POST', headers, body: form.toString() },
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
    if (response.status === 400 || response.status === 401 || response.status === 403)
      throw rejected(credential, scope, body, context);
    const expiresIn = Number(body?.expires_in);
    if (
      response.status !== 200 ||
      !body ||
      typeof body.access_token !== 'string' ||
      body.access_token === '' ||
      !Number.isFinite(expiresIn)
    ) {
      throw new AzureDevOpsRequestError(
        `Microsoft Entra ID answered HTTP ${response.status} without a usable token for the service principal ` +
          `in parameter ${scope.credentialParameter}`,
        { context },
      );
    }
    const lifetimeMs = expiresIn * 1000;
    const margin = Math.min(this.options.tokenRefreshMarginMs, lifetimeMs / 2);
    return { token: body.access_token, renewAt: issuedAt + lifetimeMs - margin };
  }
}

function rejected(
  credential: ServicePrincipal,
  scope: RequestScope,
  body: EntraTokenResponse | undefined,
  context: SafeContext,
): AzureDevOpsCredentialRejectedError {
  // Only the OAuth error code and the AADSTS numbers: error_description is long and echoes request details.
  const oauthError = typeof body?.error === 'string' && /^[a-z_]{1,64}$/i.test(body.error) ? body.error : undefined;
  const aadsts = Array.isArray(body?.error_codes)
    ? body.error_codes.filter((c) => Number.isInteger(c)).map((c) => `AADSTS${c}`)
    : [];
  const codes = [oauthError, ...aadsts].filter(Boolean).join(', ');
  return new AzureDevOpsCredentialRejectedError(
    `Microsoft Entra ID rejected the service principal (tenant ${credential.tenantId}, client ` +
      `${credential.clientId}) in parameter ${scope.credentialParameter}${codes ? ` (${codes})` : ''}; its ` +
      `client secret may have expired: renew it and update the parameter`,
    { context },
  );
}

/**
 * A PAT (plain string) or a service principal `{"tenantId","clientId","clientSecret"}`; the value never appears in an
 * error.
 */
function parseCredential(value: SecretValue, parameter: string): Credential {
  const raw = value.reveal().trim();
  if (!raw.startsWith('{')) {
    if (raw === '' || /\s/.test(raw)) {
      throw new ConfigurationError(
        `parameter ${parameter} does not hold a usable PAT (it is empty or contains whitespace)`,
        { context: { parameter } },
      );
    }
    return { kind: 'pat', pat: raw };
  }
  const invalid = () =>
    new ConfigurationError(
      `parameter ${parameter} holds JSON that is not a Microsoft Entra service principal: expected ` +
        `{"tenantId","clientId","clientSecret"} with non-empty strings and a tenant id or domain`,
      { context: { parameter } },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid();
  }
  const { tenantId, clientId, clientSecret } = (parsed ?? {}) as Record<string, unknown>;
  const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';
  if (typeof tenantId !== 'string' || !TENANT_PATTERN.test(tenantId) || !nonEmpty(clientId) || !nonEmpty(clientSecret))
    throw invalid();
  return { kind: 'service-principal', tenantId, clientId, clientSecret };
}
