import {
  AzureDevOpsRateLimitedError,
  AzureDevOpsResponseTooLargeError,
  AzureDevOpsUnavailableError,
} from '../../domain/errors.js';
import { readBoundedText, responseTooLarge } from './bounded-body.js';
import {
  type AzureDevOpsClientOptions,
  type AzureDevOpsLogger,
  describeScope,
  type FetchFn,
  type RequestScope,
} from './client-options.js';
import { sanitizedCause } from '../redaction/redaction.js';
import { parseVssError } from './server-text.js';
import { IdentityPacer, readRateLimitHeaders } from './pacing.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * `fetch` with a timeout on every attempt and bounded retries of what may pass: throttling
 * (429/503, honouring Retry-After), other 5xx, timeouts and network errors. Every other answer is
 * returned, read (at most `maxResponseBytes`), for the caller to interpret. Requests to Azure DevOps
 * are paced per identity (organization and credential) from its rate-limit headers (pacing.ts);
 * every wait, pacing included, must fit the call's budget (`maxTotalMs`), or the call ends with
 * `AzureDevOpsRateLimitedError` before it sends anything more.
 */

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_AFTER_STATUSES = new Set([429, 503]);

export { parseRetryAfter };

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
  /** One pacer per Azure DevOps identity: organization URL and credential (parameter or Entra app). */
  private readonly pacers = new Map<string, IdentityPacer>();

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
    // Only Azure DevOps sends the rate-limit headers; the Entra token endpoint is not paced.
    const pacer = request.service ? undefined : this.pacerFor(request.scope);
    for (let attempt = 1; ; attempt++) {
      if (pacer) await this.pace(pacer, request, started);
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
          // Honoured by nodeFetch (it has no body stream); the global fetch's stream is capped below.
          maxResponseBytes: this.options.maxResponseBytes,
        } as RequestInit);
        pacer?.observe(readRateLimitHeaders(response.headers, now()), now());
        const text = await readBoundedText(
          response,
          this.options.maxResponseBytes,
          this.call(request, response.status),
        );
        if (!RETRYABLE_STATUSES.has(response.status)) return { response, text };
        if (request.notIdempotent && response.status !== 429) return { response, text };
        lastStatus = response.status;
        const vss = parseVssError(text, response, secrets);
        reason = `HTTP ${response.status}${vss?.typeKey ? ` (${vss.typeKey})` : ''}`;
        if (RETRY_AFTER_STATUSES.has(response.status))
          retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      } catch (error) {
        // Neither is retried: a block beyond the budget, an answer too large to read.
        if (error instanceof AzureDevOpsRateLimitedError || error instanceof AzureDevOpsResponseTooLargeError)
          throw error;
        if (error instanceof Error && error.name === 'ResponseTooLargeError')
          throw responseTooLarge(this.options.maxResponseBytes, this.call(request), 'closed while reading');
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        reason = timedOut ? `no answer within ${requestTimeoutMs} ms` : 'a network error';
        cause = sanitizedCause(error, secrets);
      }

      const elapsed = now() - started;
      const delay = retryAfterMs ?? this.backoff(attempt);
      // A request that creates something is not repeated after an answer that may have been lost.
      const outOfAttempts = attempt >= maxAttempts || (request.notIdempotent === true && lastStatus === undefined);
      if (outOfAttempts || elapsed + delay > maxTotalMs) {
        // Blocked for longer than the budget: a specific error (repeated short 429s stay "unavailable").
        if (lastStatus === 429 && !outOfAttempts) {
          const wait = retryAfterMs ?? delay;
          throw this.rateLimited(request, `it answered 429 (blocked) and asked to wait ${Math.ceil(wait / 1000)} s`, {
            waitMs: wait,
            attempts: attempt,
            resource: pacer?.waitBefore(now()).resource,
          });
        }
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

  /** What a size error names: the call, never a body. */
  private call(request: RetriedRequest, status?: number) {
    return {
      description: `${request.action} for ${describeScope(request.scope)}`,
      context: {
        organizationUrl: request.scope.organizationUrl,
        project: request.scope.project,
        method: request.method,
        status,
      },
    };
  }

  /** One identity's pacer, shared by every request made with that organization and credential. */
  private pacerFor(scope: RequestScope): IdentityPacer {
    const credential = scope.federatedCredential
      ? `federated:${scope.federatedCredential.tenantId}/${scope.federatedCredential.clientId}`
      : `parameter:${scope.credentialParameter ?? ''}`;
    const key = `${scope.organizationUrl.toLowerCase()}|${credential}`;
    let pacer = this.pacers.get(key);
    if (!pacer) {
      pacer = new IdentityPacer(this.options.maxPacingWaitMs);
      this.pacers.set(key, pacer);
    }
    return pacer;
  }

  /** Waits as the identity's pacer says, within the call's budget; beyond it, the call ends here. */
  private async pace(pacer: IdentityPacer, request: RetriedRequest, started: number): Promise<void> {
    const { now, sleep, maxTotalMs } = this.options;
    const { waitMs, reason, resource } = pacer.waitBefore(now());
    if (waitMs <= 0) return;
    if (now() - started + waitMs > maxTotalMs) {
      throw this.rateLimited(request, reason, { waitMs, attempts: 0, resource });
    }
    this.logger?.warn('Azure DevOps request paced', {
      action: request.action,
      organizationUrl: request.scope.organizationUrl,
      reason,
      delayMs: waitMs,
    });
    await sleep(waitMs);
  }

  private rateLimited(
    request: RetriedRequest,
    why: string,
    { waitMs, attempts, resource }: { waitMs: number; attempts: number; resource: string | undefined },
  ): AzureDevOpsRateLimitedError {
    const { scope } = request;
    const credential = scope.federatedCredential
      ? `the Entra app ${scope.federatedCredential.clientId}`
      : `the credential in ${scope.credentialParameter ?? '(none)'}`;
    return new AzureDevOpsRateLimitedError(
      `Azure DevOps is rate limiting ${credential} at ${scope.organizationUrl}${resource ? ` (${resource})` : ''}: ` +
        `${why}, beyond the ${Math.round(this.options.maxTotalMs / 1000)} s budget of the request to ` +
        `${request.action} for ${describeScope(scope)}; nothing more was sent. Lower the rotation's ` +
        `maxConcurrency or spread targets over more identities, and run again after the wait`,
      {
        context: {
          organizationUrl: scope.organizationUrl,
          project: scope.project,
          connection: scope.connection,
          method: request.method,
          retryAfterSeconds: Math.ceil(waitMs / 1000),
          attempts,
          ...(resource ? { rateLimitResource: resource } : {}),
        },
      },
    );
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
