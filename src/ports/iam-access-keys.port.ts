import type { AccessKeyInfo, AccessKeyStatus, NewAccessKey } from '../domain/model.js';

/**
 * An IAM user's access keys.
 *
 * Errors: `IamUserNotFoundError` (user missing), `AccessKeyQuotaExceededError` (create with two
 * keys already, inactive ones count), `AwsThrottledError`, `AwsAccessDeniedError`, `AwsCallFailedError`.
 */
export interface IamAccessKeysPort {
  /** The user's keys, with status, creation and last-used dates. */
  listKeys(userName: string): Promise<AccessKeyInfo[]>;
  /** Creates a key. Fails fast with `AccessKeyQuotaExceededError` when the user has two. */
  createKey(userName: string): Promise<NewAccessKey>;
  /** Sets a key Active or Inactive. `AccessKeyNotFoundError` when the key is gone. */
  setKeyStatus(userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<void>;
  /** Deletes a key. Deleting a key that is already gone succeeds (idempotent). */
  deleteKey(userName: string, accessKeyId: string): Promise<void>;
}
