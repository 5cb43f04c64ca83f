// Over 300 lines on purpose: every error class in one module, their names being the state machine's Retry/Catch
// contract (ERROR_NAMES); one place to read them all.
/**
 * Every error the rotator raises, in one place.
 *
 * The class `name` is part of the state machine's contract: `Retry` and `Catch` match on it
 * (see `ERROR_NAMES` and infra/). Rename one and the deployed state machine stops matching it.
 *
 * Rules: a message says which target/connection/field is affected and what to do; `context`
 * holds only identifiers (never a secret: its values are primitives, and `SecretValue`
 * renders as `[REDACTED]` anyway); `cause` keeps the underlying error for the logs, reduced
 * to its name, code and message by `safeCause` so a third-party error cannot smuggle a
 * request body into a log line.
 */

/** Identifiers only: target names, key ids, version ids, URLs without credentials. */
export type SafeContext = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** How the state machine and the runner treat an error. */
export type ErrorKind =
  /** Retry with backoff: the same call may succeed later. */
  | 'transient'
  /** The target cannot be rotated as it is; nothing was changed; a human must act. */
  | 'refusal'
  /** A step failed; roll back. */
  | 'failure';

export interface RotationErrorOptions {
  context?: SafeContext;
  cause?: unknown;
}

/** A cause reduced to what is safe to log: its name, code, HTTP status and message. */
export interface SafeCause {
  name: string;
  message: string;
  code?: string;
  status?: number;
}

const MAX_CAUSE_MESSAGE = 500;

/** Reduces any thrown value to a `SafeCause` (or keeps a `RotationError`, which is safe by construction). */
export function safeCause(cause: unknown): SafeCause | RotationError | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof RotationError) return cause;
  if (cause instanceof Error) {
    const withMeta = cause as Error & { Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } };
    const code =
      typeof withMeta.Code === 'string' ? withMeta.Code : typeof withMeta.code === 'string' ? withMeta.code : undefined;
    const status = withMeta.$metadata?.httpStatusCode;
    return {
      name: cause.name,
      message: cause.message.slice(0, MAX_CAUSE_MESSAGE),
      ...(code ? { code } : {}),
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { name: 'NonError', message: typeof cause === 'string' ? cause.slice(0, MAX_CAUSE_MESSAGE) : typeof cause };
}

/** Base class of every rotator error. */
export abstract class RotationError extends Error {
  abstract readonly kind: ErrorKind;
  readonly context: SafeContext;
  override readonly cause: SafeCause | RotationError | undefined;

  constructor(message: string, options: RotationErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.context = Object.freeze({ ...(options.context ?? {}) });
    this.cause = safeCause(options.cause);
  }

  /** A stable code for reports and metrics: the class name. */
  get code(): string {
    return this.name;
  }

  toJSON(): { name: string; kind: ErrorKind; message: string; context: SafeContext; cause?: unknown } {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      context: this.context,
      ...(this.cause ? { cause: this.cause instanceof RotationError ? this.cause.toJSON() : this.cause } : {}),
    };
  }
}

abstract class TransientError extends RotationError {
  readonly kind = 'transient' as const;
}
abstract class RefusalError extends RotationError {
  readonly kind = 'refusal' as const;
}
abstract class FailureError extends RotationError {
  readonly kind = 'failure' as const;
}

// ---------------------------------------------------------------- input and configuration

/** A step's input is missing a field, has a wrong type, or carries a field that must never travel. */
export class InvalidStepInputError extends RefusalError {}
/** The rotation configuration is invalid; the message names the field. */
export class ConfigurationError extends RefusalError {}
/** The named target is not in the configuration. */
export class UnknownTargetError extends RefusalError {}
/** A required SSM parameter (PAT, webhook URL) does not exist or cannot be read. */
export class ParameterNotFoundError extends RefusalError {}

// ---------------------------------------------------------------- IAM

/** The IAM user of a target does not exist. */
export class IamUserNotFoundError extends RefusalError {}
/** An access key expected to exist is gone. */
export class AccessKeyNotFoundError extends FailureError {}
/** IAM refused a new key: the user already has two (inactive keys count). */
export class AccessKeyQuotaExceededError extends FailureError {}
/** AWS throttled the call; retry with backoff. */
export class AwsThrottledError extends TransientError {}
/** The rotator's role is not allowed to make an AWS call. */
export class AwsAccessDeniedError extends FailureError {}
/** An AWS call failed for another reason (network, 5xx after retries, unexpected answer). */
export class AwsCallFailedError extends FailureError {}

// ---------------------------------------------------------------- key verification

/** The new key is not usable yet (IAM propagation takes seconds); retry with backoff. */
export class KeyNotYetUsableError extends TransientError {}
/** The new key was rejected, or authenticates as another identity. */
export class KeyVerificationFailedError extends FailureError {}

