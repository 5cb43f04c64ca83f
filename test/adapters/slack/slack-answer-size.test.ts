/**
 * Slack's answer is read under a size cap: an answer larger than `SLACK_MAX_ANSWER_BYTES` (no Slack
 * answer is; a wrong URL or a proxy might be) fails the notification with a clear error and is not
 * read into memory, through the production fetch (nodeFetch, a real local server) and a streaming one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../../src/adapters/http/node-fetch.js';
import { SLACK_MAX_ANSWER_BYTES, type SlackFetch, SlackNotifier } from '../../../src/adapters/slack/slack-notifier.js';
import { NotificationFailedError } from '../../../src/domain/errors.js';
import { FakeSecureParameters } from '../../../local/fakes/fake-targets.js';
import { successSummary } from '../../../local/slack-fixtures.js';

const PARAMETER = '/rotator/slack/webhook-url';
const CHUNK = 'x'.repeat(16 * 1024);
const CHUNKS = 64; // 1 MiB in all

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A webhook on this machine that answers 200 with 1 MiB, written chunk by chunk. */
async function oversizedWebhook(): Promise<{ url: string }> {
  const server = createServer(async (request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < CHUNKS && !response.destroyed; i++) {
      if (!response.write(CHUNK))
        await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
    }
    response.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T0TEST0000/B0TEST0000/testWebhookToken0000000000`,
  };
}

function notifier(webhook: string, fetchFn: SlackFetch): SlackNotifier {
  return new SlackNotifier(new FakeSecureParameters({ [PARAMETER]: webhook }), fetchFn, {
    webhookParameter: PARAMETER,
    timeoutMs: 5_000,
    allowLoopbackHttp: true,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<NotificationFailedError> {
  const error = await promise.then(
    () => new Error('expected notify() to throw'),
    (e: unknown) => e,
  );
  if (!(error instanceof NotificationFailedError)) throw error;
  return error;
}

describe('SlackNotifier: the size of the answer', () => {
  it('stops reading an oversized answer through nodeFetch and says why, naming the parameter', async () => {
    // Prepare
    const webhook = await oversizedWebhook();

    // Act
    const error = await failureOf(notifier(webhook.url, nodeFetch).notify(successSummary()));

    // Assess
    expect(error.message).toContain(`larger than ${SLACK_MAX_ANSWER_BYTES} bytes`);
    expect(error.message).toContain(PARAMETER);
    expect(error.message).not.toContain('testWebhookToken');
    expect(error.context).toMatchObject({ errorName: 'ResponseTooLargeError', maxBytes: SLACK_MAX_ANSWER_BYTES });
  });

  it('cancels a streamed answer once past the cap, without reading the rest', async () => {
    // Prepare
    let pulled = 0;
    const streaming: SlackFetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            if (pulled > CHUNKS) controller.close();
            else controller.enqueue(new TextEncoder().encode(CHUNK));
          },
        }),
        { status: 200 },
      );

    // Act
    const error = await failureOf(
      notifier('https://hooks.slack.com/services/T0/B0/tok', streaming).notify(successSummary()),
    );

    // Assess
    expect(error.message).toContain(`larger than ${SLACK_MAX_ANSWER_BYTES} bytes`);
    expect(pulled).toBeLessThan(5);
  });

  it('reads an answer at the cap, as Slack answers are', async () => {
    // Prepare
    const exact: SlackFetch = async () => new Response('ok'.padEnd(SLACK_MAX_ANSWER_BYTES, ' '), { status: 200 });

    // Act
    const result = notifier('https://hooks.slack.com/services/T0/B0/tok', exact).notify(successSummary());

    // Assess
    await expect(result).resolves.toBeUndefined();
  });
});
