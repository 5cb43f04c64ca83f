/**
 * The HTTP client's authentication, retries and timeouts, driven through the adapter with a
 * scripted `fetch` (and nock for the Microsoft Entra token endpoint).
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  AZURE_DEVOPS_ENTRA_SCOPE,
  type FetchFn,
  parseRetryAfter,
} from '../../../src/adapters/azure-devops/http-client.js';
import { MAX_SERVER_TEXT } from '../../../src/adapters/azure-devops/server-text.js';
import { redact } from '../../../src/adapters/redaction/redaction.js';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsNotAuthorizedError,
  AzureDevOpsUnavailableError,
  ConfigurationError,
  ParameterNotFoundError,
} from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { awsEndpointDetails, EXAMPLE_ENDPOINT_ID } from './support/aws-endpoints.js';
import { makeAdapter } from './support/test-kit.js';

const ORG = 'https://dev.azure.com/fabrikam';
const ID = EXAMPLE_ENDPOINT_ID;
const PAT_PARAMETER = '/rotator/ado/pat';
const SP_PARAMETER = '/rotator/ado/service-principal';
const PAT = 'ado-pat-0123456789abcdefghijklmnopqrstuvwxyz0123456789';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SP = {
  tenantId: TENANT,
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecret: 'sp~Secret.value_0123456789abcdef',
};
const ref: ConnectionRef = {
  organizationUrl: ORG,
  project: 'TestProject',
  connectionName: 'aws-prod',
  credentialParameter: PAT_PARAMETER,
};
const spRef: ConnectionRef = { ...ref, credentialParameter: SP_PARAMETER };

interface FetchCall {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that answers from a script: one function per call, the last one repeated. */
function scriptedFetch(
  ...script: ((call: FetchCall) => Response | Promise<Response>)[]
): FetchFn & { calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fn = async (input: string | URL, init?: RequestInit) => {
    const call = { url: String(input), init };
    calls.push(call);
    const step = script[Math.min(calls.length - 1, script.length - 1)]!;
    return step(call);
  };
  return Object.assign(fn, { calls });
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    });
const ok = json(200, awsEndpointDetails());