// ---------------------------------------------------------------- Secrets Manager

/** The target's secret does not exist (and could not be created). */
export class SecretNotFoundError extends RefusalError {}
/** The secret's value is not the JSON the rotator writes. */
export class SecretMalformedError extends RefusalError {}
/** The secret's current value holds an access key id that IAM does not know for this user. */
export class SecretHoldsUnknownKeyError extends RefusalError {}
/** A secret version the step expected is gone. */
export class SecretVersionNotFoundError extends FailureError {}
/** The caller may not create the missing secret. */
export class SecretCreateDeniedError extends RefusalError {}

// ---------------------------------------------------------------- Azure DevOps

/** No service connection of that name in that project. */
export class ConnectionNotFoundError extends RefusalError {}
/** More than one service connection matches the name. */
export class ConnectionAmbiguousError extends RefusalError {}
/** The service connection is not of type `AWS`. */
export class ConnectionNotAwsError extends RefusalError {}
/** The connection uses OIDC: it holds no static key, so there is nothing to rotate. */
export class ConnectionUsesOidcError extends RefusalError {}
/** The connection holds an access key id that is not one of the IAM user's keys. */
export class HeldKeyUnknownError extends RefusalError {}
/** The connection holds an inactive key: its pipelines are already broken. */
export class HeldKeyInactiveError extends RefusalError {}
/** The connection was found earlier but is gone now (404 on read or update). */
export class ConnectionGoneError extends FailureError {}
/** Azure DevOps rejected the credential (203 sign-in page, redirect, non-JSON answer): expired or wrong PAT. */
export class AzureDevOpsCredentialRejectedError extends RefusalError {}
/** Azure DevOps answered 401/403: the credential lacks the scope or the permission on the connection. */
export class AzureDevOpsNotAuthorizedError extends RefusalError {}
/**
 * Federated credential: AWS outbound identity federation is not enabled in the account (STS refuses
 * GetWebIdentityToken).
 */
export class OutboundFederationDisabledError extends RefusalError {}
/**
 * Federated credential: Entra found no federated identity credential matching the token's issuer, subject and audience.
 */
export class FederatedCredentialMismatchError extends RefusalError {}
/** Federated credential: the app's service principal is not a member of the Azure DevOps organization (TF400813). */
export class ServicePrincipalNotMemberError extends RefusalError {}
/** Azure DevOps is rate limiting or unavailable (429/503/5xx/timeout) after bounded retries. */
export class AzureDevOpsUnavailableError extends TransientError {}
/**
 * Azure DevOps blocks the rotator's identity (429, TF400733) or delays it for longer than the call's
 * budget: nothing was sent after the block. Not retried within the step (its retries would be
 * blocked too and add to the identity's usage); a rollback waits for the block to pass on its own
 * retry rule (RATE_LIMITED_RETRY).
 */
export class AzureDevOpsRateLimitedError extends RefusalError {}
/** An Azure DevOps answer larger than the client reads (`maxResponseBytes`): not read on, an error naming the call. */
export class AzureDevOpsResponseTooLargeError extends FailureError {}
/** Azure DevOps answered with an unexpected status or body. */
export class AzureDevOpsRequestError extends FailureError {}
/** After the update the connection does not hold the new access key id. */
export class PublishNotVerifiedError extends FailureError {}

// ---------------------------------------------------------------- lifecycle

/** The user's keys are in a state the rotator will not touch (e.g. an active key nobody holds that has been used). */
export class UnknownActiveKeyError extends RefusalError {}
/**
 * A retired key was reactivated or used after it was retired: it is kept (not ours to delete) and the rotation waits
 * for a person.
 */
export class RetiredKeyInUseError extends RefusalError {}
/** Another rotation of the same target is in progress (its pending secret version exists). */
export class RotationInProgressError extends RefusalError {}
/** A rollback could not restore a consistent state; the message says what is left. */
export class RollbackFailedError extends FailureError {}
/** A step was called with state that contradicts what the ports report (e.g. resumed after someone changed things). */
export class StateConflictError extends FailureError {}
/** The Slack webhook (or another notifier) failed; never fails a rotation. */
export class NotificationFailedError extends FailureError {}

// ---------------------------------------------------------------- holders and canary (issue 13)

/** No variable group of that name in that project. */
export class VariableGroupNotFoundError extends RefusalError {}
/** More than one variable group has the name. */
export class VariableGroupAmbiguousError extends RefusalError {}
/** The group cannot hold a rotated key as configured: Key Vault-linked, a variable missing or not secret. */
export class VariableGroupUnsupportedError extends RefusalError {}
/** The variable group was found earlier but is gone now. */
export class VariableGroupGoneError extends FailureError {}
/** The holders of a target disagree about which key they hold. */
export class HoldersDisagreeError extends RefusalError {}
/** The canary pipeline does not exist or cannot be read. */
export class CanaryPipelineNotFoundError extends RefusalError {}
/** The canary run failed, was cancelled or did not finish in time: the new key does not work where it is used. */
export class CanaryRunFailedError extends FailureError {}
/** The canary run did not complete within its budget: rolled back like a failed run. */
export class CanaryRunTimedOutError extends FailureError {}
// ---------------------------------------------------------------- going keyless (discover, migrate-to-oidc)

