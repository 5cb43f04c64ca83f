import { inspect } from 'node:util';
import { Container } from 'inversify';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildSlackMessage } from '../../../src/adapters/slack/slack-message.js';
import {
  SLACK_SETTINGS,
  type SlackFetch,
  SlackNotifier,
  type SlackSettings,
} from '../../../src/adapters/slack/slack-notifier.js';
import { NotificationFailedError } from '../../../src/domain/errors.js';
import type { RunSummary } from '../../../src/domain/report.js';
import { TOKENS } from '../../../src/ports/tokens.js';
import { FakeSecureParameters } from '../../../local/fakes/fake-targets.js';
import { type SlackSink, slackLimitViolations, startSlackSink } from '../../../local/slack-sink.js';
import {
  failedReport,
  failureSummary,
  largeSummary,
  multiTargetSummary,
  rotatedReport,
  successSummary,
  summaryOf,
} from '../../../local/slack-fixtures.js';
import { ADAPTER_TOKENS } from '../../../src/wiring/tokens.js';

const PARAMETER = '/rotator/slack/webhook-url';
const HOOK_ORIGIN = 'https://hooks.slack.com';
const HOOK_PATH = '/services/T0TEST0000/B0TEST0000/testWebhookToken0000000000';
const WEBHOOK = `${HOOK_ORIGIN}${HOOK_PATH}`;

/** The canaries: if either shows up where it must not, a test fails. */
const CANARY_TOKEN = 'CanaryWebhookTokenDoNotLeak42';
const CANARY_PATH = `/services/TCANARY01/BCANARY01/${CANARY_TOKEN}`;
const CANARY_WEBHOOK = `${HOOK_ORIGIN}${CANARY_PATH}`;
const CANARY_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYSEC9';

const realFetch: SlackFetch = (input, init) => fetch(input, init);

/** A fetch that never answers: it only rejects when its signal aborts. */
const hanging: SlackFetch = (_url, init) =>
  new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));

function notifier(options: { webhook?: string | null; fetchFn?: SlackFetch; settings?: Partial<SlackSettings> } = {}) {
  const parameters = new FakeSecureParameters(
    options.webhook === null ? {} : { [PARAMETER]: options.webhook ?? WEBHOOK },
  );
  const getSecure = vi.spyOn(parameters, 'getSecure');
  const fetchFn = vi.fn(options.fetchFn ?? realFetch);
  const settings: SlackSettings = { webhookParameter: PARAMETER, timeoutMs: 2_000, ...options.settings };
  return { subject: new SlackNotifier(parameters, fetchFn, settings), fetchFn, getSecure };
}

