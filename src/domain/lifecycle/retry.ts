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
  /** New keys take seconds to propagate: about a minute in all before giving up. */
  keyPropagation: BackoffPolicy;
  /** Throttling and unavailable services. */
  transient: BackoffPolicy;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  keyPropagation: { maxAttempts: 8, initialDelayMs: 2_000, backoffRate: 1.5, maxDelayMs: 15_000 },
  transient: { maxAttempts: 3, initialDelayMs: 1_000, backoffRate: 2, maxDelayMs: 10_000 },
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
 * step that proves it waits about a minute (2 + 3 + 4.5 + 6.75 + 10.1 + 15 + 15 s) before failing.
 */
export const KEY_PROPAGATION_RETRY: RetryRule = { errors: [ERROR_NAMES.KeyNotYetUsable], policy: 'keyPropagation', jitter: false };

/** The rule that retries an error of this name, if any (the first that matches, as in ASL). */
export function retryRuleFor(rules: readonly RetryRule[], errorName: string): RetryRule | undefined {
  return rules.find((rule) => rule.errors.includes(errorName));
}
