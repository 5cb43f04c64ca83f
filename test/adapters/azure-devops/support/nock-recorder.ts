/** nock reply functions that record what the client sent, so every request can be held to the spec. */
import type nock from 'nock';

type ReplyFnResult = nock.ReplyFnResult;

export interface RecordedCall {
  method: string;
  url: string;
  headers: Headers;
  /** Parsed JSON, the raw text when not JSON, or undefined when empty. */
  body: unknown;
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8; api-version=7.1' };

export class NockRecorder {
  readonly calls: RecordedCall[] = [];

  /** A nock 15 reply function (it receives the fetch `Request`) answering `status` with `body`. */
  answer(
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): (request: Request) => Promise<ReplyFnResult> {
    return async (request: Request) => {
      const text = await request.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = text;
      }
      this.calls.push({ method: request.method, url: request.url, headers: request.headers, body: parsed });
      if (body === undefined) return [status, '', headers];
      if (typeof body === 'string') return [status, body, headers];
      return [status, JSON.stringify(body), { ...JSON_HEADERS, ...headers }];
    };
  }

  byMethod(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
