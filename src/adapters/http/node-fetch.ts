import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ResponseTooLargeError } from './bounded-read.js';

/**
 * The `fetch` the Azure DevOps client and the Slack notifier are given (`ADAPTER_TOKENS.Fetch`), on Node's
 * own `http`/`https` modules, which the AWS SDK loads anyway.
 *
 * Why not the global `fetch`: it is undici, which Node loads (and whose HTTP parser, a WebAssembly
 * module, it compiles) on the first call — about 15–20 ms of every Lambda cold start, for four small
 * JSON requests. This covers what those callers use and nothing more: string bodies, header
 * records, `redirect: 'manual'` (a redirect is answered, never followed), `signal` (the timeout
 * covers the headers and the body), and an answer with `status`, `headers.get()` and `text()`.
 * Anything else is refused with a TypeError rather than half-supported.
 */
export type NodeFetch = (input: string | URL, init?: NodeFetchInit) => Promise<Response>;

/** `RequestInit` and, beyond `fetch`, a cap on the answer's body: over it the request is ended and rejected. */
export interface NodeFetchInit extends RequestInit {
  maxResponseBytes?: number;
}

export const nodeFetch: NodeFetch = async (input, init = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input;
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`nodeFetch: unsupported protocol ${url.protocol}`);
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string')
    throw new TypeError('nodeFetch: only string bodies are supported');
  if (init.redirect !== undefined && init.redirect !== 'manual')
    throw new TypeError('nodeFetch: only redirect "manual" is supported');
  const headers = headerRecord(init.headers);
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : undefined;
  if (body) headers['content-length'] = String(body.length);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<Response>((resolve, reject) => {
    const req = send(
      url,
      { method: init.method ?? 'GET', headers, ...(init.signal ? { signal: init.signal } : {}) },
      (res) => {
        readBody(res, init.maxResponseBytes).then(
          (text) => resolve(answer(url, res, text)),
          (error: unknown) => reject(abortReason(init.signal) ?? error),
        );
      },
    );
    req.on('error', (error) => reject(abortReason(init.signal) ?? error));
    req.end(body);
  });
};

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (Array.isArray(headers) || typeof (headers as { forEach?: unknown }).forEach === 'function') {
    throw new TypeError('nodeFetch: pass headers as a plain object');
  }
  return Object.fromEntries(Object.entries(headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
}

function readBody(res: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const tooLarge = () => {
      res.destroy();
      reject(new ResponseTooLargeError(maxBytes));
    };
    if (Number(res.headers['content-length']) > maxBytes) return tooLarge();
    res.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) return tooLarge();
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the whole answer arrived'));
    });
  });
}

/** The signal's own reason (a TimeoutError for `AbortSignal.timeout`), as `fetch` rejects with. */
function abortReason(signal: AbortSignal | null | undefined): unknown {
  return signal?.aborted ? signal.reason : undefined;
}

function answer(url: URL, res: IncomingMessage, text: string): Response {
  const status = res.statusCode ?? 0;
  const response = {
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status <= 299,
    redirected: false,
    type: 'basic',
    url: url.href,
    headers: {
      get: (name: string): string | null => {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
      has: (name: string): boolean => res.headers[name.toLowerCase()] !== undefined,
    },
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
  };
  // The subset of Response its callers read (see above), not a full Response.
  return response as unknown as Response;
}
