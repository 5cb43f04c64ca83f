import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../../src/adapters/http/node-fetch.js';

/** nodeFetch answers like the global fetch for what its callers use, over a real loopback server. */
describe('Adapter: nodeFetch', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method: string; headers: IncomingMessage['headers']; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', headers: req.headers, body });
        if (req.url === '/json') {
          res
            .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1', 'b=2'] })
            .end('{"value":"é"}');
        } else if (req.url === '/redirect') {
          res.writeHead(302, { location: 'https://login.example/' }).end();
        } else if (req.url === '/throttled') {
          res.writeHead(429, { 'retry-after': '3' }).end('slow down');
        } else if (req.url === '/hang') {
          // never answers
        } else if (req.url === '/slow-body') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('partial');
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(`echo ${body}`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers status, headers and text as the global fetch does', async () => {
    // Act
    const mine = await nodeFetch(`${base}/json`, { headers: { Accept: 'application/json' } });
    const theirs = await fetch(`${base}/json`, { headers: { Accept: 'application/json' } });

    // Assess
    expect(mine.status).toBe(theirs.status);
    expect(mine.ok).toBe(true);
    expect(mine.headers.get('Content-Type')).toBe(theirs.headers.get('content-type'));
    expect(mine.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(mine.headers.get('x-missing')).toBeNull();
    expect(await mine.text()).toBe(await theirs.text());
    expect(seen.at(-1)?.headers.accept).toBe('application/json');
  });

  it('sends a string body with its length, and the method', async () => {
    const response = await nodeFetch(new URL(`${base}/echo`), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"ü":1}',
    });

    expect(await response.text()).toBe('echo {"ü":1}');
    expect(seen.at(-1)).toMatchObject({
      method: 'PUT',
      body: '{"ü":1}',
      headers: { 'content-length': String(Buffer.byteLength('{"ü":1}')) },
    });
  });

  it('answers a redirect instead of following it (redirect: manual), and a 429 with its Retry-After', async () => {
    const redirect = await nodeFetch(`${base}/redirect`, { redirect: 'manual' });
    const throttled = await nodeFetch(`${base}/throttled`);

    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://login.example/');
    expect(throttled.status).toBe(429);
    expect(throttled.ok).toBe(false);
    expect(throttled.headers.get('retry-after')).toBe('3');
  });

  it("rejects with the signal's TimeoutError when no answer comes, or the body stops halfway", async () => {
    await expect(nodeFetch(`${base}/hang`, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await expect(nodeFetch(`${base}/slow-body`, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('refuses what it does not support, with a TypeError', async () => {
    await expect(nodeFetch('ftp://example.com/')).rejects.toThrow(TypeError);
    await expect(nodeFetch(`${base}/echo`, { method: 'POST', body: new Uint8Array([1]) })).rejects.toThrow(
      /only string bodies/,
    );
    await expect(nodeFetch(`${base}/echo`, { redirect: 'follow' })).rejects.toThrow(/redirect "manual"/);
    await expect(nodeFetch(`${base}/echo`, { headers: [['a', 'b']] })).rejects.toThrow(/plain object/);
  });

  it('rejects on a network error', async () => {
    await expect(nodeFetch('http://127.0.0.1:1/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
