/**
 * The two AWS wire protocols the adapters' clients speak (checked against what SDK 3.1164 sends):
 *
 * - AWS query (IAM, STS): `POST /`, `Content-Type: application/x-www-form-urlencoded`, body
 *   `Action=...&Version=...&Param=...`; XML answers `<{Action}Response><{Action}Result>...`,
 *   errors `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 * - AWS JSON 1.1 (Secrets Manager, SSM): `POST /`, `Content-Type: application/x-amz-json-1.1`,
 *   `X-Amz-Target: {prefix}.{Operation}`, JSON body; errors `{"__type": "...", "message": "..."}`.
 *
 * A stub answers a request that does not follow the protocol with the error AWS would send, so a
 * client that drifted from it fails the test instead of being answered by accident.
 */

/** `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=…, Signature=…`. */
const SIGV4_AUTHORIZATION = new RegExp(
  '^AWS4-HMAC-SHA256 Credential=([^/]+)/\\d{8}/[a-z0-9-]+/([a-z0-9-]+)/aws4_request, ' +
    'SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$',
);

/** One request as the stub understood it. */
export interface WireRequest {
  operation: string;
  /** Query parameters (query protocol, without Action/Version) or the JSON body. */
  params: Record<string, unknown>;
  /** The access key id the request was signed with (from the SigV4 `Authorization` header). */
  signedWith: string | null;
  /** The `X-Amz-Security-Token` header: present when the request was signed with temporary credentials. */
  sessionToken?: string | null;
}

/** What a stub checks of a request signed with temporary credentials (the STS stub that issued them). */
export interface SessionChecker {
  /** `ok`, or why the service refuses the request: an unknown or an expired session. */
  check(accessKeyId: string, sessionToken: string): 'ok' | 'invalid' | 'expired';
}

