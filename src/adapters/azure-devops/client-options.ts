import type { FederatedCredentialRef } from '../../domain/model.js';

/**
 * What the Azure DevOps client's parts share: the injectable `fetch`, the logger subset, the
 * timeouts and retry bounds, and what a request is about (for messages; never a secret).
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

/** Identifiers of what a request is about, for messages and error context. Never a secret. */
export interface RequestScope {
  organizationUrl: string;
  project: string;
  /** The connection's name, or name and id (or the variable group's, the pipeline's: see `resource`). */
  connection: string;
  /** What `connection` names, for messages: "connection" (default), "variable group", "pipeline". */
  resource?: string;
  /** The SSM parameter holding a PAT or service principal; absent for a federated credential. */
  credentialParameter?: string;
  /** No stored secret: the Lambda role's identity, exchanged at Entra ID (federated-token.ts). */
  federatedCredential?: FederatedCredentialRef;
  connectionId?: string;
}

/** `connection "x" in project "p" of https://dev.azure.com/org`. */
export function describeScope(scope: RequestScope): string {
  return (
    `${scope.resource ?? 'connection'} ${scope.connection} in project "${scope.project}" of ` +
    `${scope.organizationUrl}`
  );
}
