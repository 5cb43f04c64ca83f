import {
  type AccessKeyMetadata,
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  type IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { inject, injectable } from 'inversify';
import {
  AccessKeyNotFoundError,
  AccessKeyQuotaExceededError,
  AwsCallFailedError,
  IamUserNotFoundError,
} from '../../domain/errors.js';
import type { AccessKeyInfo, AccessKeyStatus, NewAccessKey } from '../../domain/model.js';
import { SecretValue } from '../../domain/secret-value.js';
import { type IamUser, routeOfUser, userNameOf } from '../../domain/accounts.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import { awsErrorCode, mapAwsError } from './aws-errors.js';
import { withoutSdkRetries } from './sdk-retries.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/**
 * An IAM user's access keys, through IAM's query API, in the account of the client it is given. A user in
 * another account goes through `AccountRoutedIamAccessKeys` (account-routing.ts), which gives this adapter
 * a client signed with that account's role.
 *
 * Error codes (IAM API reference): `NoSuchEntity` (user or key missing), `LimitExceeded` (the
 * user has two keys, inactive ones included), `Throttling`, `AccessDenied`, `ServiceFailure`.
 */
@injectable()
export class IamAccessKeysAdapter implements IamAccessKeysPort {
  constructor(@inject(ADAPTER_TOKENS.IamClient) private readonly iam: IAMClient) {}

  async listKeys(user: IamUser): Promise<AccessKeyInfo[]> {
    const userName = ownAccountUser(user);
    const keys: AccessKeyInfo[] = [];
    // One after the other: a user has at most two keys, and the calls stay in a readable order.
    for (const key of await this.listMetadata(userName)) keys.push(await this.describeKey(userName, key));
    return keys;
  }

  async createKey(user: IamUser): Promise<NewAccessKey> {
    const userName = ownAccountUser(user);
    const context = { userName };
    let accessKey: { AccessKeyId?: string; SecretAccessKey?: string; CreateDate?: Date } | undefined;
    try {
      // One attempt only: see sdk-retries.ts (not idempotent; the quota error must fail fast).
      ({ AccessKey: accessKey } = await this.iam.send(
        withoutSdkRetries(new CreateAccessKeyCommand({ UserName: userName })),
      ));
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'LimitExceeded') {
        throw new AccessKeyQuotaExceededError(
          `IAM user ${userName} already has two access keys (inactive keys count); delete one before creating another`,
          { context, cause: error },
        );
      }
      if (code === 'NoSuchEntity') throw userNotFound(userName, error);
      throw mapAwsError(error, { action: 'iam:CreateAccessKey', resource: `IAM user ${userName}`, context });
    }

    const accessKeyId = accessKey?.AccessKeyId;
    const secret = accessKey?.SecretAccessKey;
    if (!accessKeyId || !secret) {
      // A key may exist now that nobody can use: the next plan finds it as an orphan and deletes it.
      throw new AwsCallFailedError(
        `iam:CreateAccessKey for IAM user ${userName} answered without the new key's id or secret`,
        { context },
      );
    }
    return {
      accessKeyId,
      // Wrapped at once: from here on the secret renders as [REDACTED] everywhere.
      secretAccessKey: new SecretValue(secret),
      createdAt: accessKey?.CreateDate ?? new Date(),
    };
  }

  async setKeyStatus(user: IamUser, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    const userName = ownAccountUser(user);
    const context = { userName, accessKeyId };
    try {
      await this.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: status }));
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchEntity') {
        throw new AccessKeyNotFoundError(
          `access key ${accessKeyId} of IAM user ${userName} does not exist (deleted outside the rotator?); ` +
            `re-run to plan again`,
          { context, cause: error },
        );
      }
      throw mapAwsError(error, {
        action: 'iam:UpdateAccessKey',
        resource: `access key ${accessKeyId} of IAM user ${userName}`,
        context,
      });
    }
  }

  async deleteKey(user: IamUser, accessKeyId: string): Promise<void> {
    const userName = ownAccountUser(user);
    try {
      await this.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
    } catch (error) {
      // Already gone is what we wanted: a retried delete (or a rollback after a clean-up) succeeds.
      if (awsErrorCode(error) === 'NoSuchEntity') return;
      throw mapAwsError(error, {
        action: 'iam:DeleteAccessKey',
        resource: `access key ${accessKeyId} of IAM user ${userName}`,
        context: { userName, accessKeyId },
      });
    }
  }

  private async listMetadata(userName: string): Promise<AccessKeyMetadata[]> {
    const keys: AccessKeyMetadata[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.iam.send(
          new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }),
        );
        keys.push(...(page.AccessKeyMetadata ?? []));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchEntity') throw userNotFound(userName, error);
      throw mapAwsError(error, {
        action: 'iam:ListAccessKeys',
        resource: `IAM user ${userName}`,
        context: { userName },
      });
    }
    return keys;
  }

  private async describeKey(userName: string, key: AccessKeyMetadata): Promise<AccessKeyInfo> {
    const accessKeyId = key.AccessKeyId;
    if (!accessKeyId || !key.CreateDate || (key.Status !== 'Active' && key.Status !== 'Inactive')) {
      throw new AwsCallFailedError(
        `iam:ListAccessKeys for IAM user ${userName} answered a key without id, creation date or status`,
        {
          context: { userName },
        },
      );
    }
    try {
      const { AccessKeyLastUsed } = await this.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
      return {
        accessKeyId,
        status: key.Status,
        createdAt: key.CreateDate,
        // IAM leaves LastUsedDate out (Region and ServiceName are "N/A") for a key never used.
        lastUsedAt: AccessKeyLastUsed?.LastUsedDate ?? null,
        ...known('lastUsedService', AccessKeyLastUsed?.ServiceName),
        ...known('lastUsedRegion', AccessKeyLastUsed?.Region),
      };
    } catch (error) {
      throw mapAwsError(error, {
        action: 'iam:GetAccessKeyLastUsed',
        resource: `access key ${accessKeyId} of IAM user ${userName}`,
        context: { userName, accessKeyId },
      });
    }
  }
}

/** A field of GetAccessKeyLastUsed's answer, left out when IAM does not know it ("N/A"). */
const known = <K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> =>
  value && value !== 'N/A' ? ({ [name]: value } as Record<K, string>) : {};

const userNotFound = (userName: string, cause: unknown) =>
  new IamUserNotFoundError(`IAM user ${userName} does not exist; create it or fix the target's iamUserName`, {
    context: { userName },
    cause,
  });

/** The user's name, for the client's own account; a user reached through a role must come through the router. */
function ownAccountUser(user: IamUser): string {
  if (routeOfUser(user))
    throw new Error('a user in another account reached this adapter directly: bind AccountRoutedIamAccessKeys');
  return userNameOf(user);
}