/** The error AWS answers a request signed with a temporary key it does not accept (query protocol). */
export function sessionRefusal(
  namespace: string,
  checker: SessionChecker | undefined,
  signedWith: string,
  sessionToken: string | null,
): WireReply | undefined {
  if (!checker || !signedWith.startsWith('ASIA')) return undefined;
  const verdict = sessionToken ? checker.check(signedWith, sessionToken) : 'invalid';
  if (verdict === 'expired')
    return queryError(namespace, 403, 'ExpiredToken', 'The security token included in the request is expired');
  if (verdict === 'invalid')
    return queryError(namespace, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  return undefined;
}

export type WireReply = [status: number, body: string, headers: Record<string, string>];

let requestCounter = 0;
export const requestId = (): string => {
  requestCounter++;
  return `${requestCounter.toString(16).padStart(8, '0')}-1111-4222-8333-444455556666`;
};

/** The key id in `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, ...`. */
export function signingKeyId(request: Request, service: string): string | null {
  const header = request.headers.get('authorization') ?? '';
  const match = SIGV4_AUTHORIZATION.exec(header);
  return match && match[2] === service ? (match[1] ?? null) : null;
}

// ------------------------------------------------------------------ query protocol (XML)

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface QueryRequest {
  action: string;
  version: string;
  params: Record<string, string>;
}

/** Parses a query-protocol request, or returns the error reply AWS would give. */
export async function readQueryRequest(
  request: Request,
  expectedVersion: string,
  namespace: string,
): Promise<QueryRequest | WireReply> {
  const contentType = request.headers.get('content-type') ?? '';
  if (request.method !== 'POST' || !contentType.startsWith('application/x-www-form-urlencoded')) {
    return queryError(
      namespace,
      400,
      'InvalidAction',
      `stub: expected a form-encoded POST, got ${request.method} ${contentType}`,
    );
  }
  const form = new URLSearchParams(await request.text());
  const action = form.get('Action') ?? '';
  const version = form.get('Version') ?? '';
  if (version !== expectedVersion) {
    return queryError(namespace, 400, 'InvalidAction', `stub: expected Version=${expectedVersion}, got ${version}`);
  }
  const params: Record<string, string> = {};
  for (const [key, value] of form) if (key !== 'Action' && key !== 'Version') params[key] = value;
  return { action, version, params };
}

export function queryResponse(namespace: string, action: string, resultXml: string | null): WireReply {
  const result = resultXml === null ? '' : `<${action}Result>${resultXml}</${action}Result>`;
  const body =
    `<${action}Response xmlns="${namespace}">${result}<ResponseMetadata><RequestId>` +
    `${requestId()}</RequestId></ResponseMetadata></${action}Response>`;
  return [200, body, { 'content-type': 'text/xml' }];
}

export function queryError(
  namespace: string,
  status: number,
  code: string,
  message: string,
  type: 'Sender' | 'Receiver' = 'Sender',
): WireReply {
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>` +
    `${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>` +
    `${requestId()}</RequestId></ErrorResponse>`;
  return [status, body, { 'content-type': 'text/xml' }];
}

// ------------------------------------------------------------------ AWS JSON 1.1

export interface JsonRequest {
  operation: string;
  body: Record<string, unknown>;
}

/** Parses an AWS JSON 1.1 request for `targetPrefix` (e.g. `secretsmanager`), or returns the error reply. */
export async function readJsonRequest(request: Request, targetPrefix: string): Promise<JsonRequest | WireReply> {
  const contentType = request.headers.get('content-type') ?? '';
  const target = request.headers.get('x-amz-target') ?? '';
  if (request.method !== 'POST' || contentType !== 'application/x-amz-json-1.1') {
    return jsonError(
      400,
      'SerializationException',
      `stub: expected an application/x-amz-json-1.1 POST, got ${request.method} ${contentType}`,
    );
  }
  if (!target.startsWith(`${targetPrefix}.`)) {
    return jsonError(400, 'UnknownOperationException', `stub: X-Amz-Target ${target} is not ${targetPrefix}.*`);
  }
  const text = await request.text();
  try {
    return {
      operation: target.slice(targetPrefix.length + 1),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  } catch {
    return jsonError(400, 'SerializationException', 'stub: body is not JSON');
  }
}

export function jsonResponse(body: unknown): WireReply {
  return [200, JSON.stringify(body), { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId() }];
}

export function jsonError(status: number, type: string, message?: string): WireReply {
  const body = message === undefined ? { __type: type } : { __type: type, message };
  return [
    status,
    JSON.stringify(body),
    { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId() },
  ];
}

/** Epoch seconds with milliseconds, as AWS JSON services send timestamps. */
export const epochSeconds = (date: Date): number => date.getTime() / 1000;

// ------------------------------------------------------------------ injected failures

export interface InjectedError {
  code: string;
  status: number;
  message?: string;
  /** How many requests it answers (default 1). */
  times?: number;
  /** How many matching requests to let through first (default 0). */
  skip?: number;
  /**
   * The request is carried out, then answered with the error: a response lost after the write (the SDK
   * retries, or the caller sees a failure for a change that happened). Default false: nothing changes.
   */
  afterWrite?: boolean;
}

/**
 * Errors queued per operation; each stub consults it before acting, so a failed call changes nothing (unless
 * the error is queued `afterWrite`).
 */
export class WireFaults {
  private readonly queued: Array<InjectedError & { operation: string; remaining: number; toSkip: number }> = [];

  add(operation: string, error: InjectedError): void {
    this.queued.push({ ...error, operation, remaining: error.times ?? 1, toSkip: error.skip ?? 0 });
  }

  /** Forgets every queued error (a test's next phase runs without them). */
  clear(): void {
    this.queued.length = 0;
  }

  take(operation: string): InjectedError | undefined {
    const fault = this.queued.find((f) => f.operation === operation && f.remaining > 0);
    if (!fault) return undefined;
    if (fault.toSkip > 0) {
      fault.toSkip--;
      return undefined;
    }
    fault.remaining--;
    return fault;
  }
}