describe('Class: AzureDevOpsHttpClient', () => {
  describe('retries', () => {
    it('backs off exponentially with jitter on 503 without Retry-After, then succeeds', async () => {
      // Arrange
      const fetch = scriptedFetch(json(503, {}), json(503, {}), json(503, {}), ok);
      const { adapter, time } = makeAdapter({
        parameters: { [PAT_PARAMETER]: PAT },
        fetch,
        client: { baseDelayMs: 500, maxDelayMs: 8000 },
      });

      // Act
      await adapter.readConnection(ref, ID);

      // Assert: with random() = 0.5 each wait is 3/4 of its step, and the steps double.
      expect(time.sleeps).toEqual([375, 750, 1500]);
      expect(fetch.calls).toHaveLength(4);
    });

    it('caps the backoff at maxDelayMs', async () => {
      // Arrange
      const fetch = scriptedFetch(json(502, {}), json(502, {}), json(502, {}), json(502, {}), ok);
      const { adapter, time } = makeAdapter({
        parameters: { [PAT_PARAMETER]: PAT },
        fetch,
        client: { baseDelayMs: 1000, maxDelayMs: 2000, maxAttempts: 6, random: () => 1 },
      });

      // Act
      await adapter.readConnection(ref, ID);

      // Assert
      expect(Math.max(...time.sleeps)).toBeLessThanOrEqual(2000);
      expect(time.sleeps).toEqual([1000, 2000, 2000, 2000]);
    });

    it('honours Retry-After on 503', async () => {
      // Arrange
      const fetch = scriptedFetch(json(503, {}, { 'retry-after': '4' }), ok);
      const { adapter, time } = makeAdapter({ parameters: { [PAT_PARAMETER]: PAT }, fetch });

      // Act
      await adapter.readConnection(ref, ID);

      // Assert
      expect(time.sleeps).toEqual([4000]);
    });

    it('throws AzureDevOpsUnavailableError after maxAttempts of 429', async () => {
      // Arrange
      const fetch = scriptedFetch(json(429, { typeKey: 'RequestBlockedException' }, { 'retry-after': '1' }));
      const { adapter } = makeAdapter({ parameters: { [PAT_PARAMETER]: PAT }, fetch, client: { maxAttempts: 4 } });

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
      expect(fetch.calls).toHaveLength(4);
      expect((error as AzureDevOpsUnavailableError).kind).toBe('transient');
      expect((error as AzureDevOpsUnavailableError).context).toMatchObject({ status: 429, attempts: 4 });
    });

    it('stops retrying when the next wait would overrun the total time budget', async () => {
      // Arrange
      const fetch = scriptedFetch(json(500, {}));
      const { adapter, time } = makeAdapter({
        parameters: { [PAT_PARAMETER]: PAT },
        fetch,
        client: { maxAttempts: 100, maxTotalMs: 5000, baseDelayMs: 1000, maxDelayMs: 1000, random: () => 1 },
      });

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
      expect(time.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5000);
      expect(fetch.calls.length).toBeLessThan(100);
    });

    it('puts a timeout signal on every request and retries when it fires', async () => {
      // Arrange
      const fetch = scriptedFetch(
        ({ init }) =>
          new Promise<Response>((_resolve, reject) => {
            init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
          }),
      );
      const { adapter } = makeAdapter({
        parameters: { [PAT_PARAMETER]: PAT },
        fetch,
        client: { requestTimeoutMs: 20, maxAttempts: 2 },
      });

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
      expect((error as Error).message).toContain('no answer within 20 ms');
      expect(fetch.calls).toHaveLength(2);
      expect(fetch.calls.every((c) => c.init?.signal instanceof AbortSignal)).toBe(true);
    });

    it('retries a network error and keeps it as the cause', async () => {
      // Arrange
      const fetch = scriptedFetch(() => {
        throw new TypeError('fetch failed');
      });
      const { adapter } = makeAdapter({ parameters: { [PAT_PARAMETER]: PAT }, fetch, client: { maxAttempts: 3 } });

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
      expect((error as AzureDevOpsUnavailableError).cause).toMatchObject({
        name: 'TypeError',
        message: 'fetch failed',
      });
      expect(fetch.calls).toHaveLength(3);
    });

    it('never follows redirects itself (redirect: "manual")', async () => {
      // Arrange
      const fetch = scriptedFetch(ok);
      const { adapter } = makeAdapter({ parameters: { [PAT_PARAMETER]: PAT }, fetch });

      // Act
      await adapter.readConnection(ref, ID);

      // Assert
      expect(fetch.calls[0]?.init?.redirect).toBe('manual');
    });

    it('does not retry a 401', async () => {
      // Arrange
      const fetch = scriptedFetch(json(401, { message: 'TF400813', typeKey: 'UnauthorizedRequestException' }));
      const { adapter } = makeAdapter({ parameters: { [PAT_PARAMETER]: PAT }, fetch });

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AzureDevOpsNotAuthorizedError);
      expect(fetch.calls).toHaveLength(1);
    });
  });

  describe('credentials', () => {
    it('reads the credential parameter on every call, so a renewed PAT is used without a restart', async () => {
      // Arrange
      const fetch = scriptedFetch(ok);
      const { adapter, parameters } = makeAdapter({ parameters: { [PAT_PARAMETER]: PAT }, fetch });
      await adapter.readConnection(ref, ID);
      parameters.set(PAT_PARAMETER, 'renewed-pat-value');

      // Act
      await adapter.readConnection(ref, ID);

      // Assert
      const header = new Headers(fetch.calls[1]?.init?.headers).get('authorization');
      expect(header).toBe(`Basic ${Buffer.from(':renewed-pat-value').toString('base64')}`);
    });

    it('passes on ParameterNotFoundError when the credential parameter is missing', async () => {
      // Arrange
      const fetch = scriptedFetch(ok);
      const { adapter } = makeAdapter({ parameters: {}, fetch });

      // Act
      const error = await adapter.readConnection(ref, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ParameterNotFoundError);
      expect(fetch.calls).toHaveLength(0);
    });

    it.each([
      ['JSON without a client secret', JSON.stringify({ tenantId: TENANT, clientId: SP.clientId })],
      ['broken JSON', '{"tenantId": '],
      ['a tenant id that is not an id or domain', JSON.stringify({ ...SP, tenantId: '../common' })],
    ])('throws ConfigurationError when the parameter holds %s', async (_what, value) => {
      // Arrange
      const fetch = scriptedFetch(ok);
      const { adapter } = makeAdapter({ parameters: { [SP_PARAMETER]: value }, fetch });

      // Act
      const error = await adapter.readConnection(spRef, ID).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(SP_PARAMETER);
      expect(fetch.calls).toHaveLength(0);
    });

    it('gets a client-credentials token for the Azure DevOps scope and sends it as Bearer', async () => {
      // Arrange
      let form: URLSearchParams | undefined;
      const entra = nock('https://login.microsoftonline.com')
        .post(`/${TENANT}/oauth2/v2.0/token`)
        .reply(async (request: Request) => {
          form = new URLSearchParams(await request.text());
          return [200, { token_type: 'Bearer', expires_in: 3599, access_token: 'entra-token-1' }];
        });
      const seen: string[] = [];
      const fetch: FetchFn = async (input, init) => {
        if (String(input).startsWith('https://login.microsoftonline.com')) return globalThis.fetch(input, init);
        seen.push(new Headers(init?.headers).get('authorization') ?? '');
        return ok();
      };
      const { adapter } = makeAdapter({ parameters: { [SP_PARAMETER]: JSON.stringify(SP) }, fetch });

      // Act
      await adapter.readConnection(spRef, ID);

      // Assert
      expect(entra.isDone()).toBe(true);
      expect(Object.fromEntries(form ?? [])).toEqual({
        grant_type: 'client_credentials',
        client_id: SP.clientId,
        client_secret: SP.clientSecret,
        scope: AZURE_DEVOPS_ENTRA_SCOPE,
      });
      expect(AZURE_DEVOPS_ENTRA_SCOPE).toBe('499b84ac-1321-427f-aa17-267ca6975798/.default');
      expect(seen).toEqual(['Bearer entra-token-1']);
    });

    it('caches the token until shortly before it expires, then gets a new one', async () => {
      // Arrange
      let issued = 0;
      const fetch = scriptedFetch(({ url }) => {
        if (url.includes('/oauth2/v2.0/token')) {
          issued++;
          return json(200, { token_type: 'Bearer', expires_in: 3600, access_token: `token-${issued}` })();
        }
        return ok();
      });
      const { adapter, time } = makeAdapter({
        parameters: { [SP_PARAMETER]: JSON.stringify(SP) },
        fetch,
        client: { tokenRefreshMarginMs: 300_000 },
      });
      await adapter.readConnection(spRef, ID);
      await adapter.readConnection(spRef, ID);
      const afterTwoCalls = issued;

      // Act: 56 minutes later the token has less than the 5-minute margin left.
      time.advance(56 * 60_000);
      await adapter.readConnection(spRef, ID);

      // Assert
      expect(afterTwoCalls).toBe(1);
      expect(issued).toBe(2);
      const last = fetch.calls[fetch.calls.length - 1];
      expect(new Headers(last?.init?.headers).get('authorization')).toBe('Bearer token-2');
    });

    it('shares one token request between concurrent calls', async () => {
      // Arrange
      let issued = 0;
      const fetch = scriptedFetch(async ({ url }) => {
        if (url.includes('/oauth2/v2.0/token')) {
          issued++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          return json(200, { token_type: 'Bearer', expires_in: 3600, access_token: 'shared' })();
        }
        return ok();
      });
      const { adapter } = makeAdapter({ parameters: { [SP_PARAMETER]: JSON.stringify(SP) }, fetch });

      // Act
      await Promise.all([
        adapter.readConnection(spRef, ID),
        adapter.readConnection(spRef, ID),
        adapter.readConnection(spRef, ID),
      ]);

      // Assert
      expect(issued).toBe(1);
    });

    it('drops the cached token when Azure DevOps answers 401, so the next call gets a fresh one', async () => {
      // Arrange
      let issued = 0;
      let adoCalls = 0;
      const fetch = scriptedFetch(({ url }) => {
        if (url.includes('/oauth2/v2.0/token')) {
          issued++;
          return json(200, { token_type: 'Bearer', expires_in: 3600, access_token: `token-${issued}` })();
        }
        adoCalls++;
        return adoCalls === 1 ? json(401, { message: 'TF400813', typeKey: 'UnauthorizedRequestException' })() : ok();
      });
      const { adapter } = makeAdapter({ parameters: { [SP_PARAMETER]: JSON.stringify(SP) }, fetch });
      await adapter.readConnection(spRef, ID).catch(() => undefined);

      // Act
      await adapter.readConnection(spRef, ID);

      // Assert
      expect(issued).toBe(2);
    });

    it(
      'throws AzureDevOpsCredentialRejectedError naming the AADSTS code when Entra rejects the ' + 'client secret',
      async () => {
        // Arrange
        nock('https://login.microsoftonline.com')
          .post(`/${TENANT}/oauth2/v2.0/token`)
          .reply(401, {
            error: 'invalid_client',
            error_description:
              'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the ' +
              'client secret value, not the client secret ID, for a secret added to app ' +
              "'11111111-2222-3333-4444-555555555555'.",
            error_codes: [7000215],
          });
        const { adapter } = makeAdapter({ parameters: { [SP_PARAMETER]: JSON.stringify(SP) } });

        // Act
        const error = await adapter.readConnection(spRef, ID).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(AzureDevOpsCredentialRejectedError);
        expect((error as Error).message).toContain('AADSTS7000215');
        expect((error as Error).message).toContain(SP_PARAMETER);
        expect((error as Error).message).not.toContain(SP.clientSecret);
      },
    );
  });

  describe('helpers', () => {
    it('parses Retry-After as seconds or as an HTTP date', () => {
      // Arrange
      const now = Date.parse('2025-01-01T00:00:00Z');

      // Act
      const seconds = parseRetryAfter('30', now);
      const date = parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now);
      const garbage = parseRetryAfter('soon', now);
      const missing = parseRetryAfter(null, now);

      // Assert
      expect(seconds).toBe(30_000);
      expect(date).toBe(10_000);
      expect(garbage).toBeUndefined();
      expect(missing).toBeUndefined();
    });

    it('scrubs every secret from server text and bounds its length', () => {
      // Arrange
      const text = `echo ${PAT} and again ${PAT} ${'x'.repeat(400)}`;

      // Act
      const clean = redact(text, [PAT], MAX_SERVER_TEXT);

      // Assert
      expect(clean).not.toContain(PAT);
      expect(clean.startsWith('echo [REDACTED] and again [REDACTED]')).toBe(true);
      expect(clean.length).toBeLessThanOrEqual(301);
    });
  });
});
