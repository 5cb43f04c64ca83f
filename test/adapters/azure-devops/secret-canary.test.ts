/**
 * Canary: a recognisable PAT, client secret and secret access key go through the success path and
 * every failure path, against a hostile server that echoes the request's credential and body in
 * its answers. None of them may appear in an error message, an error's JSON (cause chain
 * included), its inspected form, or a log line.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { FetchFn } from '../../../src/adapters/azure-devops/http-client.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { awsEndpointDetails, awsEndpointList, EXAMPLE_ENDPOINT_ID } from './support/aws-endpoints.js';
import { makeAdapter } from './support/test-kit.js';

const CANARY_PAT = 'CANARYPAT7x9q2w4e6r8t0y1u3i5o7p9a2s4d6f8g0h1j3k5l7z';
const CANARY_CLIENT_SECRET = 'CANARY~ClientSecret.q1w2e3r4t5y6u7i8o9p0';
const CANARY_SECRET_KEY = 'CANARY/SecretAccessKey+q1w2e3r4t5y6u7i8o9';
const CANARY_TOKEN = 'CANARYBEARERTOKEN.q1w2e3r4t5y6u7i8o9p0';

const ORG = 'https://dev.azure.com/fabrikam';
const ID = EXAMPLE_ENDPOINT_ID;
const PAT_PARAMETER = '/rotator/ado/pat';
const SP_PARAMETER = '/rotator/ado/sp';
const BROKEN_PARAMETER = '/rotator/ado/broken';
const ref: ConnectionRef = {
  organizationUrl: ORG,
  project: 'TestProject',
  connectionName: 'aws-prod',
  credentialParameter: PAT_PARAMETER,
};
const credential = { accessKeyId: 'AKIANEWKEY000000001', secretAccessKey: new SecretValue(CANARY_SECRET_KEY) };

/** Every form a canary could take on the wire. */
const FORBIDDEN = [
  CANARY_PAT,
  Buffer.from(`:${CANARY_PAT}`).toString('base64'),
  CANARY_CLIENT_SECRET,
  encodeURIComponent(CANARY_CLIENT_SECRET),
  CANARY_SECRET_KEY,
  encodeURIComponent(CANARY_SECRET_KEY),
  CANARY_TOKEN,
  'CANARY',
];

type Answer = 'ok' | 'sign-in-203' | 'redirect' | 'html-200' | 'null' | number | 'timeout' | 'network';

/** A server that echoes the Authorization header and the request body back in whatever it answers. */
function hostileFetch(answers: { list?: Answer; read?: Answer; put?: Answer; token?: Answer }): FetchFn {
  return async (input, init) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const authorization = headers.get('authorization') ?? '';
    // The worst server: it echoes the header, the credential decoded from it, and the body.
    const decoded = authorization.startsWith('Basic ')
      ? Buffer.from(authorization.slice(6), 'base64').toString('utf8')
      : authorization.slice(7);
    const body = typeof init?.body === 'string' ? init.body : '';
    // First, the rejected value URL-encoded (a 400 that quotes it as a query string would carry it),
    // where a length bound cannot cut it off.
    const password = /"password":"([^"]*)"/.exec(body)?.[1] ?? '';
    const rejected = password ? `VS403: value ${encodeURIComponent(password)} is not valid. ` : '';
    const echo =
      `${rejected}you sent ${authorization} (${decoded}) with ${body} ` +
      `${decodeURIComponent(body.replace(/\+/g, ' '))}`;
    const kind = url.includes('/oauth2/')
      ? 'token'
      : init?.method === 'PUT'
        ? 'put'
        : url.includes(`/endpoints/${ID}`)
          ? 'read'
          : 'list';
    const answer = answers[kind] ?? 'ok';
    const jsonAnswer = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...extra } });

    if (answer === 'timeout') {
      return new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    }
    if (answer === 'network') throw new TypeError(`fetch failed: ${echo}`);
    if (answer === 'sign-in-203')
      return new Response(`<html>Sign in ${echo}</html>`, { status: 203, headers: { 'content-type': 'text/html' } });
    if (answer === 'redirect')
      return new Response(null, {
        status: 302,
        headers: { location: `https://login.example/?${encodeURIComponent(echo)}` },
      });
    if (answer === 'html-200')
      return new Response(`<html>${echo}</html>`, { status: 200, headers: { 'content-type': 'text/html' } });
    if (answer === 'null') return jsonAnswer(200, null);
    if (typeof answer === 'number') {
      if (kind === 'token')
        return jsonAnswer(answer, { error: `invalid_client ${echo}`, error_description: echo, error_codes: [7000215] });
      return jsonAnswer(answer, { message: echo, typeKey: `Echo${decoded}` }, { 'retry-after': '1' });
    }
    if (kind === 'token')
      return jsonAnswer(200, { token_type: 'Bearer', expires_in: 3600, access_token: CANARY_TOKEN });
    if (kind === 'list') return jsonAnswer(200, awsEndpointList(awsEndpointDetails()));
    if (kind === 'put') return jsonAnswer(200, awsEndpointDetails());
    return jsonAnswer(200, awsEndpointDetails());
  };
}

