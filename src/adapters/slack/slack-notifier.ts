import { inject, injectable } from 'inversify';
import { isLoopbackHost } from '../../config/organization-url.js';
import { DEFAULT_SLACK_WEBHOOK_HOSTS } from '../../domain/config.js';
import { NotificationFailedError, type SafeContext } from '../../domain/errors.js';
import type { RunSummary } from '../../domain/report.js';
import type { SecretValue } from '../../domain/secret-value.js';
import type { NotifierPort } from '../../ports/notifier.port.js';
import type { SecureParametersPort } from '../../ports/parameters.port.js';
import { TOKENS } from '../../ports/tokens.js';
import { readTextUpTo } from '../http/bounded-read.js';
import { redact, redactShapes } from '../redaction/redaction.js';
import { buildSlackMessage } from './slack-message.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/** The Slack adapter's settings (bind with `SLACK_SETTINGS`). */
export interface SlackSettings {
  /** SSM SecureString parameter holding the incoming webhook URL; undefined: Slack is off. */
  webhookParameter: string | undefined;
  /** Region for the Step Functions console link when the execution id does not carry one. */
  consoleRegion?: string;
  /** How long Slack has to answer, headers and body (default 10 s). */
  timeoutMs?: number;
  /** Hosts the webhook URL may name (default hooks.slack.com): the message goes nowhere else. */
  webhookHosts?: readonly string[];
  /** Plain http to this machine (a local sink), from the configuration's `allowLoopbackHttp`. Default false. */
  allowLoopbackHttp?: boolean;
}

// Its token lives with the other adapter tokens, next to the wiring (src/wiring/tokens.ts).
export const SLACK_SETTINGS = ADAPTER_TOKENS.SlackSettings;

export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

/** The `fetch` the notifier calls (the global one in production, bound to `ADAPTER_TOKENS.Fetch`). */
/** `fetch`, with the answer's size cap nodeFetch (src/adapters/http/node-fetch.ts) honours while reading. */
export type SlackFetch = (input: string, init: RequestInit & { maxResponseBytes?: number }) => Promise<Response>;

/**
 * The most bytes of Slack's answer read: it answers `ok` or a short error word; a proxy's error page is a few
 * KB. A larger answer is not Slack's: the connection is closed and nothing more is read into memory.
 */
export const SLACK_MAX_ANSWER_BYTES = 16 * 1024;

/** What Slack's incoming webhooks answer in plain text, and what to do about it. */
const SLACK_ERROR_HINTS: Readonly<Record<string, string>> = {
  no_service:
    'the webhook was removed or its app uninstalled: create a new incoming webhook and store its URL in the parameter',
  invalid_token: 'the webhook URL is no longer valid: create a new incoming webhook and store its URL in the parameter',
  invalid_payload:
    'Slack rejected the message as malformed: this is a bug in the rotator, please report it with the run id',
  invalid_blocks: 'Slack rejected the message blocks: this is a bug in the rotator, please report it with the run id',
  msg_blocks_too_long:
    'the message was too long for Slack: this is a bug in the rotator, please report it with the run id',
  no_text: 'the message had no text: this is a bug in the rotator, please report it with the run id',
  channel_not_found: "the webhook's channel no longer exists: create a new incoming webhook for an existing channel",
  channel_is_archived: "the webhook's channel is archived: unarchive it or create a webhook for another channel",
  action_prohibited: 'a Slack admin restricted posting to the channel: ask them, or use a webhook for another channel',
  posting_to_general_channel_denied: 'only admins may post to the channel: use a webhook for another channel',
  too_many_attachments:
    'the message had too many attachments: this is a bug in the rotator, please report it with the run id',
};

const MAX_BODY_IN_MESSAGE = 200;

/**
 * Posts the run's one message to a Slack incoming webhook.
 *
 * The webhook URL is a secret (whoever holds it can post to the channel): it is read from an
 * SSM SecureString on each call, revealed only to call `fetch`, and never written anywhere
 * else: not in an error, not in an error's context or cause, not in the posted message.
 * Errors carry the HTTP status and Slack's plain-text answer (`no_service`, `invalid_payload`...),
 * scrubbed of the URL. No retries: a failed notification is counted (`NotificationFailures`)
 * and never fails a rotation.
 */
@injectable()
export class SlackNotifier implements NotifierPort {
  constructor(
    @inject(TOKENS.SecureParameters) private readonly parameters: SecureParametersPort,
    @inject(ADAPTER_TOKENS.Fetch) private readonly fetchFn: SlackFetch,
    @inject(SLACK_SETTINGS) private readonly settings: SlackSettings,
  ) {}

