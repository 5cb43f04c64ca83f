import type { FederatedCredentialRef } from '../../domain/model.js';
import { RATE_LIMIT_PACING } from './pacing.js';

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
  /** The most bytes read of one answer's body; a larger one is `AzureDevOpsResponseTooLargeError`. */
  maxResponseBytes: number;
  /** The longest single pacing wait taken from the rate-limit headers (pacing.ts). */
  maxPacingWaitMs: number;
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

/**
 * The Azure DevOps client's budget figures, exported so step timeouts can be computed from them:
 * one call takes at most `AZURE_DEVOPS_CALL_BUDGET_MS` (no wait, pacing included, starts beyond the
 * retry budget; the last attempt may then take the request timeout).
 */
export const AZURE_DEVOPS_REQUEST_TIMEOUT_MS = 15_000;
export const AZURE_DEVOPS_MAX_ATTEMPTS = 5;
export const AZURE_DEVOPS_RETRY_BUDGET_MS = 60_000;
export const AZURE_DEVOPS_CALL_BUDGET_MS = AZURE_DEVOPS_RETRY_BUDGET_MS + AZURE_DEVOPS_REQUEST_TIMEOUT_MS;
/**
 * 4 MiB: the largest answer the rotator reads (a project's variable groups page, its AWS connections);
 * an answer this large is not one it asked for, and a Lambda's memory is not spent on it.
 */
export const AZURE_DEVOPS_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export const DEFAULT_CLIENT_OPTIONS: AzureDevOpsClientOptions = {
  requestTimeoutMs: AZURE_DEVOPS_REQUEST_TIMEOUT_MS,
  maxAttempts: AZURE_DEVOPS_MAX_ATTEMPTS,
  maxTotalMs: AZURE_DEVOPS_RETRY_BUDGET_MS,
  maxResponseBytes: AZURE_DEVOPS_MAX_RESPONSE_BYTES,
  maxPacingWaitMs: RATE_LIMIT_PACING.maxPacingWaitMs,
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
