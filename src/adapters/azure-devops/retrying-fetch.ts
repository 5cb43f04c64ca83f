import { AzureDevOpsUnavailableError } from '../../domain/errors.js';
import {
  type AzureDevOpsClientOptions,
  type AzureDevOpsLogger,
  describeScope,
  type FetchFn,
  type RequestScope,
} from './client-options.js';
import { sanitizedCause } from '../redaction/redaction.js';
import { parseVssError } from './server-text.js';

/**
 * `fetch` with a timeout on every attempt and bounded retries of what may pass: throttling
 * (429/503, honouring Retry-After), other 5xx, timeouts and network errors. Every other answer is
 * returned, read, for the caller to interpret.
 */

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What a request is, for the retry log line and the final error. */
export interface RetriedRequest {
  action: string;
  scope: RequestScope;
  method: string;
  /** Who did not answer, in the final error: Azure DevOps unless said otherwise. */
  service?: string;
  /**
   * The request creates something (queueing a pipeline run): it is retried only when the service
   * said it did not process it (429), never after a timeout or a 5xx that may have gone through.
   */
  notIdempotent?: boolean;
}

export class RetryingFetch {
  constructor(
    private readonly fetchFn: FetchFn,
    private readonly logger: AzureDevOpsLogger | undefined,
    private readonly options: AzureDevOpsClientOptions,
  ) {}

  /**
   * Bounded by `maxAttempts` and `maxTotalMs`. A PUT of the whole endpoint is idempotent, so
   * retrying it is safe. `secrets` are scrubbed from whatever server text reaches an error.
   */
  async fetch(
    url: URL,
    init: RequestInit,
    request: RetriedRequest,
    secrets: readonly string[],
  ): Promise<{ response: Response; text: string }> {
    const { maxAttempts, maxTotalMs, requestTimeoutMs, now, sleep } = this.options;
    const started = now();
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let retryAfterMs: number | undefined;
      let cause: unknown;
      let lastStatus: number | undefined;
      try {
        // redirect: 'manual' because a redirect is Azure DevOps sending an unauthenticated caller to its sign-in page.
        const response = await this.fetchFn(url, {
          ...init,
          redirect: 'manual',
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        const text = await response.text();
        if (!RETRYABLE_STATUSES.has(response.status)) return { response, text };
        if (request.notIdempotent && response.status !== 429) return { response, text };
        lastStatus = response.status;
        const vss = parseVssError(text, response, secrets);
        reason = `HTTP ${response.status}${vss?.typeKey ? ` (${vss.typeKey})` : ''}`;
        if (RETRY_AFTER_STATUSES.has(response.status))
          retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        reason = timedOut ? `no answer within ${requestTimeoutMs} ms` : 'a network error';
        cause = sanitizedCause(error, secrets);
      }

      const elapsed = now() - started;
      const delay = retryAfterMs ?? this.backoff(attempt);
      // A request that creates something is not repeated after an answer that may have been lost.
      const outOfAttempts = attempt >= maxAttempts || (request.notIdempotent === true && lastStatus === undefined);
      if (outOfAttempts || elapsed + delay > maxTotalMs) {
        const why = outOfAttempts
          ? `after ${attempt} attempts`
          : retryAfterMs !== undefined
            ? `it asked to retry after ${Math.ceil(retryAfterMs / 1000)} s, beyond the ` +
              `${Math.round(maxTotalMs / 1000)} s budget`
            : `after ${attempt} attempts in ${Math.round(elapsed / 1000)} s`;
        throw this.unavailable(request, `${reason}, ${why}`, { status: lastStatus, attempts: attempt }, cause);
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

  private unavailable(
    request: RetriedRequest,
    why: string,
    { status, attempts }: { status: number | undefined; attempts: number },
    cause: unknown,
  ): AzureDevOpsUnavailableError {
    const { scope } = request;
    return new AzureDevOpsUnavailableError(
      `${request.service ?? 'Azure DevOps'} did not ${request.action} for ${describeScope(scope)}: ${why}; it ` +
        `is rate limiting or unavailable, retry later`,
      {
        context: {
          organizationUrl: scope.organizationUrl,
          project: scope.project,
          connection: scope.connection,
          connectionId: scope.connectionId,
          method: request.method,
          status,
          attempts,
        },
        cause,
      },
    );
  }

  /** Exponential backoff with "equal jitter": half the step fixed, half random, so waits never collapse to zero. */
  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs, random } = this.options;
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(step / 2 + random() * (step / 2));
  }
}
