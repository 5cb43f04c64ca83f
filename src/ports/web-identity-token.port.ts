import type { SecretValue } from '../domain/secret-value.js';

/** A signed JWT that proves the caller's AWS identity to an outside party. Short-lived, and a secret while it lives. */
export interface WebIdentityToken {
  token: SecretValue;
  expiresAt: Date;
}

/**
 * AWS outbound identity federation (`sts:GetWebIdentityToken`): the Lambda's own role, as a JWT
 * whose `iss` is the account's issuer URL and whose `sub` is the role's ARN.
 *
 * Errors: `OutboundFederationDisabledError` (not enabled in the account), `AwsAccessDeniedError`
 * (the role may not ask for that audience), `AwsThrottledError`, `AwsCallFailedError`.
 */
export interface WebIdentityTokenPort {
  /** A token for `audience`, valid for `durationSeconds` (60 to 3600). */
  getToken(audience: string, durationSeconds: number): Promise<WebIdentityToken>;
}
