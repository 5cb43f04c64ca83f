/**
 * The behaviour every `SecretStorePort` must have (the Secrets Manager rotation protocol as the
 * use cases rely on it), run against the in-memory fake and against the adapter over the
 * stateful Secrets Manager wire stub, so that sequences (seed, put pending twice, promote, roll
 * back...) hold for both.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  SecretMalformedError,
  SecretNotFoundError,
  SecretVersionNotFoundError,
  StateConflictError,
} from '../../src/domain/errors.js';
import type { SecretState, StoredCredential } from '../../src/domain/model.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { SecretStorePort } from '../../src/ports/secret-store.port.js';

export interface SecretStoreHarness {
  port: SecretStorePort;
  /** Creates the secret with one `AWSCURRENT` version holding the credential; returns its version id. */
  seed(secretId: string, credential: { accessKeyId: string; secretAccessKey: string; iamUserName: string }): string;
  /** Creates the secret with one `AWSCURRENT` version holding any string. */
  seedRaw(secretId: string, value: string): string;
}

const SECRET = 'rotator/app-prod/aws-key';
const USER = 'app-deployer';
const OLD = {
  accessKeyId: 'AKIAOLDKEY0000000001',
  secretAccessKey: 'old/key/secret/00000000000000000000000000',
  iamUserName: USER,
};
const V1 = '11111111-1111-4111-8111-111111111111';
const V2 = '22222222-2222-4222-8222-222222222222';

const credential = (accessKeyId: string, secret: string): StoredCredential => ({
  accessKeyId,
  secretAccessKey: new SecretValue(secret),
  iamUserName: USER,
  createdAt: new Date('2026-11-29T03:00:00.000Z'),
});
const NEW = credential('AKIANEWKEY0000000001', 'new/key/secret/0000000000000000000000000');
const NEXT = credential('AKIANEXTKEY000000001', 'next/key/secret/000000000000000000000000');

/** The state without the dates (which come from the backend's clock). */
const shape = (state: SecretState) => ({
  exists: state.exists,
  current: state.current && { versionId: state.current.versionId, accessKeyId: state.current.accessKeyId },
  pending: state.pending && { versionId: state.pending.versionId, accessKeyId: state.pending.accessKeyId },
  previous: state.previous && { versionId: state.previous.versionId, accessKeyId: state.previous.accessKeyId },
});