  async notify(summary: RunSummary): Promise<void> {
    const parameter = this.settings.webhookParameter?.trim();
    if (!parameter) return; // Slack is optional.

    const webhook = await this.readWebhook(parameter);
    const url = this.parseWebhookUrl(webhook, parameter);
    const message = buildSlackMessage(
      summary,
      this.settings.consoleRegion ? { consoleRegion: this.settings.consoleRegion } : {},
    );
    // Belt and braces: the builder scrubs webhook-shaped text; this removes this very URL, in any form.
    const body = redact(JSON.stringify(message), [url]);
    const timeoutMs = this.settings.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
    const context: SafeContext = { webhookParameter: parameter, executionId: summary.executionId, timeoutMs };

    let response: Response;
    let answer: string;
    try {
      response = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        // A redirect would send the message elsewhere: treat it as a failure.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        maxResponseBytes: SLACK_MAX_ANSWER_BYTES,
      });
      answer = await readTextUpTo(response, SLACK_MAX_ANSWER_BYTES);
    } catch (error) {
      throw this.transportError(error, parameter, context);
    }

    if (response.status < 200 || response.status > 299) {
      const slackError = this.describeBody(answer, url);
      const hint = SLACK_ERROR_HINTS[slackError] ?? this.hintForStatus(response.status);
      throw new NotificationFailedError(
        `Slack answered ${response.status} ${slackError || '(empty body)'} to the webhook in SSM parameter ` +
          `${parameter}; ${hint}`,
        { context: { ...context, status: response.status, slackError: slackError || null } },
      );
    }
  }

  private async readWebhook(parameter: string): Promise<SecretValue> {
    try {
      return await this.parameters.getSecure(
        parameter,
        'the Slack incoming webhook URL (https://hooks.slack.com/services/...)',
      );
    } catch (error) {
      // The port's errors are RotationErrors (safe by construction); anything else is reduced by safeCause.
      const why = error instanceof Error ? `${error.name}: ${redactShapes(error.message)}` : 'unknown error';
      throw new NotificationFailedError(
        `Could not read the Slack webhook URL from SSM parameter ${parameter} (${why})`,
        {
          context: { webhookParameter: parameter },
          cause: error,
        },
      );
    }
  }

  private parseWebhookUrl(webhook: SecretValue, parameter: string): string {
    const raw = webhook.reveal().trim();
    let parsed: URL | null = null;
    try {
      parsed = new URL(raw);
    } catch {
      parsed = null;
    }
    const loopback =
      parsed !== null &&
      parsed.protocol === 'http:' &&
      isLoopbackHost(parsed.hostname) &&
      this.settings.allowLoopbackHttp === true;
    if (parsed === null || !(parsed.protocol === 'https:' || loopback)) {
      // Never echo the value: a mangled URL is still a secret.
      throw new NotificationFailedError(
        `SSM parameter ${parameter} does not hold an https URL; store the Slack incoming webhook URL ` +
          `(https://hooks.slack.com/services/...) in it`,
        { context: { webhookParameter: parameter } },
      );
    }
    const hosts = this.settings.webhookHosts ?? DEFAULT_SLACK_WEBHOOK_HOSTS;
    if (!loopback && !hosts.includes(parsed.hostname.toLowerCase())) {
      throw new NotificationFailedError(
        `SSM parameter ${parameter} holds a URL whose host is not ${hosts.join(' or ')}; store a Slack ` +
          `incoming webhook URL in it, or name its host in slackWebhookHosts`,
        { context: { webhookParameter: parameter } },
      );
    }
    return raw;
  }

  /** Network error or timeout: the error's name and code only (a fetch error's message or cause may quote the URL). */
  private transportError(error: unknown, parameter: string, context: SafeContext): NotificationFailedError {
    const name = error instanceof Error ? error.name : 'NonError';
    if (name === 'ResponseTooLargeError') {
      return new NotificationFailedError(
        `The answer to the webhook in SSM parameter ${parameter} is larger than ${SLACK_MAX_ANSWER_BYTES} bytes, ` +
          `which Slack never sends; it was not read, and the message may or may not have been posted: check that ` +
          'the URL in the parameter is a Slack incoming webhook and that no proxy answers in its place',
        { context: { ...context, errorName: name, maxBytes: SLACK_MAX_ANSWER_BYTES } },
      );
    }
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new NotificationFailedError(
        `Slack did not answer within ${context.timeoutMs} ms on the webhook in SSM parameter ${parameter}; the ` +
          `message may or may not have been posted`,
        { context: { ...context, errorName: name } },
      );
    }
    const code = networkCode(error);
    return new NotificationFailedError(
      `Could not reach Slack on the webhook in SSM parameter ${parameter} (${name}${code ? ` ${code}` : ''}); ` +
        `check the Lambda's outbound network access (NAT, proxy, firewall) to hooks.slack.com`,
      { context: { ...context, errorName: name, errorCode: code ?? null } },
    );
  }

  /** Slack's plain-text answer, on one line, short, without the URL or anything shaped like a secret. */
  private describeBody(body: string, url: string): string {
    // The URL's path is the secret part (`/services/T.../B.../{token}`): a proxy or gateway error
    // quotes the path without the host, and any of its segments alone is enough to find the rest.
    const secretParts = [
      url,
      ...new URL(url).pathname.split('/').filter((segment) => segment.length >= 8 && segment !== 'services'),
    ];
    const text = redact(body, secretParts).trim();
    if (text.length === 0) return '';
    if (/^\s*</.test(text)) return '(an HTML page)';
    const oneLine = text.replace(/\s+/g, ' ');
    const scrubbed = redactShapes(oneLine);
    return scrubbed.length > MAX_BODY_IN_MESSAGE ? `${scrubbed.slice(0, MAX_BODY_IN_MESSAGE - 1)}…` : scrubbed;
  }

  private hintForStatus(status: number): string {
    if (status === 429) return 'Slack is rate limiting the webhook; the next run will notify again';
    if (status >= 500) return 'Slack is unavailable; the next run will notify again';
    if (status >= 300 && status < 400)
      return 'the webhook URL redirects, which a Slack webhook never does: check the URL stored in the parameter';
    return 'check the webhook URL stored in the parameter';
  }
}

/**
 * `ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_CONNECT_TIMEOUT`...: from the error or its cause, when it looks like a code.
 */
function networkCode(error: unknown): string | undefined {
  const candidates = [error, error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined];
  for (const candidate of candidates) {
    const code = candidate && typeof candidate === 'object' ? (candidate as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
  }
  return undefined;
}
