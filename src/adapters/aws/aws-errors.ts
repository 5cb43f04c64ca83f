import { redactedCause } from '../redaction/redaction.js';
import {
  AwsAccessDeniedError,
  AwsCallFailedError,
  AwsThrottledError,
  RotationError,
  type SafeContext,
} from '../../domain/errors.js';

/**
 * Reading AWS SDK v3 errors and turning them into domain errors.
 *
 * The SDK names a modelled error after its shape (`NoSuchEntityException`) and keeps the wire
 * code in `Code` for query-protocol services (`NoSuchEntity`); JSON services send the shape name,
 * sometimes with a namespace (`com.amazonaws.secretsmanager#ResourceNotFoundException`).
 * `awsErrorCode` folds all of these into one spelling, without namespace or `Exception` suffix,
 * so adapters match on `'NoSuchEntity'`, `'LimitExceeded'`, `'ResourceNotFound'`...
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { Code, name } = error as { Code?: unknown; name?: unknown };
  const raw = typeof Code === 'string' && Code ? Code : typeof name === 'string' ? name : undefined;
  if (!raw) return undefined;
  const withoutNamespace = raw.slice(raw.lastIndexOf('#') + 1);
  return withoutNamespace.endsWith('Exception') ? withoutNamespace.slice(0, -'Exception'.length) : withoutNamespace;
}

/** The HTTP status AWS answered with, when the error came from AWS at all. */
export function awsHttpStatus(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

// Not `LimitExceeded`: the SDK counts it as throttling, but for IAM it is the two-keys quota and
// for Secrets Manager a quota on versions. Neither goes away by waiting.
const THROTTLING_CODES = new Set([
  'Throttling',
  'Throttled',
  'TooManyRequests',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
]);
const ACCESS_DENIED_CODES = new Set(['AccessDenied', 'UnauthorizedOperation', 'NotAuthorized']);

export function isThrottling(error: unknown): boolean {
  const code = awsErrorCode(error);
  return awsHttpStatus(error) === 429 || (code !== undefined && THROTTLING_CODES.has(code));
}

export function isAccessDenied(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && ACCESS_DENIED_CODES.has(code);
}

/** What a failed call was, for the error message: `iam:CreateAccessKey` on `IAM user app-deployer`. */
export interface AwsCallDescription {
  /** The IAM action, e.g. `iam:CreateAccessKey`, so the message says what to grant. */
  action: string;
  /** What it was called on, e.g. `IAM user app-deployer`. */
  resource: string;
  context?: SafeContext;
  /**
   * Secret strings the call carried or received. A cause whose message echoes any part of one
   * loses its message (some AWS validation errors quote the offending value).
   */
  secrets?: readonly string[];
}

/**
 * The errors every adapter maps the same way: throttling, access denied, and everything else.
 * A `RotationError` passes through unchanged (an adapter may throw one from inside its `try`).
 */
export function mapAwsError(error: unknown, call: AwsCallDescription): RotationError {
  if (error instanceof RotationError) return error;
  const options = { context: call.context ?? {}, cause: redactedCause(error, call.secrets) };
  const code = awsErrorCode(error) ?? 'UnknownError';
  if (isThrottling(error)) {
    return new AwsThrottledError(
      `AWS throttled ${call.action} on ${call.resource} (${code}); retry with backoff`,
      options,
    );
  }
  if (isAccessDenied(error)) {
    return new AwsAccessDeniedError(
      `the rotator may not call ${call.action} on ${call.resource} (${code}); grant ${call.action} to the ` +
        `rotator's role`,
      options,
    );
  }
  // A hung or unreachable endpoint: the client's timeouts ended it (src/adapters/aws/clients.ts).
  if (code === 'TimeoutError' && awsHttpStatus(error) === undefined) {
    return new AwsCallFailedError(
      `${call.action} on ${call.resource} timed out: AWS did not answer within the client's connection and ` +
        'request timeouts, on every attempt; AWS or the network to it is slow or down, retry later',
      options,
    );
  }
  if (code === 'ExpiredToken') {
    return new AwsCallFailedError(
      `${call.action} on ${call.resource} was refused (ExpiredToken): the temporary credentials of the role ` +
        `assumed for it had expired (is this machine's clock behind?); the step's retry assumes the role again`,
      options,
    );
  }
  // An error that never reached AWS (no region, no credentials, no network) says what to fix in its
  // own words; its message comes from the SDK's configuration code, already screened for echoes above.
  const cause = options.cause as { message?: unknown } | undefined;
  const local =
    awsHttpStatus(error) === undefined && typeof cause?.message === 'string' && cause.message
      ? `: ${cause.message.slice(0, 200)}`
      : '';
  return new AwsCallFailedError(`${call.action} on ${call.resource} failed (${code}${local})`, options);
}

export { redactedCause };
