import { Buffer } from 'node:buffer';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsRequestError,
  FederatedCredentialMismatchError,
  type SafeContext,
} from '../../domain/errors.js';
import type { FederatedCredentialRef } from '../../domain/model.js';
import type { WebIdentityTokenPort } from '../../ports/web-identity-token.port.js';
import type { EntraTokenResponse } from './rest-types.js';

/**
 * The "federated" Azure DevOps credential: no secret stored anywhere.
 *
 * 1. STS `GetWebIdentityToken` gives the Lambda role's identity as a JWT (audience
 *    `api://AzureADTokenExchange`, five minutes, RS256).
 * 2. Microsoft Entra ID's token endpoint takes it as the `client_assertion` of a client-credentials
 *    request for the app registration, checks it against the app's federated identity credentials
 *    (issuer = the account's issuer URL, subject = the role ARN, audience) and answers with an
 *    Azure DevOps access token, which the HTTP client caches for its lifetime.
 *
 * Neither token is ever logged or put in an error: both are scrubbed from every answer. When Entra
 * finds no matching federated credential, the error names the issuer, subject and audience that
 * were presented, read from the JWT's own claims (those three are identifiers, not secrets), so the
 * operator can copy them into the app registration.
 */

/** The audience Entra ID expects in a workload identity federation assertion. */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** Long enough to survive the token request's own retries; the IAM policy caps it at this too. */
export const ASSERTION_LIFETIME_SECONDS = 300;
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * AADSTS codes meaning "no federated identity credential matches the assertion": 70021, then issuer/audience/subject.
 */
const NO_MATCHING_FEDERATED_CREDENTIAL = new Set([70021, 700211, 700212, 700213, 7002137, 7002138]);
/** The tenant or the app does not exist (where the configuration is wrong, not the trust). */
const UNKNOWN_TENANT_OR_APP = new Set([90002, 700016]);

/** What the exchange needs from the HTTP client: its retrying POST (bounded, scrubbing the given secrets). */
export type FormPost = (
  url: URL,
  form: string,
  secrets: readonly string[],
) => Promise<{ response: Response; text: string }>;

export interface FederatedTokenRequest {
  federated: FederatedCredentialRef;
  /** For messages and context only. */
  organizationUrl: string;
  entraAuthorityUrl: string;
  scope: string;
}

export interface ExchangedToken {
  token: string;
  expiresInMs: number;
  /** Forms of the assertion to scrub from anything that comes back. */
  secrets: string[];
}

/** The claims of a JWT that say who presented it (no verification: the token is our own, fresh from STS). */
export interface PresentedClaims {
  issuer: string;
  subject: string;
  audience: string;
}

export function presentedClaims(jwt: string): PresentedClaims {
  const unknown = { issuer: '(unreadable)', subject: '(unreadable)', audience: '(unreadable)' };
  const payload = jwt.split('.')[1];
  if (!payload) return unknown;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const text = (value: unknown) =>
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? value.filter((v) => typeof v === 'string').join(', ')
          : '(absent)';
    return { issuer: text(claims.iss), subject: text(claims.sub), audience: text(claims.aud) };
  } catch {
    return unknown;
  }
}

export function describeFederated(federated: FederatedCredentialRef): string {
  return `the federated credential of Entra app ${federated.clientId} (tenant ${federated.tenantId})`;
}

/** Gets an assertion from STS and exchanges it at Entra ID for an Azure DevOps token. */
export async function exchangeFederatedToken(
  webIdentity: WebIdentityTokenPort,
  post: FormPost,
  request: FederatedTokenRequest,
): Promise<ExchangedToken> {
  const { federated } = request;
  const assertion = (
    await webIdentity.getToken(ENTRA_TOKEN_EXCHANGE_AUDIENCE, ASSERTION_LIFETIME_SECONDS)
  ).token.reveal();
  const url = new URL(
    `${request.entraAuthorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(federated.tenantId)}/oauth2/v2.0/token`,
  );
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: federated.clientId,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: assertion,
    scope: request.scope,
  }).toString();
  const secrets = [assertion, encodeURIComponent(assertion), form];
  const { response, text } = await post(url, form, secrets);

  const context: SafeContext = {
    organizationUrl: request.organizationUrl,
    tenantId: federated.tenantId,
    clientId: federated.clientId,
    status: response.status,
  };
  let body: EntraTokenResponse | undefined;
  try {
    body = JSON.parse(text) as EntraTokenResponse;
  } catch {
    body = undefined;
  }
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    throw rejection(body, federated, assertion, context);
  }
  const expiresIn = Number(body?.expires_in);
  if (
    response.status !== 200 ||
    !body ||
    typeof body.access_token !== 'string' ||
    body.access_token === '' ||
    !Number.isFinite(expiresIn)
  ) {
    throw new AzureDevOpsRequestError(
      `Microsoft Entra ID answered HTTP ${response.status} without a usable token for ${describeFederated(federated)}`,
      { context },
    );
  }
  return { token: body.access_token, expiresInMs: expiresIn * 1000, secrets };
}

function rejection(
  body: EntraTokenResponse | undefined,
  federated: FederatedCredentialRef,
  assertion: string,
  context: SafeContext,
): Error {
  // Only the OAuth error and the AADSTS numbers: error_description echoes request details.
  const oauthError = typeof body?.error === 'string' && /^[a-z_]{1,64}$/i.test(body.error) ? body.error : undefined;
  const numbers = Array.isArray(body?.error_codes) ? body.error_codes.filter((c) => Number.isInteger(c)) : [];
  const codes = [oauthError, ...numbers.map((c) => `AADSTS${c}`)].filter(Boolean).join(', ');
  const app = describeFederated(federated);
  if (numbers.some((c) => NO_MATCHING_FEDERATED_CREDENTIAL.has(c))) {
    const claims = presentedClaims(assertion);
    return new FederatedCredentialMismatchError(
      `Microsoft Entra ID found no federated identity credential on app ${federated.clientId} (tenant ` +
        `${federated.tenantId}) matching the token the rotator presented (${codes}): issuer ${claims.issuer}, ` +
        `subject ${claims.subject}, audience ${claims.audience}; add a federated credential (Certificates & ` +
        `secrets > Federated credentials > Other issuer) with exactly these three values (they are ` +
        `case-sensitive), one per role the stack outputs`,
      { context: { ...context, issuer: claims.issuer, subject: claims.subject, audience: claims.audience } },
    );
  }
  if (numbers.some((c) => UNKNOWN_TENANT_OR_APP.has(c))) {
    return new AzureDevOpsCredentialRejectedError(
      `Microsoft Entra ID does not know ${app} (${codes}): check federatedCredential.tenantId and ` +
        `federatedCredential.clientId in the target's connection (the app registration's Directory (tenant) ID ` +
        `and Application (client) ID)`,
      { context },
    );
  }
  return new AzureDevOpsCredentialRejectedError(
    `Microsoft Entra ID rejected ${app}${codes ? ` (${codes})` : ''}: check the app registration and its ` +
      `federated credentials, then look the code up at https://login.microsoftonline.com/error`,
    { context },
  );
}