async function failureOf(promise: Promise<unknown>): Promise<NotificationFailedError> {
  const error = await promise.then(
    () => {
      throw new Error('expected notify() to throw');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotificationFailedError);
  return error as NotificationFailedError;
}

/** Everything an error can say, every way it can be printed. */
function everythingIn(error: Error): string {
  return [
    error.message,
    String(error),
    error.stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    JSON.stringify((error as NotificationFailedError).context),
  ].join('\n');
}

function expectNoWebhookIn(text: string, webhook = WEBHOOK): void {
  const token = webhook.split('/').at(-1) ?? webhook;
  expect(text).not.toContain(webhook);
  expect(text).not.toContain(token);
}

describe('Class: SlackNotifier', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('Method: notify (the webhook call)', () => {
    it('posts the run message as JSON to the webhook read from the SecureString parameter', async () => {
      const summary = multiTargetSummary();
      let posted: unknown;
      const scope = nock(HOOK_ORIGIN)
        .matchHeader('content-type', 'application/json; charset=utf-8')
        .post(HOOK_PATH, (body: unknown) => {
          posted = body;
          return true;
        })
        .reply(200, 'ok', { 'content-type': 'text/plain' });
      const { subject, getSecure } = notifier();

      await subject.notify(summary);

      expect(scope.isDone()).toBe(true);
      expect(posted).toEqual(JSON.parse(JSON.stringify(buildSlackMessage(summary))));
      expect(getSecure).toHaveBeenCalledWith(PARAMETER, expect.stringContaining('Slack incoming webhook URL'));
    });

    it('posts exactly one message for a run over many targets', async () => {
      const scope = nock(HOOK_ORIGIN).post(HOOK_PATH).once().reply(200, 'ok');
      const { subject, fetchFn } = notifier();

      await subject.notify(largeSummary(200));

      expect(scope.isDone()).toBe(true);
      expect(fetchFn).toHaveBeenCalledTimes(1);
    });

    it('uses the configured region for the console link when the execution id has none', async () => {
      let posted = '';
      nock(HOOK_ORIGIN)
        .post(HOOK_PATH, (body: unknown) => {
          posted = JSON.stringify(body);
          return true;
        })
        .reply(200, 'ok');
      const { subject } = notifier({ settings: { consoleRegion: 'eu-central-1' } });

      await subject.notify(
        summaryOf([failedReport()], { executionId: 'arn:aws:states::123456789012:execution:sm:run-1' }),
      );

      expect(posted).toContain(
        'https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/' +
          'arn:aws:states::123456789012:execution:sm:run-1',
      );
    });

    it('does nothing at all when no webhook parameter is configured (Slack is optional)', async () => {
      for (const webhookParameter of [undefined, '', '   ']) {
        const { subject, fetchFn, getSecure } = notifier({ settings: { webhookParameter } });
        const log = vi.spyOn(console, 'log');
        const warn = vi.spyOn(console, 'warn');

        await expect(subject.notify(successSummary())).resolves.toBeUndefined();

        expect(getSecure).not.toHaveBeenCalled();
        expect(fetchFn).not.toHaveBeenCalled();
        expect(log).not.toHaveBeenCalled();
        expect(warn).not.toHaveBeenCalled();
      }
    });
  });

  describe('Method: notify (failures)', () => {
    it('throws NotificationFailedError without the webhook URL when Slack answers 404', async () => {
      nock(HOOK_ORIGIN).post(HOOK_PATH).reply(404, 'no_service', { 'content-type': 'text/plain' });
      const { subject } = notifier();

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toBe(
        `Slack answered 404 no_service to the webhook in SSM parameter ${PARAMETER}; the webhook was removed ` +
          `or its app uninstalled: create a new incoming webhook and store its URL in the parameter`,
      );
      expect(error.context).toMatchObject({ webhookParameter: PARAMETER, status: 404, slackError: 'no_service' });
      expectNoWebhookIn(everythingIn(error));
    });

    it.each([
      [400, 'invalid_payload', /^Slack answered 400 invalid_payload .*a bug in the rotator/],
      [403, 'action_prohibited', /^Slack answered 403 action_prohibited .*a Slack admin restricted posting/],
      [410, 'channel_is_archived', /^Slack answered 410 channel_is_archived .*archived/],
      [429, 'rate_limited', /^Slack answered 429 rate_limited .*rate limiting/],
      [500, 'rollup_error', /^Slack answered 500 rollup_error .*Slack is unavailable/],
      [503, '', /^Slack answered 503 \(empty body\) .*Slack is unavailable/],
    ])("throws NotificationFailedError with the status and Slack's answer on %d %s", async (status, body, expected) => {
      nock(HOOK_ORIGIN).post(HOOK_PATH).reply(status, body);
      const { subject } = notifier();

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toMatch(expected);
      expect(error.context.status).toBe(status);
      expectNoWebhookIn(everythingIn(error));
    });

    it('reports an HTML error page as such, not its markup', async () => {
      nock(HOOK_ORIGIN).post(HOOK_PATH).reply(502, '<html><body><h1>502 Bad Gateway</h1></body></html>');
      const { subject } = notifier();

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toMatch(/^Slack answered 502 \(an HTML page\) /);
    });

    it('treats a redirect as a failure instead of following it with the message', async () => {
      const scope = nock(HOOK_ORIGIN).post(HOOK_PATH).reply(302, '', { location: 'https://elsewhere.example/collect' });
      const { subject } = notifier();

      const error = await failureOf(subject.notify(successSummary()));

      expect(scope.isDone()).toBe(true);
      expect(error.message).toMatch(/^Slack answered 302 .*redirects/);
    });

    // (nock's delay() and an aborted fetch crash undici's parser, so timeouts use a hanging fetch and the local sink.)
    it('throws NotificationFailedError when Slack does not answer in time', async () => {
      const { subject } = notifier({ fetchFn: hanging, settings: { timeoutMs: 50 } });
      const started = Date.now();

      const error = await failureOf(subject.notify(successSummary()));

      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error.message).toBe(
        `Slack did not answer within 50 ms on the webhook in SSM parameter ${PARAMETER}; the message may or ` +
          `may not have been posted`,
      );
      expectNoWebhookIn(everythingIn(error));
    });

    it('reports a network error by its code, without the URL the error quotes', async () => {
      const cause = Object.assign(new Error(`connect ECONNREFUSED ${CANARY_WEBHOOK}`), { code: 'ECONNREFUSED' });
      const failing: SlackFetch = async () => {
        throw new TypeError(`fetch failed for ${CANARY_WEBHOOK}`, { cause });
      };
      const { subject } = notifier({ webhook: CANARY_WEBHOOK, fetchFn: failing });

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toBe(
        `Could not reach Slack on the webhook in SSM parameter ${PARAMETER} (TypeError ECONNREFUSED); check ` +
          `the Lambda's outbound network access (NAT, proxy, firewall) to hooks.slack.com`,
      );
      expectNoWebhookIn(everythingIn(error), CANARY_WEBHOOK);
    });

    it('throws NotificationFailedError naming the parameter when it does not exist', async () => {
      const { subject, fetchFn } = notifier({ webhook: null });

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toMatch(
        new RegExp(`^Could not read the Slack webhook URL from SSM parameter ${PARAMETER} \\(ParameterNotFoundError: `),
      );
      expect(fetchFn).not.toHaveBeenCalled();
    });

    it.each([
      ['not a URL', `${CANARY_TOKEN} not a url`],
      ['plain http to a remote host', `http://hooks.slack.com${CANARY_PATH}`],
      ['another scheme', `ftp://hooks.slack.com${CANARY_PATH}`],
      ['plain http to this machine, without allowLoopbackHttp', `http://127.0.0.1:9${CANARY_PATH}`],
    ])('refuses a parameter that holds %s, without echoing it', async (_, value) => {
      const { subject, fetchFn } = notifier({ webhook: value });

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toBe(
        `SSM parameter ${PARAMETER} does not hold an https URL; store the Slack incoming webhook URL ` +
          `(https://hooks.slack.com/services/...) in it`,
      );
      expect(everythingIn(error)).not.toContain(CANARY_TOKEN);
      expect(fetchFn).not.toHaveBeenCalled();
    });
  });

  describe('Method: notify (webhook host)', () => {
    it.each([
      ['another https host', `https://collector.attacker.example${CANARY_PATH}`],
      ['a look-alike host', `https://hooks.slack.com.attacker.example${CANARY_PATH}`],
    ])('refuses a webhook on %s, posting nothing and echoing nothing', async (_, value) => {
      const { subject, fetchFn } = notifier({ webhook: value });

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toBe(
        `SSM parameter ${PARAMETER} holds a URL whose host is not hooks.slack.com; store a Slack incoming ` +
          `webhook URL in it, or name its host in slackWebhookHosts`,
      );
      expect(everythingIn(error)).not.toContain(CANARY_TOKEN);
      expect(everythingIn(error)).not.toContain('attacker');
      expect(fetchFn).not.toHaveBeenCalled();
    });

    it('posts to a host the configuration names in slackWebhookHosts', async () => {
      const ok: SlackFetch = async () => new Response('ok', { status: 200 });
      const { subject, fetchFn } = notifier({
        webhook: `https://hooks.slack-gov.com${CANARY_PATH}`,
        fetchFn: ok,
        settings: { webhookHosts: ['hooks.slack-gov.com'] },
      });

      await subject.notify(successSummary());

      expect(fetchFn).toHaveBeenCalledOnce();
    });
  });

  describe('Method: notify (canary)', () => {
    const leakySummary = (): RunSummary =>
      summaryOf([
        {
          ...failedReport(),
          failure: {
            step: 'publish',
            name: 'AzureDevOpsRequestError',
            message: `echoed ${CANARY_SECRET} and ${CANARY_WEBHOOK}`,
          },
        },
        { ...rotatedReport(), warnings: [`see ${CANARY_WEBHOOK}`], stateLeft: `secret ${CANARY_SECRET}` },
      ]);

    it('never posts the canary webhook URL or the canary secret, even when a report carries them', async () => {
      let raw = '';
      nock(HOOK_ORIGIN)
        .post(CANARY_PATH, (body: unknown) => {
          raw = JSON.stringify(body);
          return true;
        })
        .reply(200, 'ok');
      const { subject } = notifier({ webhook: CANARY_WEBHOOK });

      await subject.notify(leakySummary());

      expect(raw.length).toBeGreaterThan(0);
      for (const canary of [CANARY_WEBHOOK, CANARY_TOKEN, CANARY_SECRET]) expect(raw).not.toContain(canary);
    });

    it.each([
      ['a 404', () => nock(HOOK_ORIGIN).post(CANARY_PATH).reply(404, 'no_service')],
      [
        'an answer that echoes the URL',
        () => nock(HOOK_ORIGIN).post(CANARY_PATH).reply(400, `invalid_payload for ${CANARY_WEBHOOK} ${CANARY_SECRET}`),
      ],
      ['a timeout', () => hanging],
    ])('never puts the canary webhook URL or secret in the error on %s', async (_, arrange) => {
      const fetchFn = arrange();
      const { subject } = notifier({
        webhook: CANARY_WEBHOOK,
        settings: { timeoutMs: 50 },
        ...(typeof fetchFn === 'function' ? { fetchFn } : {}),
      });

      const error = await failureOf(subject.notify(leakySummary()));

      const everything = everythingIn(error);
      for (const canary of [CANARY_WEBHOOK, CANARY_TOKEN, CANARY_SECRET]) expect(everything).not.toContain(canary);
    });
  });

  describe('with the local Slack sink (real HTTP on 127.0.0.1)', () => {
    // Plain http to this machine only when the configuration opts in (allowLoopbackHttp).
    const LOCAL: Partial<SlackSettings> = { allowLoopbackHttp: true };
    let sink: SlackSink | undefined;
    afterEach(async () => {
      await sink?.close();
      sink = undefined;
    });

    it('delivers a message the sink accepts as valid Block Kit', async () => {
      sink = await startSlackSink();
      const { subject } = notifier({ webhook: sink.url, settings: LOCAL });

      await subject.notify(failureSummary());

      expect(sink.requests).toMatchObject([
        { method: 'POST', status: 200, answer: 'ok', contentType: 'application/json; charset=utf-8' },
      ]);
      expect(sink.messages).toEqual([JSON.parse(JSON.stringify(buildSlackMessage(failureSummary())))]);
    });

    it('delivers a 1,000-target run in one message within Slack limits', async () => {
      sink = await startSlackSink();
      const { subject } = notifier({ webhook: sink.url, settings: LOCAL });

      await subject.notify(largeSummary(1000));

      expect(sink.messages).toHaveLength(1);
      expect(slackLimitViolations(sink.messages[0])).toEqual([]);
    });

    it("throws NotificationFailedError with the sink's answer, without its URL, when it fails", async () => {
      sink = await startSlackSink({ failWith: 404 });
      const { subject } = notifier({ webhook: sink.url, settings: LOCAL });

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toMatch(/^Slack answered 404 no_service /);
      expectNoWebhookIn(everythingIn(error), sink.url);
      expect(sink.messages).toHaveLength(1);
    });

    it('times out on a sink that answers too late', async () => {
      sink = await startSlackSink({ delayMs: 1_000 });
      const { subject } = notifier({ webhook: sink.url, settings: { ...LOCAL, timeoutMs: 100 } });

      const error = await failureOf(subject.notify(successSummary()));

      expect(error.message).toMatch(/^Slack did not answer within 100 ms/);
    });
  });

  describe('dependency injection', () => {
    it('is built by the container from its tokens (no decorator metadata needed)', async () => {
      const container = new Container();
      const fetchFn = vi.fn<SlackFetch>(async () => new Response('ok', { status: 200 }));
      container.bind(TOKENS.SecureParameters).toConstantValue(new FakeSecureParameters({ [PARAMETER]: WEBHOOK }));
      container.bind(ADAPTER_TOKENS.Fetch).toConstantValue(fetchFn);
      container.bind(SLACK_SETTINGS).toConstantValue({ webhookParameter: PARAMETER } satisfies SlackSettings);
      container.bind(SlackNotifier).toSelf();

      await container.get(SlackNotifier).notify(successSummary());

      expect(fetchFn).toHaveBeenCalledWith(
        WEBHOOK,
        expect.objectContaining({ method: 'POST', redirect: 'manual', signal: expect.any(AbortSignal) }),
      );
    });
  });
});
