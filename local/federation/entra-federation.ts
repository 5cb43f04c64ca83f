import { randomBytes, type KeyObject } from 'node:crypto';
import { readJwt } from './jwt-issuer.js';

/**
 * The Microsoft Entra ID token endpoint's client-credentials flow with a `client_assertion`
 * (workload identity federation), as a pure request handler: the Azure DevOps stand-in serves it
 * at `{url}/{tenant}/oauth2/v2.0/token`, next to its client-secret flow.
 *
 * It is no more lenient than Entra ID:
 * - the tenant, the app (client id), the grant type, the scope and the assertion type must be right;
 * - the assertion must be a JWT signed by a trusted issuer's key (Entra fetches it from the issuer's
 *   JWKS; here `trustIssuer`), not expired;
 * - some federated identity credential of the app must match its issuer, subject and audience
 *   exactly (case-sensitive, as Entra has matched since 2025).
 * It answers with Entra's own error envelope and codes: AADSTS90002 (tenant), 700016 (app),
 * 7000218 (no assertion), 50027 (malformed JWT), 700027 (signature), 700024 (expired),
 * 70021 (the app has no federated credential at all), 700211 / 700213 / 700212 (no credential
 * with that issuer / subject / audience).
 */
export interface FederatedIdentityCredential {
  issuer: string;
  subject: string;
  audience: string;
}

export interface EntraApp {
  tenantId: string;
  clientId: string;
  federatedCredentials: FederatedIdentityCredential[];
}

export interface EntraFederationOptions {
  apps: EntraApp[];
  tokenLifetimeSeconds?: number;
  now?: () => number;
}

export interface IssuedToken {
  tenantId: string;
  clientId: string;
  expiresAt: number;
}

const AZURE_DEVOPS_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

type Answer = [status: number, body: Record<string, unknown>];

function entraError(status: number, error: string, code: number, description: string): Answer {
  return [
    status,
    {
      error,
      error_description:
        `AADSTS${code}: ${description} Trace ID: ${randomBytes(8).toString('hex')} Timestamp: ` +
        `${new Date().toISOString()}`,
      error_codes: [code],
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  ];
}

export class EntraFederation {
  readonly apps: EntraApp[];
  /** Successful exchanges, and what was presented in each (no token). */
  readonly exchanges: { clientId: string; issuer: string; subject: string }[] = [];
  private readonly issuerKeys = new Map<string, KeyObject>();
  private readonly issued = new Map<string, IssuedToken>();
  private readonly now: () => number;

  constructor(private readonly options: EntraFederationOptions) {
    this.apps = options.apps;
    this.now = options.now ?? Date.now;
  }

  /** Entra trusts tokens from `issuer` signed with `publicKey` (it reads them from the issuer's JWKS). */
  trustIssuer(issuer: string, publicKey: KeyObject): this {
    this.issuerKeys.set(issuer, publicKey);
    return this;
  }

  /** Who an access token this endpoint issued belongs to, while it is valid. */
  principalOf(accessToken: string): IssuedToken | undefined {
    const token = this.issued.get(accessToken);
    return token && this.now() < token.expiresAt ? token : undefined;
  }

  /** Whether this request is the federated flow (the client-secret flow is the Azure DevOps stand-in's). */
  static handles(form: URLSearchParams): boolean {
    return form.has('client_assertion') || form.has('client_assertion_type');
  }

  exchange(tenantId: string, form: URLSearchParams): Answer {
    const tenantApps = this.apps.filter((app) => app.tenantId === tenantId);
    if (tenantApps.length === 0) {
      return entraError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing ` +
          `into the correct cloud.`,
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    if (form.get('scope') !== AZURE_DEVOPS_SCOPE) {
      return entraError(400, 'invalid_scope', 70011, 'The provided request must include a valid scope.');
    }
    const clientId = form.get('client_id') ?? '';
    const app = tenantApps.find((candidate) => candidate.clientId === clientId);
    if (!app) {
      return entraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`,
      );
    }
    const assertion = form.get('client_assertion');
    if (!assertion || form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return entraError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const unverified = readJwt(assertion, undefined);
    if (!unverified) return entraError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    const { iss, sub, aud, exp } = unverified.claims;
    const issuer = typeof iss === 'string' ? iss : '';
    const subject = typeof sub === 'string' ? sub : '';
    const audiences =
      typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    const verified = readJwt(assertion, this.issuerKeys.get(issuer));
    if (!verified?.signatureValid)
      return entraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    if (typeof exp !== 'number' || this.now() >= exp * 1000) {
      return entraError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }

    const credentials = app.federatedCredentials;
    if (credentials.length === 0) {
      return entraError(
        400,
        'invalid_request',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. ` +
          `Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(',')}'.`,
      );
    }
    const byIssuer = credentials.filter((c) => c.issuer === issuer);
    if (byIssuer.length === 0) {
      return entraError(
        401,
        'invalid_client',
        700211,
        `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check ` +
          `your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
      );
    }
    const bySubject = byIssuer.filter((c) => c.subject === subject);
    if (bySubject.length === 0) {
      return entraError(
        401,
        'invalid_client',
        700213,
        `No matching federated identity record found for presented assertion subject '${subject}'. Check your ` +
          `federated identity credential Subject, Audience and Issuer against the presented assertion.`,
      );
    }
    if (!bySubject.some((c) => audiences.includes(c.audience))) {
      return entraError(
        401,
        'invalid_client',
        700212,
        `No matching federated identity record found for presented assertion audience '` +
          `${audiences.join(',')}'. Please check your federated identity credential Subject, Audience and ` +
          `Issuer against the presented assertion.`,
      );
    }

    const lifetime = this.options.tokenLifetimeSeconds ?? 3599;
    const accessToken = randomBytes(32).toString('base64url');
    this.issued.set(accessToken, { tenantId, clientId, expiresAt: this.now() + lifetime * 1000 });
    this.exchanges.push({ clientId, issuer, subject });
    return [200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }];
  }
}
