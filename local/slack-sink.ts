import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for a Slack incoming webhook, for tests and the demo: an HTTP server on
 * 127.0.0.1 (random port) that keeps every message posted to it and answers like Slack does,
 * in plain text: `200 ok`, or an error code (`400 invalid_payload`, `400 invalid_blocks`,
 * `400 no_text`, or the one `failWith` asks for).
 */

export interface SlackSinkOptions {
  /** Answer every post with this status (and Slack's plain-text code for it, see `failBody`). */
  failWith?: number;
  /** The body of a `failWith` answer (default: Slack's code for the status, e.g. `no_service` for 404). */
  failBody?: string;
  /** Wait this long before answering (for timeout tests). */
  delayMs?: number;
}

export interface SlackSinkRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
  status: number;
  answer: string;
}

export interface SlackSink {
  /** The webhook URL to store in the parameter: `http://127.0.0.1:{port}/services/T.../B.../...`. */
  url: string;
  /** Every JSON message posted, accepted or not, in order. */
  messages: unknown[];
  /** Every request, with the answer given. */
  requests: SlackSinkRequest[];
  close(): Promise<void>;
}

/**
 * Slack's plain-text answer for a status
 * (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors).
 */
const SLACK_ANSWERS: Record<number, string> = {
  400: 'invalid_payload',
  403: 'action_prohibited',
  404: 'no_service',
  410: 'channel_is_archived',
  429: 'rate_limited',
  500: 'rollup_error',
};

const SLACK_LIMITS = {
  maxBlocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  totalBlockText: 12_000,
} as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | null {
  return isObject(value) && typeof value.text === 'string' ? value.text : null;
}

/**
 * What Slack would reject in a message: too many blocks, a header or section too long, a context
 * with too many elements, an unknown text type, too much text in all. Empty when it is valid.
 */
export function slackLimitViolations(message: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(message)) return ['the message is not a JSON object'];
  const blocks = message.blocks;
  if (typeof message.text !== 'string' && !Array.isArray(blocks)) problems.push('no text and no blocks');
  if (blocks === undefined) return problems;
  if (!Array.isArray(blocks)) return [...problems, 'blocks is not an array'];
  if (blocks.length > SLACK_LIMITS.maxBlocks) problems.push(`${blocks.length} blocks (max ${SLACK_LIMITS.maxBlocks})`);
  let total = 0;
  const checkText = (where: string, object: unknown, max: number, types: readonly string[]) => {
    if (!isObject(object) || typeof object.text !== 'string' || !types.includes(String(object.type))) {
      problems.push(`${where}: not a ${types.join(' or ')} text object`);
      return;
    }
    if (object.text.length === 0) problems.push(`${where}: empty text`);
    if (object.text.length > max) problems.push(`${where}: ${object.text.length} characters (max ${max})`);
    total += object.text.length;
  };
  for (const [i, block] of blocks.entries()) {
    if (!isObject(block)) {
      problems.push(`block ${i}: not an object`);
      continue;
    }
    switch (block.type) {
      case 'header':
        checkText(`block ${i} (header)`, block.text, SLACK_LIMITS.headerText, ['plain_text']);
        break;
      case 'section':
        if (block.text === undefined && !Array.isArray(block.fields))
          problems.push(`block ${i} (section): no text and no fields`);
        if (block.text !== undefined)
          checkText(`block ${i} (section)`, block.text, SLACK_LIMITS.sectionText, ['mrkdwn', 'plain_text']);
        if (Array.isArray(block.fields)) {
          if (block.fields.length > SLACK_LIMITS.fields)
            problems.push(`block ${i} (section): ${block.fields.length} fields (max ${SLACK_LIMITS.fields})`);
          for (const [j, field] of block.fields.entries())
            checkText(`block ${i} field ${j}`, field, SLACK_LIMITS.fieldText, ['mrkdwn', 'plain_text']);
        }
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0) {
          problems.push(`block ${i} (context): no elements`);
          break;
        }
        if (block.elements.length > SLACK_LIMITS.contextElements)
          problems.push(
            `block ${i} (context): ${block.elements.length} elements (max ${SLACK_LIMITS.contextElements})`,
          );
        for (const [j, element] of block.elements.entries())
          checkText(`block ${i} element ${j}`, element, SLACK_LIMITS.sectionText, ['mrkdwn', 'plain_text']);
        break;
      case 'divider':
        break;
      default:
        problems.push(`block ${i}: unexpected type ${String(block.type)}`);
    }
  }
  if (total > SLACK_LIMITS.totalBlockText)
    problems.push(
      `${total} characters of block text in all (Slack answers msg_blocks_too_long from about ` +
        `${SLACK_LIMITS.totalBlockText})`,
    );
  return problems;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts a sink on 127.0.0.1 with a random port. Close it when done. */
