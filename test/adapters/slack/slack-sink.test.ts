import { afterEach, describe, expect, it } from 'vitest';
import { buildSlackMessage } from '../../../src/adapters/slack/slack-message.js';
import {
  renderSlackMessageAsText,
  type SlackSink,
  slackLimitViolations,
  startSlackSink,
} from '../../../local/slack-sink.js';
import { failureSummary } from '../../../local/slack-fixtures.js';

describe('Function: startSlackSink', () => {
  let sink: SlackSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  const post = (url: string, body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('listens on 127.0.0.1 with a random port and answers 200 ok to a valid message', async () => {
    sink = await startSlackSink();

    const response = await post(sink.url, JSON.stringify({ text: 'hello' }));

    expect(sink.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\//);
    expect([response.status, await response.text()]).toEqual([200, 'ok']);
    expect(sink.messages).toEqual([{ text: 'hello' }]);
  });

  it.each([
    ['not JSON', '{oops', 400, 'invalid_payload'],
    ['neither text nor blocks', '{}', 400, 'no_text'],
    [
      '51 blocks',
      JSON.stringify({ text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }),
      400,
      'invalid_blocks',
    ],
    [
      'a section over 3,000 characters',
      JSON.stringify({ text: 't', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] }),
      400,
      'invalid_blocks',
    ],
  ])('answers like Slack to %s', async (_, body, status, answer) => {
    sink = await startSlackSink();

    const response = await post(sink.url, body);

    expect([response.status, await response.text()]).toEqual([status, answer]);
  });

  it("answers every post with the failWith status and Slack's code for it", async () => {
    sink = await startSlackSink({ failWith: 404 });

    const response = await post(sink.url, JSON.stringify({ text: 'hello' }));

    expect([response.status, await response.text()]).toEqual([404, 'no_service']);
    expect(sink.messages).toHaveLength(1);
  });

  it('answers 404 no_service on another path, as Slack does for an unknown webhook', async () => {
    sink = await startSlackSink();

    const response = await post(sink.url.replace('/services/', '/services/X'), JSON.stringify({ text: 'hello' }));

    expect([response.status, await response.text()]).toEqual([404, 'no_service']);
  });
});

describe('Function: slackLimitViolations', () => {
  it('lists each limit a message breaks', () => {
    const message = {
      text: 't',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) },
        { type: 'section', text: { type: 'markdown', text: 's' } },
        { type: 'image' },
      ],
    };

    expect(slackLimitViolations(message)).toEqual([
      'block 0 (header): 151 characters (max 150)',
      'block 1 (context): 11 elements (max 10)',
      'block 2 (section): not a mrkdwn or plain_text text object',
      'block 3: unexpected type image',
    ]);
  });
});

describe('Function: renderSlackMessageAsText', () => {
  it('renders emoji, links and escaped characters as a terminal would show them', () => {
    const text = renderSlackMessageAsText({
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: ':rotating_light: Key rotation' } },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: '*Mode:* rotate' },
            { type: 'mrkdwn', text: '<https://x.example/e|Execution>' },
          ],
        },
        { type: 'divider' },
        { type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: *a &amp; b* &lt;ok&gt;\nsecond line' } },
      ],
    });

    expect(text.split('\n')).toEqual([
      `┏${'━'.repeat(72)}`,
      '┃ 🚨 Key rotation',
      `┗${'━'.repeat(72)}`,
      '*Mode:* rotate  |  Execution (https://x.example/e)',
      '─'.repeat(72),
      '',
      '✅ *a & b* <ok>',
      'second line',
    ]);
  });

  it('renders a real run message with every target line', () => {
    const text = renderSlackMessageAsText(buildSlackMessage(failureSummary()));

    expect(text).toContain('↩️ *app-staging* — rolled back after step *publish* failed');
    expect(text).toContain(
      'Open the execution in the Step Functions console ' +
        '(https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/',
    );
  });
});
