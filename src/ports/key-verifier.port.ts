import type { IamUser } from '../domain/accounts.js';
import type { AccessKeyCredential } from '../domain/model.js';

/**
 * Proves that a key authenticates as the expected IAM user, using that key alone.
 *
 * Throws `KeyNotYetUsableError` while the key propagates (retryable) and
 * `KeyVerificationFailedError` when it is rejected or authenticates as someone else (another name, path or
 * account than `user` says).
 */
export interface KeyVerifierPort {
  verify(user: IamUser, credential: AccessKeyCredential): Promise<void>;
}
