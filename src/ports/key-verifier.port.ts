import type { AccessKeyCredential } from '../domain/model.js';

/**
 * Proves that a key authenticates as the expected IAM user, using that key alone.
 *
 * Throws `KeyNotYetUsableError` while the key propagates (retryable) and
 * `KeyVerificationFailedError` when it is rejected or authenticates as someone else.
 */
export interface KeyVerifierPort {
  verify(userName: string, credential: AccessKeyCredential): Promise<void>;
}