export async function startSlackSink(options: SlackSinkOptions = {}): Promise<SlackSink> {
  const messages: unknown[] = [];
  const requests: SlackSinkRequest[] = [];
  const path = '/services/T0SINK0000/B0SINK0000/sinkWebhookToken000000000';

  const answer = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(body);
  };

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    let status = 200;
    let text = 'ok';
    if (request.method !== 'POST' || request.url !== path) {
      status = 404;
      text = 'no_service';
    } else {
      let message: unknown;
      try {
        message = JSON.parse(body);
        messages.push(message);
      } catch {
        message = undefined;
      }
      const problems = message === undefined ? ['not JSON'] : slackLimitViolations(message);
      if (options.failWith !== undefined) {
        status = options.failWith;
        text = options.failBody ?? SLACK_ANSWERS[options.failWith] ?? 'error';
      } else if (message === undefined) {
        status = 400;
        text = 'invalid_payload';
      } else if (problems.length > 0) {
        status = 400;
        text = problems.includes('no text and no blocks') ? 'no_text' : 'invalid_blocks';
      }
    }
    requests.push({
      method: request.method ?? '',
      path: request.url ?? '',
      contentType: request.headers['content-type'],
      body,
      status,
      answer: text,
    });
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (!response.destroyed) answer(response, status, text);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    messages,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// ------------------------------------------------------------------------------ terminal rendering

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  rotating_light: '🚨',
  warning: '⚠️',
  no_entry: '⛔',
  fast_forward: '⏩',
  leftwards_arrow_with_hook: '↩️',
  memo: '📝',
  wrench: '🔧',
};

/** mrkdwn as a terminal shows it: emoji, links as `label (url)`, entities decoded; `*bold*` and `code` kept. */
function renderMrkdwn(text: string): string {
  return text
    .replace(/:([a-z0-9_+-]+):/g, (all, name: string) => EMOJI[name] ?? all)
    .replace(/<([^|<>]+)\|([^<>]+)>/g, '$2 ($1)')
    .replace(/<([^|<>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * A Block Kit message as it would read in Slack, for a terminal or a Markdown code block:
 * the header boxed, context in one dim line, sections as paragraphs, dividers as rules.
 */
export function renderSlackMessageAsText(message: unknown): string {
  if (!isObject(message)) return String(message);
  const blocks = Array.isArray(message.blocks) ? message.blocks : [];
  const rule = '─'.repeat(72);
  const lines: string[] = [];
  if (blocks.length === 0 && typeof message.text === 'string') return renderMrkdwn(message.text);
  for (const block of blocks) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case 'header': {
        const text = renderMrkdwn(textOf(block.text) ?? '');
        lines.push(`┏${'━'.repeat(72)}`, `┃ ${text}`, `┗${'━'.repeat(72)}`);
        break;
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        lines.push(elements.map((e) => renderMrkdwn(textOf(e) ?? '')).join('  |  '));
        break;
      }
      case 'section': {
        const text = textOf(block.text);
        if (text !== null) lines.push('', ...renderMrkdwn(text).split('\n'));
        if (Array.isArray(block.fields))
          for (const field of block.fields) lines.push(renderMrkdwn(textOf(field) ?? ''));
        break;
      }
      case 'divider':
        lines.push(rule);
        break;
      default:
        lines.push(`[${String(block.type)} block]`);
    }
  }
  return lines.join('\n');
}
