import { ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../errors.js';

/**
 * Retry rules, matched by error name: the runner and the state machine's `Retry` blocks apply the
 * same rules, each with its own attempt counter (as Step Functions counts per retrier).
 */

export interface BackoffPolicy {
  /** Every attempt, the first included (ASL's `MaxAttempts` counts retries: one less). */
  maxAttempts: number;
  initialDelayMs: number;
  backoffRate: number;
  maxDelayMs: number;
}

/** The named backoff policies a step's retry rules refer to. */
export interface RetryPolicy {
  /**
   * New keys take seconds to propagate: polled at short intervals while a key usually becomes
   * usable, then backing off, about a minute in all before giving up.
   */
  keyPropagation: BackoffPolicy;
  /** Throttling and unavailable services. */
  transient: BackoffPolicy;
  /**
   * An Azure DevOps identity that is blocked (429 with a Retry-After beyond a call's budget): only
   * the rollback waits for it, in Step Functions (a wait costs nothing), so a rotation blocked after
   * its publish still ends with every holder back on the old key.
   */
  rateLimited: BackoffPolicy;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  // A poll is one STS call; each second of delay is a second the rotation is in flight. Waits of
  // 1, 1.1, 1.21 ... s (about 16 s for the first ten), capped at 5 s: 20 retries, 55 s in all
  // (the budget of the former 2 s × 1.5 schedule). IntervalSeconds in ASL is whole seconds: 1.
  keyPropagation: { maxAttempts: 21, initialDelayMs: 1_000, backoffRate: 1.1, maxDelayMs: 5_000 },
  transient: { maxAttempts: 3, initialDelayMs: 1_000, backoffRate: 2, maxDelayMs: 10_000 },
  // Azure DevOps' usage window slides over five minutes: waits of 1, 2, 4, 5, 5 min (17 min in all).
  rateLimited: { maxAttempts: 6, initialDelayMs: 60_000, backoffRate: 2, maxDelayMs: 300_000 },
};

/** Errors with these names are retried on the named policy. */
export interface RetryRule {
  errors: readonly string[];
  policy: keyof RetryPolicy;
  /** Full jitter on the delays (the state machine only: the runner's delays stay deterministic for tests). */
  jitter: boolean;
}

/** Every step: throttling and unavailable services. */
export const TRANSIENT_RETRY: RetryRule = { errors: TRANSIENT_ERROR_NAMES, policy: 'transient', jitter: true };

/**
 * The one place `KeyNotYetUsableError` is retried: a new key takes seconds to authenticate, so the
 * step that proves it waits about a minute (1 + 1.1 + 1.21 + ... capped at 5 s, 55 s in all) before failing.
 */
export const KEY_PROPAGATION_RETRY: RetryRule = {
  errors: [ERROR_NAMES.KeyNotYetUsable],
  policy: 'keyPropagation',
  jitter: false,
};

/** The rollback's wait for a blocked Azure DevOps identity (AzureDevOpsRateLimitedError). */
export const RATE_LIMITED_RETRY: RetryRule = {
  errors: [ERROR_NAMES.AzureDevOpsRateLimited],
  policy: 'rateLimited',
  jitter: true,
};

/** The rule that retries an error of this name, if any (the first that matches, as in ASL). */
export function retryRuleFor(rules: readonly RetryRule[], errorName: string): RetryRule | undefined {
  return rules.find((rule) => rule.errors.includes(errorName));
}
