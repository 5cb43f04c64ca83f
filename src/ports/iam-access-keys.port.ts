import type { IamUser } from '../domain/accounts.js';
import type { AccessKeyInfo, AccessKeyStatus, NewAccessKey } from '../domain/model.js';

/**
 * An IAM user's access keys.
 *
 * Errors: `IamUserNotFoundError` (user missing), `AccessKeyQuotaExceededError` (create with two
 * keys already, inactive ones count), `AwsThrottledError`, `AwsAccessDeniedError`, `AwsCallFailedError`.
 * `user` names the user and, for a user in another account, the role to reach it through (src/domain/accounts.ts).
 */
export interface IamAccessKeysPort {
  /** The user's keys, with status, creation and last-used dates. */
  listKeys(user: IamUser): Promise<AccessKeyInfo[]>;
  /** Creates a key. Fails fast with `AccessKeyQuotaExceededError` when the user has two. */
  createKey(user: IamUser): Promise<NewAccessKey>;
  /** Sets a key Active or Inactive. `AccessKeyNotFoundError` when the key is gone. */
  setKeyStatus(user: IamUser, accessKeyId: string, status: AccessKeyStatus): Promise<void>;
  /** Deletes a key. Deleting a key that is already gone succeeds (idempotent). */
  deleteKey(user: IamUser, accessKeyId: string): Promise<void>;
}
