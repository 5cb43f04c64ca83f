/**
 * The error base class and SecretValue pinned exactly: what a cause is reduced to, what an error
 * serialises to, which errors count as refusals or transient, and what a secret renders as.
 * Added from the mutants Stryker found surviving in errors.ts and secret-value.ts.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AwsThrottledError,
  ConnectionUsesOidcError,
  ERROR_NAMES,
  isRefusal,
  isTransient,
  KeyVerificationFailedError,
  RotationError,
  safeCause,
  TRANSIENT_ERROR_NAMES,
} from '../../src/domain/errors.js';
import * as errors from '../../src/domain/errors.js';
import { maskKeyId, SecretValue } from '../../src/domain/secret-value.js';

describe('Function: safeCause', () => {
  it('is undefined for no cause', () => {
    expect(safeCause(undefined)).toBeUndefined();
    expect(safeCause(null)).toBeUndefined();
  });

  it('keeps a rotator error as it is (it is safe by construction)', () => {
    const inner = new KeyVerificationFailedError('rejected');
    expect(safeCause(inner)).toBe(inner);
  });

  it('reduces an error to its name and message', () => {
    expect(safeCause(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
  });

  it('keeps an AWS SDK error code (Code) and HTTP status', () => {
    const sdk = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      Code: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    expect(safeCause(sdk)).toEqual({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      code: 'Throttling',
      status: 400,
    });
  });

  it('keeps a Node error code (code), and ignores codes and statuses that are not strings or numbers', () => {
    expect(safeCause(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toEqual({
      name: 'Error',
      message: 'refused',
      code: 'ECONNREFUSED',
    });
    expect(
      safeCause(Object.assign(new Error('x'), { code: 5, Code: {}, $metadata: { httpStatusCode: '500' } })),
    ).toEqual({ name: 'Error', message: 'x' });
  });

  it('prefers Code over code', () => {
    expect(safeCause(Object.assign(new Error('x'), { Code: 'A', code: 'B' }))).toMatchObject({ code: 'A' });
  });

  it('cuts a long message to 500 characters', () => {
    expect(safeCause(new Error('m'.repeat(600)))).toEqual({ name: 'Error', message: 'm'.repeat(500) });
  });

  it('reduces a thrown string to 500 characters and anything else to its type', () => {
    expect(safeCause('s'.repeat(600))).toEqual({ name: 'NonError', message: 's'.repeat(500) });
    expect(safeCause(42)).toEqual({ name: 'NonError', message: 'number' });
    expect(safeCause({ secret: 'x' })).toEqual({ name: 'NonError', message: 'object' });
  });
});

describe('Class: RotationError', () => {
  it('takes its name and code from its class, and freezes a copy of its context', () => {
    const context = { target: 'app' };
    const error = new ConnectionUsesOidcError('uses OIDC', { context });
    context.target = 'changed';

    expect(error.name).toBe('ConnectionUsesOidcError');
    expect(error.code).toBe('ConnectionUsesOidcError');
    expect(error.context).toEqual({ target: 'app' });
    expect(Object.isFrozen(error.context)).toBe(true);
    expect(error).toBeInstanceOf(RotationError);
  });

  it('has an empty context and no cause by default', () => {
    const error = new AwsThrottledError('slow');
    expect(error.context).toEqual({});
    expect(error.cause).toBeUndefined();
  });

  it('serialises to name, kind, message, context and its reduced cause chain', () => {
    const inner = new KeyVerificationFailedError('rejected', {
      context: { accessKeyId: 'AKIA1' },
      cause: new Error('sts said no'),
    });
    const outer = new ConnectionUsesOidcError('outer', { context: { target: 'app' }, cause: inner });

    expect(JSON.parse(JSON.stringify(outer))).toEqual({
      name: 'ConnectionUsesOidcError',
      kind: 'refusal',
      message: 'outer',
      context: { target: 'app' },
      cause: {
        name: 'KeyVerificationFailedError',
        kind: 'failure',
        message: 'rejected',
        context: { accessKeyId: 'AKIA1' },
        cause: { name: 'Error', message: 'sts said no' },
      },
    });
  });

  it('leaves the cause out of its JSON when there is none', () => {
    expect(Object.keys(new AwsThrottledError('slow').toJSON())).toEqual(['name', 'kind', 'message', 'context']);
  });
});

describe('Functions: isRefusal, isTransient', () => {
  it.each([
    [new ConnectionUsesOidcError('x'), true, false],
    [new AwsThrottledError('x'), false, true],
    [new KeyVerificationFailedError('x'), false, false],
    [Object.assign(new Error('x'), { kind: 'refusal' }), false, false],
    [{ kind: 'transient' }, false, false],
    [undefined, false, false],
  ])('%s: refusal %s, transient %s', (error, refusal, transient) => {
    expect(isRefusal(error)).toBe(refusal);
    expect(isTransient(error)).toBe(transient);
  });

  it('lists the transient names the state machine retries', () => {
    expect(TRANSIENT_ERROR_NAMES).toEqual(['AwsThrottledError', 'AzureDevOpsUnavailableError']);
    expect(ERROR_NAMES.ConnectionUsesOidc).toBe('ConnectionUsesOidcError');
  });
});

describe('Every error class: name, kind, retry and message', () => {
  // The name is the state machine's Retry/Catch contract; the kind decides retry, refusal or rollback.
  const table: Array<
    [string, new (message: string, options?: errors.RotationErrorOptions) => errors.RotationError, string]
  > = [
    ['InvalidStepInputError', errors.InvalidStepInputError, 'refusal'],
    ['ConfigurationError', errors.ConfigurationError, 'refusal'],
    ['UnknownTargetError', errors.UnknownTargetError, 'refusal'],
    ['ParameterNotFoundError', errors.ParameterNotFoundError, 'refusal'],
    ['IamUserNotFoundError', errors.IamUserNotFoundError, 'refusal'],
    ['AccessKeyNotFoundError', errors.AccessKeyNotFoundError, 'failure'],
    ['AccessKeyQuotaExceededError', errors.AccessKeyQuotaExceededError, 'failure'],
    ['AwsThrottledError', errors.AwsThrottledError, 'transient'],
    ['AwsAccessDeniedError', errors.AwsAccessDeniedError, 'failure'],
    ['AwsCallFailedError', errors.AwsCallFailedError, 'failure'],
    ['KeyNotYetUsableError', errors.KeyNotYetUsableError, 'transient'],
    ['KeyVerificationFailedError', errors.KeyVerificationFailedError, 'failure'],
    ['SecretNotFoundError', errors.SecretNotFoundError, 'refusal'],
    ['SecretMalformedError', errors.SecretMalformedError, 'refusal'],
    ['SecretHoldsUnknownKeyError', errors.SecretHoldsUnknownKeyError, 'refusal'],
    ['SecretVersionNotFoundError', errors.SecretVersionNotFoundError, 'failure'],
    ['SecretCreateDeniedError', errors.SecretCreateDeniedError, 'refusal'],
    ['ConnectionNotFoundError', errors.ConnectionNotFoundError, 'refusal'],
    ['ConnectionAmbiguousError', errors.ConnectionAmbiguousError, 'refusal'],
    ['ConnectionNotAwsError', errors.ConnectionNotAwsError, 'refusal'],
    ['ConnectionUsesOidcError', errors.ConnectionUsesOidcError, 'refusal'],
    ['HeldKeyUnknownError', errors.HeldKeyUnknownError, 'refusal'],
    ['HeldKeyInactiveError', errors.HeldKeyInactiveError, 'refusal'],
    ['ConnectionGoneError', errors.ConnectionGoneError, 'failure'],
    ['AzureDevOpsCredentialRejectedError', errors.AzureDevOpsCredentialRejectedError, 'refusal'],
    ['AzureDevOpsNotAuthorizedError', errors.AzureDevOpsNotAuthorizedError, 'refusal'],
    ['OutboundFederationDisabledError', errors.OutboundFederationDisabledError, 'refusal'],
    ['FederatedCredentialMismatchError', errors.FederatedCredentialMismatchError, 'refusal'],
    ['ServicePrincipalNotMemberError', errors.ServicePrincipalNotMemberError, 'refusal'],
    ['AzureDevOpsUnavailableError', errors.AzureDevOpsUnavailableError, 'transient'],
    ['AzureDevOpsRateLimitedError', errors.AzureDevOpsRateLimitedError, 'refusal'],
    ['AzureDevOpsResponseTooLargeError', errors.AzureDevOpsResponseTooLargeError, 'failure'],
    ['AzureDevOpsRequestError', errors.AzureDevOpsRequestError, 'failure'],
    ['PublishNotVerifiedError', errors.PublishNotVerifiedError, 'failure'],
    ['UnknownActiveKeyError', errors.UnknownActiveKeyError, 'refusal'],
    ['RetiredKeyInUseError', errors.RetiredKeyInUseError, 'refusal'],
    ['RotationInProgressError', errors.RotationInProgressError, 'refusal'],
    ['RollbackFailedError', errors.RollbackFailedError, 'failure'],
    ['StateConflictError', errors.StateConflictError, 'failure'],
    ['NotificationFailedError', errors.NotificationFailedError, 'failure'],
    ['VariableGroupNotFoundError', errors.VariableGroupNotFoundError, 'refusal'],
    ['VariableGroupAmbiguousError', errors.VariableGroupAmbiguousError, 'refusal'],
    ['VariableGroupUnsupportedError', errors.VariableGroupUnsupportedError, 'refusal'],
    ['VariableGroupGoneError', errors.VariableGroupGoneError, 'failure'],
    ['HoldersDisagreeError', errors.HoldersDisagreeError, 'refusal'],
    ['CanaryPipelineNotFoundError', errors.CanaryPipelineNotFoundError, 'refusal'],
    ['CanaryRunFailedError', errors.CanaryRunFailedError, 'failure'],
    ['CanaryRunTimedOutError', errors.CanaryRunTimedOutError, 'failure'],
    ['IamEntityNotFoundError', errors.IamEntityNotFoundError, 'refusal'],
    ['MigrationRefusedError', errors.MigrationRefusedError, 'refusal'],
  ];

  it.each(table)('%s is a %s', (name, ErrorClass, kind) => {
    // Prepare
    const message = 'connection "aws-web" of target web: re-run with --role ARN';
    // Act
    const error = new ErrorClass(message, { context: { target: 'web' } });
    // Assess
    expect([error.name, error.code, error.kind]).toEqual([name, name, kind]);
    expect(error.message).toBe(message);
    expect(error.toJSON()).toEqual({ name, kind, message, context: { target: 'web' } });
    expect(isTransient(error)).toBe(kind === 'transient');
    expect(isRefusal(error)).toBe(kind === 'refusal');
    expect(error).toBeInstanceOf(Error);
  });

  it('lists every class once, under its name less "Error", for the state machine', () => {
    // Prepare
    const exported = Object.values(errors).filter(
      (value) => typeof value === 'function' && value.prototype instanceof errors.RotationError,
    );
    // Assess
    expect(table.map(([, ErrorClass]) => ErrorClass)).toEqual(exported);
    expect(errors.ERROR_NAMES).toEqual(Object.fromEntries(table.map(([name]) => [name.replace(/Error$/, ''), name])));
  });
});

describe('Class: SecretValue (exact renderings)', () => {
  const secret = new SecretValue('s3cr3t');

  it('renders as [REDACTED] everywhere', () => {
    expect(String(secret)).toBe('[REDACTED]');
    expect(`${secret}`).toBe('[REDACTED]');
    expect(secret.toString()).toBe('[REDACTED]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[REDACTED]"}');
    expect(inspect(secret)).toBe('[REDACTED]');
  });

  it('throws a TypeError for anything but a non-empty string', () => {
    expect(() => new SecretValue(42 as unknown as string)).toThrow(
      new TypeError('SecretValue needs a non-empty string'),
    );
    expect(() => new SecretValue('')).toThrow(TypeError);
  });

  it('compares by value without revealing it', () => {
    expect(secret.equals(new SecretValue('s3cr3t'))).toBe(true);
    expect(secret.equals(new SecretValue('other'))).toBe(false);
    expect(secret.equals({ reveal: () => 's3cr3t' } as unknown as SecretValue)).toBe(false);
  });
});

describe('Function: maskKeyId (boundaries)', () => {
  it.each([
    ['', '****'],
    ['ABCD', '****'],
    ['ABCDE', '*BCDE'],
    ['AKIAABCDEFGHIJKLWXYZ', '****************WXYZ'],
  ])('masks %j as %j', (id, masked) => {
    expect(maskKeyId(id)).toBe(masked);
  });
});
