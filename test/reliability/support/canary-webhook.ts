import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Slack incoming webhook stand-in whose URL is itself a canary: its last path segment is the
 * token given (test/support/slack-sink.ts serves one fixed path, which cannot be a canary).
 * Answers `200 ok`, or the status and body asked for, after an optional delay; keeps every body.
 */
export interface CanaryWebhook {
  url: string;
  bodies: string[];
  close(): Promise<void>;
}

export interface CanaryWebhookOptions {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export async function startCanaryWebhook(token: string, options: CanaryWebhookOptions = {}): Promise<CanaryWebhook> {
  const path = `/services/T0CANARY0/B0CANARY0/${token}`;
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      const answer = () => {
        if (response.destroyed) return;
        const known = request.method === 'POST' && request.url === path;
        response.writeHead(known ? (options.status ?? 200) : 404, { 'content-type': 'text/plain', ...options.headers });
        response.end(known ? (options.body ?? 'ok') : 'no_service');
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A webhook URL on a port nothing listens on (Slack unreachable). */
export async function unreachableWebhook(token: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/services/T0CANARY0/B0CANARY0/${token}`;
}
