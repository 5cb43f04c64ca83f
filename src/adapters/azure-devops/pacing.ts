import { parseRetryAfter } from './retry-after.js';

/**
 * Pacing one Azure DevOps identity (an organization and a credential) from the rate-limit headers
 * Azure DevOps sends (learn.microsoft.com/azure/devops/integrate/concepts/rate-limits):
 *
 * - `Retry-After` (seconds): sent with a delayed answer (200) and with a blocked one (429, TF400733);
 *   no request of this identity starts before it has passed;
 * - `X-RateLimit-Delay` (seconds, to the millisecond): the service held this request that long, so the
 *   identity is being delayed; the next request waits as long here instead of holding a connection
 *   (and a Lambda) open at the service;
 * - `X-RateLimit-Limit` / `X-RateLimit-Remaining` (TSTUs in the sliding five-minute window) and
 *   `X-RateLimit-Reset` (Unix seconds when the usage would be back at 0): below
 *   `lowRemainingShare` of the limit, the remaining TSTUs are spread until the reset, one request
 *   per `(reset - now) / (remaining + 1)`, so concurrent rotations slow down before they are delayed;
 * - `X-RateLimit-Resource`: for people only (the docs say not to compute with it): quoted in the error.
 *
 * The headers describe the identity's usage across every caller, so each Lambda that sees them slows
 * down on its own: no coordination between the Distributed Map's children is needed beyond the service's
 * own answers. One pacing wait is at most `maxPacingWaitMs`; the request's whole budget (retrying-fetch.ts)
 * bounds the sum, and a wait beyond it ends the call with `AzureDevOpsRateLimitedError`.
 */

export const RATE_LIMIT_PACING = {
  /** Under this share of `X-RateLimit-Limit` remaining, requests are spread until `X-RateLimit-Reset`. */
  lowRemainingShare: 0.2,
  /** Azure DevOps delays a request by at most 30 s; one pacing wait is never longer. */
  maxPacingWaitMs: 30_000,
} as const;

/** What one answer said about the identity's usage. */
export interface RateLimitSignal {
  retryAfterMs?: number;
  delayMs?: number;
  limit?: number;
  remaining?: number;
  resetAtMs?: number;
  resource?: string;
}

const number = (value: string | null): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
};

/** Reads Azure DevOps' rate-limit headers; absent or unreadable ones are left out. */
export function readRateLimitHeaders(headers: Headers, now: number): RateLimitSignal {
  const signal: RateLimitSignal = {};
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfterMs !== undefined) signal.retryAfterMs = retryAfterMs;
  const delay = number(headers.get('x-ratelimit-delay'));
  if (delay !== undefined && delay > 0) signal.delayMs = Math.ceil(delay * 1000);
  const limit = number(headers.get('x-ratelimit-limit'));
  if (limit !== undefined) signal.limit = limit;
  const remaining = number(headers.get('x-ratelimit-remaining'));
  if (remaining !== undefined) signal.remaining = remaining;
  const reset = number(headers.get('x-ratelimit-reset'));
  if (reset !== undefined) signal.resetAtMs = reset * 1000;
  // A short, printable label only: it goes into an error message.
  const resource = headers.get('x-ratelimit-resource');
  if (resource && /^[\w .:/-]{1,80}$/.test(resource)) signal.resource = resource;
  return signal;
}

/** The pacing state of one identity: no request before `notBefore`. */
export class IdentityPacer {
  private notBefore = 0;
  /** The last reason to wait, for the error when the wait does not fit the budget. */
  private reason = '';
  private resource: string | undefined;

  constructor(private readonly maxPacingWaitMs: number = RATE_LIMIT_PACING.maxPacingWaitMs) {}

  /** Takes in what an answer said (any status: a 200 may carry a delay). */
  observe(signal: RateLimitSignal, now: number): void {
    if (signal.resource) this.resource = signal.resource;
    if (signal.retryAfterMs !== undefined) {
      // Retry-After is the service's own word: kept even when longer than a pacing wait (the budget decides).
      this.postpone(now + signal.retryAfterMs, `Azure DevOps asked to wait ${seconds(signal.retryAfterMs)} s`);
    }
    if (signal.delayMs !== undefined) {
      const wait = Math.min(signal.delayMs, this.maxPacingWaitMs);
      this.postpone(now + wait, `Azure DevOps delayed the last request by ${seconds(signal.delayMs)} s`);
    }
    const { limit, remaining, resetAtMs } = signal;
    if (limit !== undefined && limit > 0 && remaining !== undefined && resetAtMs !== undefined && resetAtMs > now) {
      if (remaining < limit * RATE_LIMIT_PACING.lowRemainingShare) {
        const gap = Math.min((resetAtMs - now) / (remaining + 1), this.maxPacingWaitMs);
        this.postpone(now + gap, `${remaining} of ${limit} TSTUs left until ${new Date(resetAtMs).toISOString()}`);
      }
    }
  }

  /** How long to wait before the next request, and why. */
  waitBefore(now: number): { waitMs: number; reason: string; resource?: string } {
    const waitMs = Math.max(0, Math.ceil(this.notBefore - now));
    return { waitMs, reason: this.reason, ...(this.resource ? { resource: this.resource } : {}) };
  }

  private postpone(until: number, reason: string): void {
    if (until > this.notBefore) {
      this.notBefore = until;
      this.reason = reason;
    }
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);