/** An IAM entity named by id or name (an access key id, an OIDC provider, a role) does not exist. */
export class IamEntityNotFoundError extends RefusalError {}
/**
 * A connection cannot move to OIDC as it is (Azure DevOps Server, externalId, permissions that cannot be copied...).
 */
export class MigrationRefusedError extends RefusalError {}

/** The names the state machine matches on. Generated from the classes so they cannot drift. */
export const ERROR_NAMES = {
  InvalidStepInput: InvalidStepInputError.name,
  Configuration: ConfigurationError.name,
  UnknownTarget: UnknownTargetError.name,
  ParameterNotFound: ParameterNotFoundError.name,
  IamUserNotFound: IamUserNotFoundError.name,
  AccessKeyNotFound: AccessKeyNotFoundError.name,
  AccessKeyQuotaExceeded: AccessKeyQuotaExceededError.name,
  AwsThrottled: AwsThrottledError.name,
  AwsAccessDenied: AwsAccessDeniedError.name,
  AwsCallFailed: AwsCallFailedError.name,
  KeyNotYetUsable: KeyNotYetUsableError.name,
  KeyVerificationFailed: KeyVerificationFailedError.name,
  SecretNotFound: SecretNotFoundError.name,
  SecretMalformed: SecretMalformedError.name,
  SecretHoldsUnknownKey: SecretHoldsUnknownKeyError.name,
  SecretVersionNotFound: SecretVersionNotFoundError.name,
  SecretCreateDenied: SecretCreateDeniedError.name,
  ConnectionNotFound: ConnectionNotFoundError.name,
  ConnectionAmbiguous: ConnectionAmbiguousError.name,
  ConnectionNotAws: ConnectionNotAwsError.name,
  ConnectionUsesOidc: ConnectionUsesOidcError.name,
  HeldKeyUnknown: HeldKeyUnknownError.name,
  HeldKeyInactive: HeldKeyInactiveError.name,
  ConnectionGone: ConnectionGoneError.name,
  AzureDevOpsCredentialRejected: AzureDevOpsCredentialRejectedError.name,
  AzureDevOpsNotAuthorized: AzureDevOpsNotAuthorizedError.name,
  OutboundFederationDisabled: OutboundFederationDisabledError.name,
  FederatedCredentialMismatch: FederatedCredentialMismatchError.name,
  ServicePrincipalNotMember: ServicePrincipalNotMemberError.name,
  AzureDevOpsUnavailable: AzureDevOpsUnavailableError.name,
  AzureDevOpsRequest: AzureDevOpsRequestError.name,
  AzureDevOpsRateLimited: AzureDevOpsRateLimitedError.name,
  AzureDevOpsResponseTooLarge: AzureDevOpsResponseTooLargeError.name,
  PublishNotVerified: PublishNotVerifiedError.name,
  UnknownActiveKey: UnknownActiveKeyError.name,
  RetiredKeyInUse: RetiredKeyInUseError.name,
  RotationInProgress: RotationInProgressError.name,
  RollbackFailed: RollbackFailedError.name,
  StateConflict: StateConflictError.name,
  NotificationFailed: NotificationFailedError.name,
  VariableGroupNotFound: VariableGroupNotFoundError.name,
  VariableGroupAmbiguous: VariableGroupAmbiguousError.name,
  VariableGroupUnsupported: VariableGroupUnsupportedError.name,
  VariableGroupGone: VariableGroupGoneError.name,
  HoldersDisagree: HoldersDisagreeError.name,
  CanaryPipelineNotFound: CanaryPipelineNotFoundError.name,
  CanaryRunFailed: CanaryRunFailedError.name,
  CanaryRunTimedOut: CanaryRunTimedOutError.name,
  IamEntityNotFound: IamEntityNotFoundError.name,
  MigrationRefused: MigrationRefusedError.name,
} as const;

/** Errors worth retrying inside a step (the state machine's `Retry` list). */
export const TRANSIENT_ERROR_NAMES = [ERROR_NAMES.AwsThrottled, ERROR_NAMES.AzureDevOpsUnavailable] as const;

/** True for errors that mean "nothing was changed, a human must act" rather than "roll back". */
export function isRefusal(error: unknown): error is RotationError {
  return error instanceof RotationError && error.kind === 'refusal';
}

/** True for errors worth retrying. */
export function isTransient(error: unknown): error is RotationError {
  return error instanceof RotationError && error.kind === 'transient';
}
