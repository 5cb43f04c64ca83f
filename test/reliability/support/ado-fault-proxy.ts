/**
 * Faults at the Azure DevOps wire, in front of the stand-in (local/ado-stand-in, used only through its
 * URL): an HTTP proxy on 127.0.0.1 that passes requests through, except those a scheduled fault picks:
 *
 * - `5xx`: a 503 with a VSS error body, nothing changed;
 * - `429`: throttled, with `Retry-After: 0`, nothing changed;
 * - `timeout`: no answer at all (the client's request timeout fires), nothing changed;
 * - `lost-after-write`: the request reaches the stand-in (the write happens), then the connection is cut
 *   before the answer (the client sees a socket error for a change that took);
 * - `stale-read`: slow propagation — after a write, the next reads of that resource return what it held
 *   before the write, as an eventually consistent replica would.
 */
import { createServer, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const ADO_FAULT_KINDS = ['5xx', '429', 'timeout', 'lost-after-write', 'stale-read'] as const;
export type AdoFaultKind = (typeof ADO_FAULT_KINDS)[number];

export interface AdoFault {
  kind: AdoFaultKind;
  /** Which requests it applies to (a `stale-read` applies to the reads after a write of this method). */
  method: 'GET' | 'PUT' | 'POST';
  /** Matching requests let through first. */
  skip: number;
  times: number;
}

export interface AdoFaultProxy {
  /** The proxy's base URL; organization URLs are the stand-in's with this prefix. */
  readonly url: string;
  schedule(faults: readonly AdoFault[]): void;
  clear(): void;
  /** Faults that fired, as `kind method path`. */
  readonly fired: string[];
  close(): Promise<void>;
}

interface Armed extends AdoFault {
  skipLeft: number;
  left: number;
}

const VSS_503 = JSON.stringify({
  $id: '1',
  innerException: null,
  message: 'Service Unavailable (injected at the wire)',
  typeName: 'Microsoft.VisualStudio.Services.WebApi.VssServiceResponseException',
  typeKey: 'VssServiceResponseException',
  errorCode: 0,
  eventId: 3000,
});

export async function startAdoFaultProxy(upstream: string): Promise<AdoFaultProxy> {
  const target = new URL(upstream);
  let armed: Armed[] = [];
  const fired: string[] = [];
  /** Path → the body it had before the last write, and how many stale reads are left. */
  const stale = new Map<string, { body: Buffer; status: number; headers: Record<string, string>; left: number }>();
  /** Path → the last answer to a read (what a stale replica would still serve). */
  const lastRead = new Map<string, { body: Buffer; status: number; headers: Record<string, string> }>();

  const take = (method: string, kinds: readonly AdoFaultKind[]): Armed | undefined => {
    const fault = armed.find((f) => f.method === method && kinds.includes(f.kind) && f.left > 0);
    if (!fault) return undefined;
    if (fault.skipLeft > 0) {
      fault.skipLeft--;
      return undefined;
    }
    fault.left--;
    return fault;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A client that gives up (its request timeout) resets the socket while this side still reads or
    // forwards: that is the fault under test, not an error of the proxy, so it ends the exchange quietly.
    void handle(req, res).catch(() => res.destroy());
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const isApi = path.includes('/_apis/');

    const before = isApi ? take(method, ['5xx', '429', 'timeout']) : undefined;
    if (before) {
      fired.push(`${before.kind} ${method} ${path}`);
      if (before.kind === 'timeout') return; // never answered; the client gives up
      const status = before.kind === '5xx' ? 503 : 429;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        ...(status === 429 ? { 'retry-after': '0' } : {}),
      });
      res.end(VSS_503);
      return;
    }
    const replica = method === 'GET' ? stale.get(path) : undefined;
    if (replica && replica.left > 0) {
      replica.left--;
      fired.push(`stale-read GET ${path}`);
      res.writeHead(replica.status, replica.headers);
      res.end(replica.body);
      return;
    }

    const answer = await forward(target, req, body);
    if (method === 'GET' && isApi) lastRead.set(path, answer);
    if (method !== 'GET' && isApi && answer.status < 300) {
      const lag = take(method, ['stale-read']);
      const previous = lastRead.get(path);
      if (lag && previous) {
        fired.push(`stale-read after ${method} ${path}`);
        stale.set(path, { ...previous, left: lag.times });
      } else stale.delete(path);
      const lost = take(method, ['lost-after-write']);
      if (lost) {
        fired.push(`lost-after-write ${method} ${path}`);
        res.socket?.destroy();
        return;
      }
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    schedule(faults) {
      armed = faults.map((f) => ({ ...f, skipLeft: f.skip, left: f.kind === 'stale-read' ? 1 : f.times }));
    },
    clear() {
      armed = [];
      stale.clear();
    },
    fired,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host };
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection')
              out[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          out['content-length'] = String(Buffer.concat(chunks).length);
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}
