import type { SecretLocation } from '../domain/accounts.js';
import type { SecretState, StoredCredential } from '../domain/model.js';

/**
 * The target's secret, following the Secrets Manager rotation protocol
 * (versions labelled `AWSCURRENT`, `AWSPENDING`, `AWSPREVIOUS`).
 *
 * The value of a version is JSON `{ accessKeyId, secretAccessKey, iamUserName, createdAt }`.
 * Errors: `SecretNotFoundError`, `SecretMalformedError`, `SecretVersionNotFoundError`,
 * `SecretCreateDeniedError`, `AwsThrottledError`, `AwsAccessDeniedError`, `AwsCallFailedError`.
 * `secret` names the secret and, when it lives in another account, the role to reach it through.
 */
export interface SecretStorePort {
  /** Which versions carry which label, and the key id each holds. `exists: false` when there is no secret. */
  describe(secret: SecretLocation): Promise<SecretState>;
  /**
   * Stores a credential as the `AWSPENDING` version with `versionId` as the idempotency token
   * (`ClientRequestToken`): a retry with the same id writes nothing new. Creates the secret when missing.
   * Returns the version id (equal to `versionId`).
   */
  putPending(secret: SecretLocation, versionId: string, credential: StoredCredential): Promise<string>;
  /** Reads one version's credential. */
  getVersion(secret: SecretLocation, versionId: string): Promise<StoredCredential>;
  /**
   * Moves `AWSCURRENT` to `versionId` (the old current becomes `AWSPREVIOUS`) and drops `AWSPENDING` from it. No-op
   * when done.
   */
  promote(secret: SecretLocation, versionId: string): Promise<void>;
  /** Removes the `AWSPENDING` label from `versionId` (rollback). No-op when it has none. */
  dropPending(secret: SecretLocation, versionId: string): Promise<void>;
}