export function secretStoreContract(
  label: string,
  makeHarness: () => SecretStoreHarness | Promise<SecretStoreHarness>,
): void {
  describe(`SecretStorePort contract: ${label}`, () => {
    let harness: SecretStoreHarness;
    let port: SecretStorePort;
    const state = async () => shape(await port.describe(SECRET));

    beforeEach(async () => {
      harness = await makeHarness();
      port = harness.port;
    });

    describe('describe', () => {
      it('reports a missing secret as exists: false', async () => {
        expect(await port.describe(SECRET)).toEqual({ exists: false, current: null, pending: null, previous: null });
      });

      it('reports the current version with its key id and creation date', async () => {
        // Arrange
        const old = harness.seed(SECRET, OLD);

        // Act
        const described = await port.describe(SECRET);

        // Assert
        expect(described).toEqual({
          exists: true,
          current: { versionId: old, accessKeyId: OLD.accessKeyId, createdAt: expect.any(Date) },
          pending: null,
          previous: null,
        });
      });

      it(
        'throws SecretMalformedError naming the secret and the JSON it must hold, never quoting ' + 'the value',
        async () => {
          // Arrange
          harness.seedRaw(SECRET, 'CANARY-not-json-value');

          // Act
          const error = await port.describe(SECRET).catch((e: unknown) => e);

          // Assert
          expect(error).toBeInstanceOf(SecretMalformedError);
          expect((error as Error).message).toContain(SECRET);
          expect((error as Error).message).toContain('accessKeyId');
          expect((error as Error).message).toContain('secretAccessKey');
          expect(JSON.stringify(error)).not.toContain('CANARY');
        },
      );
    });

    describe('putPending', () => {
      it(
        'stores the credential as the pending version, with the version id given, and leaves the ' + 'current one',
        async () => {
          // Arrange
          const old = harness.seed(SECRET, OLD);

          // Act
          const versionId = await port.putPending(SECRET, V1, NEW);

          // Assert
          expect(versionId).toBe(V1);
          expect(await state()).toEqual({
            exists: true,
            current: { versionId: old, accessKeyId: OLD.accessKeyId },
            pending: { versionId: V1, accessKeyId: NEW.accessKeyId },
            previous: null,
          });
        },
      );

      it('writes nothing new when retried with the same version id', async () => {
        // Arrange
        harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);
        const before = await state();

        // Act
        const versionId = await port.putPending(SECRET, V1, NEW);

        // Assert
        expect(versionId).toBe(V1);
        expect(await state()).toEqual(before);
      });

      it('throws StateConflictError when the version id already holds another key, and changes nothing', async () => {
        // Arrange
        harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);
        const before = await state();

        // Act
        const error = await port.putPending(SECRET, V1, NEXT).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(StateConflictError);
        expect(await state()).toEqual(before);
        expect((await port.getVersion(SECRET, V1)).accessKeyId).toBe(NEW.accessKeyId);
      });

      it('moves the pending label when another version is put pending', async () => {
        // Arrange
        harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);

        // Act
        await port.putPending(SECRET, V2, NEXT);

        // Assert
        expect((await state()).pending).toEqual({ versionId: V2, accessKeyId: NEXT.accessKeyId });
      });

      it('creates a missing secret, holding the new version as pending and nothing current', async () => {
        // Act
        await port.putPending(SECRET, V1, NEW);

        // Assert
        expect(await state()).toEqual({
          exists: true,
          current: null,
          pending: { versionId: V1, accessKeyId: NEW.accessKeyId },
          previous: null,
        });
      });
    });

    describe('getVersion', () => {
      it('returns the whole credential a version holds', async () => {
        // Arrange
        harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);

        // Act
        const stored = await port.getVersion(SECRET, V1);

        // Assert
        expect(stored.accessKeyId).toBe(NEW.accessKeyId);
        expect(stored.secretAccessKey.equals(NEW.secretAccessKey)).toBe(true);
        expect(stored.iamUserName).toBe(USER);
        expect(stored.createdAt).toEqual(NEW.createdAt);
      });

      it('throws SecretVersionNotFoundError for a version the secret does not have', async () => {
        harness.seed(SECRET, OLD);

        await expect(port.getVersion(SECRET, V1)).rejects.toBeInstanceOf(SecretVersionNotFoundError);
      });

      it('throws SecretNotFoundError when there is no secret', async () => {
        await expect(port.getVersion(SECRET, V1)).rejects.toBeInstanceOf(SecretNotFoundError);
      });
    });

    describe('promote', () => {
      it('makes the pending version current and the old current one previous', async () => {
        // Arrange
        const old = harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);

        // Act
        await port.promote(SECRET, V1);

        // Assert
        expect(await state()).toEqual({
          exists: true,
          current: { versionId: V1, accessKeyId: NEW.accessKeyId },
          pending: null,
          previous: { versionId: old, accessKeyId: OLD.accessKeyId },
        });
      });

      it('changes nothing when the version is already current', async () => {
        // Arrange
        harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);
        await port.promote(SECRET, V1);
        const before = await state();

        // Act
        await port.promote(SECRET, V1);

        // Assert
        expect(await state()).toEqual(before);
      });

      it('moves current back to the previous version (a rollback after promote)', async () => {
        // Arrange
        const old = harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);
        await port.promote(SECRET, V1);

        // Act
        await port.promote(SECRET, old);

        // Assert
        expect(await state()).toEqual({
          exists: true,
          current: { versionId: old, accessKeyId: OLD.accessKeyId },
          pending: null,
          previous: { versionId: V1, accessKeyId: NEW.accessKeyId },
        });
      });

      it('makes the first version of a secret it created current, with nothing previous', async () => {
        // Arrange
        await port.putPending(SECRET, V1, NEW);

        // Act
        await port.promote(SECRET, V1);

        // Assert
        expect(await state()).toEqual({
          exists: true,
          current: { versionId: V1, accessKeyId: NEW.accessKeyId },
          pending: null,
          previous: null,
        });
      });

      it('throws SecretNotFoundError when there is no secret', async () => {
        await expect(port.promote(SECRET, V1)).rejects.toBeInstanceOf(SecretNotFoundError);
      });

      it('throws SecretVersionNotFoundError for a version the secret does not have, and changes nothing', async () => {
        // Arrange
        harness.seed(SECRET, OLD);
        const before = await state();

        // Act
        const error = await port.promote(SECRET, V1).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(SecretVersionNotFoundError);
        expect(await state()).toEqual(before);
      });
    });

    describe('dropPending', () => {
      it('removes the pending label, leaves current alone, and keeps the version readable', async () => {
        // Arrange
        const old = harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);

        // Act
        await port.dropPending(SECRET, V1);

        // Assert
        expect(await state()).toEqual({
          exists: true,
          current: { versionId: old, accessKeyId: OLD.accessKeyId },
          pending: null,
          previous: null,
        });
        expect((await port.getVersion(SECRET, V1)).accessKeyId).toBe(NEW.accessKeyId);
      });

      it('changes nothing when retried, or when the version is not pending', async () => {
        // Arrange
        const old = harness.seed(SECRET, OLD);
        await port.putPending(SECRET, V1, NEW);
        await port.dropPending(SECRET, V1);
        const before = await state();

        // Act
        await port.dropPending(SECRET, V1);
        await port.dropPending(SECRET, old);

        // Assert
        expect(await state()).toEqual(before);
      });

      it('leaves a secret created by a rolled-back first rotation with nothing current', async () => {
        // Arrange
        await port.putPending(SECRET, V1, NEW);

        // Act
        await port.dropPending(SECRET, V1);

        // Assert
        expect(await state()).toEqual({ exists: true, current: null, pending: null, previous: null });
      });

      it('throws SecretNotFoundError when there is no secret', async () => {
        await expect(port.dropPending(SECRET, V1)).rejects.toBeInstanceOf(SecretNotFoundError);
      });
    });

    describe('a rotation sequence', () => {
      it(
        'seed, put pending (twice), promote, then a second rotation: the first key ends previous, the seed ' +
          'unlabelled',
        async () => {
          // Arrange
          harness.seed(SECRET, OLD);

          // Act
          await port.putPending(SECRET, V1, NEW);
          await port.putPending(SECRET, V1, NEW);
          await port.promote(SECRET, V1);
          await port.putPending(SECRET, V2, NEXT);
          const midway = await state();
          await port.promote(SECRET, V2);

          // Assert
          expect(midway).toEqual({
            exists: true,
            current: { versionId: V1, accessKeyId: NEW.accessKeyId },
            pending: { versionId: V2, accessKeyId: NEXT.accessKeyId },
            previous: expect.objectContaining({ accessKeyId: OLD.accessKeyId }),
          });
          expect(await state()).toEqual({
            exists: true,
            current: { versionId: V2, accessKeyId: NEXT.accessKeyId },
            pending: null,
            previous: { versionId: V1, accessKeyId: NEW.accessKeyId },
          });
        },
      );

      it('a first rotation rolled back, then run again, ends with the second key current', async () => {
        // Arrange: the first attempt created the secret and was rolled back.
        await port.putPending(SECRET, V1, NEW);
        await port.dropPending(SECRET, V1);

        // Act
        await port.putPending(SECRET, V2, NEXT);
        const pending = await state();
        await port.promote(SECRET, V2);

        // Assert
        expect(pending).toEqual({
          exists: true,
          current: null,
          pending: { versionId: V2, accessKeyId: NEXT.accessKeyId },
          previous: null,
        });
        expect(await state()).toEqual({
          exists: true,
          current: { versionId: V2, accessKeyId: NEXT.accessKeyId },
          pending: null,
          previous: null,
        });
      });
    });
  });
}
