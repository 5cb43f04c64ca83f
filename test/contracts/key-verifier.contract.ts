/**
 * The behaviour every `KeyVerifierPort` must have, run against the fake (over FakeIam) and the
 * STS adapter (over the STS wire stub).
 *
 * Not in the contract: a key that is wrong or deleted. STS answers it InvalidClientTokenId or
 * SignatureDoesNotMatch, the same codes as a key still propagating, so the adapter can only say
 * "not yet usable" (the state machine's bounded retries end it); the fake says "failed" at once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { KeyNotYetUsableError, KeyVerificationFailedError } from '../../src/domain/errors.js';
import type { AccessKeyCredential } from '../../src/domain/model.js';
import type { KeyVerifierPort } from '../../src/ports/key-verifier.port.js';

export interface KeyVerifierHarness {
  port: KeyVerifierPort;
  /** A key of `userName` that authenticates now. */
  usableKey(userName: string): AccessKeyCredential | Promise<AccessKeyCredential>;
  /** A new key of `userName` that IAM is still propagating. */
  propagatingKey(userName: string): AccessKeyCredential | Promise<AccessKeyCredential>;
  /** Lets IAM finish propagating every key. */
  finishPropagation(): void;
}

const USER = 'app-deployer';

export function keyVerifierContract(
  label: string,
  makeHarness: () => KeyVerifierHarness | Promise<KeyVerifierHarness>,
): void {
  describe(`KeyVerifierPort contract: ${label}`, () => {
    let harness: KeyVerifierHarness;

    beforeEach(async () => {
      harness = await makeHarness();
    });

    it('resolves for a key that authenticates as the user', async () => {
      const key = await harness.usableKey(USER);

      await expect(harness.port.verify(USER, key)).resolves.toBeUndefined();
    });

    it('throws KeyNotYetUsableError while the key propagates, and resolves once it has', async () => {
      // Arrange
      const key = await harness.propagatingKey(USER);

      // Act
      const early = await harness.port.verify(USER, key).catch((e: unknown) => e);
      harness.finishPropagation();
      const later = harness.port.verify(USER, key);

      // Assert
      expect(early).toBeInstanceOf(KeyNotYetUsableError);
      expect((early as Error).message).toContain(key.accessKeyId);
      await expect(later).resolves.toBeUndefined();
    });

    it('throws KeyVerificationFailedError naming the user when the key authenticates as another user', async () => {
      // Arrange
      const key = await harness.usableKey('someone-else');

      // Act
      const error = await harness.port.verify(USER, key).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(KeyVerificationFailedError);
      expect((error as Error).message).toContain(`not as IAM user ${USER}`);
      expect((error as Error).message).toContain('someone-else');
    });
  });
}
