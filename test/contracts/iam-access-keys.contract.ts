/**
 * The behaviour every `IamAccessKeysPort` must have, as a reusable suite, run against the
 * in-memory fake and against the adapter over the IAM wire stub (test/adapters/aws/port-contracts.test.ts),
 * so the fake the domain tests rely on cannot drift from what the adapter does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AccessKeyNotFoundError, AccessKeyQuotaExceededError, IamUserNotFoundError } from '../../src/domain/errors.js';
import type { AccessKeyInfo, AccessKeyStatus } from '../../src/domain/model.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { IamAccessKeysPort } from '../../src/ports/iam-access-keys.port.js';

export interface IamAccessKeysHarness {
  port: IamAccessKeysPort;
  addUser(userName: string): void;
  seedKey(
    userName: string,
    options: {
      status?: AccessKeyStatus;
      createdAt?: Date;
      lastUsedAt?: Date | null;
      lastUsedWhere?: { service: string; region: string };
    },
  ): { accessKeyId: string };
  /** What the backend holds, for assertions. */
  keys(userName: string): AccessKeyInfo[];
}

const USER = 'app-deployer';
// Whole seconds: IAM keeps dates to the second.
const CREATED = new Date('2026-10-01T08:00:00Z');
const USED = new Date('2026-11-20T12:30:00Z');

export function iamAccessKeysContract(
  label: string,
  makeHarness: () => IamAccessKeysHarness | Promise<IamAccessKeysHarness>,
): void {
  describe(`IamAccessKeysPort contract: ${label}`, () => {
    let harness: IamAccessKeysHarness;

    beforeEach(async () => {
      harness = await makeHarness();
      harness.addUser(USER);
    });

    describe('listKeys', () => {
      it('returns no keys for a user without any', async () => {
        expect(await harness.port.listKeys(USER)).toEqual([]);
      });

      it('returns every key with its status, creation date and last use (null when never used)', async () => {
        // Arrange
        const used = harness.seedKey(USER, {
          createdAt: CREATED,
          lastUsedAt: USED,
          lastUsedWhere: { service: 'sts', region: 'eu-west-1' },
        });
        const unused = harness.seedKey(USER, { status: 'Inactive', createdAt: CREATED, lastUsedAt: null });

        // Act
        const keys = await harness.port.listKeys(USER);

        // Assert
        expect(keys).toEqual([
          {
            accessKeyId: used.accessKeyId,
            status: 'Active',
            createdAt: CREATED,
            lastUsedAt: USED,
            lastUsedService: 'sts',
            lastUsedRegion: 'eu-west-1',
          },
          { accessKeyId: unused.accessKeyId, status: 'Inactive', createdAt: CREATED, lastUsedAt: null },
        ]);
      });

      it('throws IamUserNotFoundError naming a user that does not exist', async () => {
        const error = await harness.port.listKeys('nobody').catch((e: unknown) => e);

        expect(error).toBeInstanceOf(IamUserNotFoundError);
        expect((error as Error).message).toContain('nobody');
      });
    });

    describe('createKey', () => {
      it('creates an active, never-used key and returns its secret as a SecretValue', async () => {
        // Act
        const key = await harness.port.createKey(USER);

        // Assert
        expect(key.secretAccessKey).toBeInstanceOf(SecretValue);
        expect(key.secretAccessKey.reveal().length).toBeGreaterThan(0);
        expect(await harness.port.listKeys(USER)).toEqual([
          { accessKeyId: key.accessKeyId, status: 'Active', createdAt: key.createdAt, lastUsedAt: null },
        ]);
      });

      it(
        'throws AccessKeyQuotaExceededError when the user has two keys, inactive ones included, and creates ' +
          'nothing',
        async () => {
          // Arrange
          harness.seedKey(USER, { createdAt: CREATED });
          harness.seedKey(USER, { status: 'Inactive', createdAt: CREATED });

          // Act
          const error = await harness.port.createKey(USER).catch((e: unknown) => e);

          // Assert
          expect(error).toBeInstanceOf(AccessKeyQuotaExceededError);
          expect(harness.keys(USER)).toHaveLength(2);
        },
      );

      it('throws IamUserNotFoundError for a user that does not exist', async () => {
        await expect(harness.port.createKey('nobody')).rejects.toBeInstanceOf(IamUserNotFoundError);
      });
    });

    describe('setKeyStatus', () => {
      it('deactivates and reactivates a key', async () => {
        // Arrange
        const key = harness.seedKey(USER, { createdAt: CREATED });

        // Act
        await harness.port.setKeyStatus(USER, key.accessKeyId, 'Inactive');
        const afterDeactivate = harness.keys(USER)[0]?.status;
        await harness.port.setKeyStatus(USER, key.accessKeyId, 'Active');

        // Assert
        expect(afterDeactivate).toBe('Inactive');
        expect(harness.keys(USER)[0]?.status).toBe('Active');
      });

      it('throws AccessKeyNotFoundError for a key that is gone', async () => {
        await expect(harness.port.setKeyStatus(USER, 'AKIAGONEKEY000000001', 'Inactive')).rejects.toBeInstanceOf(
          AccessKeyNotFoundError,
        );
      });
    });

    describe('deleteKey', () => {
      it('deletes the key', async () => {
        // Arrange
        const kept = harness.seedKey(USER, { createdAt: CREATED });
        const deleted = harness.seedKey(USER, { createdAt: CREATED });

        // Act
        await harness.port.deleteKey(USER, deleted.accessKeyId);

        // Assert
        expect(harness.keys(USER).map((k) => k.accessKeyId)).toEqual([kept.accessKeyId]);
      });

      it('succeeds when the key is already gone (a retried delete)', async () => {
        // Arrange
        const key = harness.seedKey(USER, { createdAt: CREATED });
        await harness.port.deleteKey(USER, key.accessKeyId);

        // Act
        const again = harness.port.deleteKey(USER, key.accessKeyId);

        // Assert
        await expect(again).resolves.toBeUndefined();
      });
    });
  });
}
