/**
 * Every Azure DevOps answer is read under a size cap (`maxResponseBytes`): over it, the call ends
 * with AzureDevOpsResponseTooLargeError naming the call, through the global fetch's stream and
 * through nodeFetch (the deployed one), announced by Content-Length or not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AZURE_DEVOPS_MAX_RESPONSE_BYTES } from '../../../src/adapters/azure-devops/index.js';
import { nodeFetch } from '../../../src/adapters/http/node-fetch.js';
import { AzureDevOpsResponseTooLargeError } from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { makeAdapter } from './support/test-kit.js';

const PAT = 'bounded-pat-0123456789abcdefghijklmnopqrstuvwxyz0123456';
const PAT_PARAMETER = '/rotator/ado/pat';
const LIMIT = 1_024;

let server: Server | undefined;
let served = 0;
afterEach(async () => {
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

/** A server answering every request with a JSON list of `bytes` bytes, with or without Content-Length. */
async function serve(bytes: number, announce: boolean): Promise<ConnectionRef> {
  served = 0;
  const filler = 'x'.repeat(Math.max(0, bytes - 29));
  const body = `{"count":0,"value":[],"f":"${filler}"}`;
  server = createServer((_req, res) => {
    served += 1;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      ...(announce ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    });
    // Without Content-Length the body goes out in chunks (Transfer-Encoding: chunked).
    if (announce) res.end(body);
    else {
      res.write(body.slice(0, bytes / 2));
      setTimeout(() => res.end(body.slice(bytes / 2)), 5);
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    organizationUrl: `http://127.0.0.1:${port}/fabrikam`,
    project: 'Web',
    connectionName: 'aws-prod',
    credentialParameter: PAT_PARAMETER,
  };
}

describe('Azure DevOps answers read under a size cap', () => {
  it('has a cap of 4 MiB by default', () => {
    expect(AZURE_DEVOPS_MAX_RESPONSE_BYTES).toBe(4 * 1024 * 1024);
  });

  it.each([
    ['the global fetch, announced', undefined, true],
    ['the global fetch, chunked', undefined, false],
    ['nodeFetch, announced', nodeFetch, true],
    ['nodeFetch, chunked', nodeFetch, false],
  ])('refuses a body over the cap through %s, naming the call, without retrying it', async (_, fetch, announce) => {
    // Prepare
    const ref = await serve(LIMIT * 4, announce);
    const { adapter } = makeAdapter({
      parameters: { [PAT_PARAMETER]: PAT },
      ...(fetch ? { fetch } : {}),
      client: { maxResponseBytes: LIMIT },
    });

    // Act
    const error = await adapter.findConnection(ref).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AzureDevOpsResponseTooLargeError);
    expect((error as Error).message).toContain(
      `the answer to the request to list service connections for connection "aws-prod" in project "Web"`,
    );
    expect((error as Error).message).toContain(`larger than ${LIMIT} bytes`);
    expect((error as AzureDevOpsResponseTooLargeError).context).toMatchObject({ maxBytes: LIMIT, method: 'GET' });
    expect(served).toBe(1);
  });

  it('reads a body under the cap as before', async () => {
    // Prepare
    const ref = await serve(LIMIT / 2, false);
    const { adapter } = makeAdapter({
      parameters: { [PAT_PARAMETER]: PAT },
      fetch: nodeFetch,
      client: { maxResponseBytes: LIMIT },
    });

    // Act
    const error = await adapter.findConnection(ref).catch((e: unknown) => e);

    // Assess: read whole, and found no connection in the empty list
    expect((error as Error).name).toBe('ConnectionNotFoundError');
  });
});