const scenarios: [string, Parameters<typeof hostileFetch>[0], Partial<ConnectionRef>?][] = [
  ['success', {}],
  ['the 203 sign-in page', { list: 'sign-in-203' }],
  ['a redirect', { read: 'redirect' }],
  ['a non-JSON 200', { read: 'html-200' }],
  ['401', { list: 401 }],
  ['403', { read: 403 }],
  ['404 on list', { list: 404 }],
  ['404 on read', { read: 404 }],
  ['null on read', { read: 'null' }],
  ['400 on PUT', { put: 400 }],
  ['404 on PUT', { put: 404 }],
  ['409 on PUT', { put: 409 }],
  ['429 until exhausted', { read: 429 }],
  ['500 on PUT until exhausted', { put: 500 }],
  ['timeouts', { put: 'timeout' }],
  ['network errors', { read: 'network' }],
  ['a service principal Entra rejects', { token: 401 }, { credentialParameter: SP_PARAMETER }],
  ['a service principal whose token Azure DevOps refuses', { list: 401 }, { credentialParameter: SP_PARAMETER }],
  ['a service principal parameter holding broken JSON', {}, { credentialParameter: BROKEN_PARAMETER }],
];

describe('Class: AzureDevOpsServiceConnectionAdapter', () => {
  describe('secret canary', () => {
    it.each(scenarios)(
      'leaks no PAT, client secret, token or secret access key with %s',
      async (_name, answers, refOverride = {}) => {
        // Arrange
        const { adapter, logger } = makeAdapter({
          parameters: {
            [PAT_PARAMETER]: CANARY_PAT,
            [SP_PARAMETER]: JSON.stringify({
              tenantId: 'contoso.onmicrosoft.com',
              clientId: 'client-1',
              clientSecret: CANARY_CLIENT_SECRET,
            }),
            [BROKEN_PARAMETER]: `{"tenantId":"t","clientSecret":"${CANARY_CLIENT_SECRET}"`,
          },
          fetch: hostileFetch(answers),
          client: { maxAttempts: 2, requestTimeoutMs: 10 },
        });
        const target = { ...ref, ...refOverride };
        const errors: unknown[] = [];

        // Act
        await adapter.findConnection(target).catch((e: unknown) => errors.push(e));
        await adapter.readConnection(target, ID).catch((e: unknown) => errors.push(e));
        await adapter.updateCredential(target, ID, credential).catch((e: unknown) => errors.push(e));

        // Assert
        const isSuccess = Object.keys(answers).length === 0 && refOverride.credentialParameter === undefined;
        expect(errors.length > 0).toBe(!isSuccess);
        const surfaces = [
          ...errors.flatMap((error) => [
            String((error as Error).message),
            JSON.stringify(error),
            inspect(error, { depth: 10 }),
            JSON.stringify((error as Error).cause ?? null),
          ]),
          JSON.stringify(logger.lines),
        ];
        for (const surface of surfaces) {
          for (const secret of FORBIDDEN) expect(surface).not.toContain(secret);
        }
      },
    );
  });
});
