// Over 300 lines: one adapter for one port; the rotation protocol's label moves and their error mapping belong
// together.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { inject, injectable } from 'inversify';
import {
  SecretCreateDeniedError,
  SecretMalformedError,
  SecretNotFoundError,
  SecretVersionNotFoundError,
  StateConflictError,
} from '../../domain/errors.js';
import type { SecretState, SecretVersionRef, StoredCredential } from '../../domain/model.js';
import { SecretValue } from '../../domain/secret-value.js';
import { routeOfSecret, type SecretLocation, secretIdOf } from '../../domain/accounts.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import { awsErrorCode, isAccessDenied, mapAwsError } from './aws-errors.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/**
 * Marks the first version of a secret the rotator created: Secrets Manager puts `AWSCURRENT` on
 * a secret's first version whatever `VersionStages` says, so that version is current before the
 * rotator has verified and published its key. While a version carries this label, `describe`
 * does not report it as current or previous; `promote` removes the label.
 *
 * Why it matters: a first rotation that is rolled back drops the pending label and deletes the
 * new key. Without the marker the secret would be left with `AWSCURRENT` on a deleted key, and
 * every later plan would refuse (`SecretHoldsUnknownKeyError`). With it, the secret reads as
 * "exists, nothing current", exactly as before the run, and the next run simply rotates again.
 */
export const UNPROMOTED = 'ROTATOR_UNPROMOTED';

const NO_SECRET: SecretState = { exists: false, current: null, pending: null, previous: null };

/** What a secret version holds: `{ accessKeyId, secretAccessKey, iamUserName, createdAt }` as JSON. */
const VALUE_SHAPE =
  '{"accessKeyId": "AKIA...", "secretAccessKey": "...", "iamUserName": "...", "createdAt": "<ISO 8601 date>"}';

/** A version id → its staging labels (DescribeSecret's `VersionIdsToStages`). */
type Labels = Readonly<Record<string, readonly string[]>>;

interface ReadVersion {
  credential: StoredCredential;
  versionCreatedAt: Date;
}

/**
 * The target's secret in Secrets Manager, following the rotation protocol: the new key is written
 * as an `AWSPENDING` version (its id is the rotation id, used as `ClientRequestToken`, so a retry
 * writes nothing new), then promoted to `AWSCURRENT`; Secrets Manager moves `AWSPREVIOUS` to the
 * version that was current.
 *
 * A missing secret is created on the first `putPending`, empty (no version), so that the first
 * version is written by `PutSecretValue` with its labels in one call (see `UNPROMOTED`).
 */
@injectable()
export class SecretsManagerSecretStore implements SecretStorePort {
  constructor(@inject(ADAPTER_TOKENS.SecretsManagerClient) private readonly sm: SecretsManagerClient) {}

  async describe(secret: SecretLocation): Promise<SecretState> {
    const secretId = ownAccountSecret(secret);
    const labels = await this.labels(secretId);
    if (!labels) return NO_SECRET;

    // Read each labelled version once, one after the other (at most three small calls).
    const refs = new Map<string, SecretVersionRef>();
    const ref = async (versionId: string | undefined): Promise<SecretVersionRef | null> => {
      if (!versionId) return null;
      let found = refs.get(versionId);
      if (!found) {
        const { credential, versionCreatedAt } = await this.read(secretId, versionId);
        found = { versionId, accessKeyId: credential.accessKeyId, createdAt: versionCreatedAt };
        refs.set(versionId, found);
      }
      return { ...found, createdAt: new Date(found.createdAt) };
    };
    return {
      exists: true,
      current: await ref(promotedHolder(labels, AWSCURRENT)),
      pending: await ref(holder(labels, AWSPENDING)),
      previous: await ref(promotedHolder(labels, AWSPREVIOUS)),
    };
  }

  async putPending(secret: SecretLocation, versionId: string, credential: StoredCredential): Promise<string> {
    const secretId = ownAccountSecret(secret);
    const secretString = JSON.stringify({
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey.reveal(),
      iamUserName: credential.iamUserName,
      createdAt: credential.createdAt.toISOString(),
    });
    const context = { secretId, versionId };

    let labels = await this.labels(secretId);
    if (!labels) {
      await this.createEmpty(secretId, credential.iamUserName);
      labels = {};
    }
    // No current version yet: this put creates the first version, which AWS makes current.
    const firstVersion = holder(labels, AWSCURRENT) === undefined;

    try {
      await this.sm.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: versionId,
          SecretString: secretString,
          VersionStages: firstVersion ? [AWSPENDING, UNPROMOTED] : [AWSPENDING],
        }),
      );
    } catch (error) {
      // Same token, different value: a retry whose value differs only in form is still the same key.
      if (awsErrorCode(error) === 'ResourceExists') {
        await this.requireSameKey(secretId, versionId, credential);
        return versionId;
      }
      if (awsErrorCode(error) === 'ResourceNotFound') throw secretNotFound(secretId, error);
      throw mapAwsError(error, {
        action: 'secretsmanager:PutSecretValue',
        resource: `secret ${secretId}`,
        context,
        secrets: [credential.secretAccessKey.reveal(), secretString],
      });
    }
    return versionId;
  }

  async getVersion(secret: SecretLocation, versionId: string): Promise<StoredCredential> {
    return (await this.read(ownAccountSecret(secret), versionId)).credential;
  }

  async promote(secret: SecretLocation, versionId: string): Promise<void> {
    const secretId = ownAccountSecret(secret);
    const labels = await this.requireLabels(secretId);
    const stages = labelsOf(labels, secretId, versionId);
    const current = holder(labels, AWSCURRENT);
    if (current !== versionId) {
      // AWS moves AWSPREVIOUS to the version AWSCURRENT leaves, in the same call.
      await this.moveLabel(secretId, AWSCURRENT, { to: versionId, from: current });
    }
    // The marker goes first: once it is gone the version counts as current even if the next call fails.
    if (stages.includes(UNPROMOTED)) await this.moveLabel(secretId, UNPROMOTED, { from: versionId });
    if (stages.includes(AWSPENDING)) await this.moveLabel(secretId, AWSPENDING, { from: versionId });
  }

  async dropPending(secret: SecretLocation, versionId: string): Promise<void> {
    const secretId = ownAccountSecret(secret);
    const labels = await this.requireLabels(secretId);
    if (labels[versionId]?.includes(AWSPENDING)) {
      await this.moveLabel(secretId, AWSPENDING, { from: versionId });
    }
  }

  /** The secret's labelled versions, or null when there is no such secret. */
  private async labels(secretId: string): Promise<Labels | null> {
    let secret: { DeletedDate?: Date; VersionIdsToStages?: Record<string, string[]> };
    try {
      secret = await this.sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (error) {
      if (awsErrorCode(error) === 'ResourceNotFound') return null;
      throw mapAwsError(error, {
        action: 'secretsmanager:DescribeSecret',
        resource: `secret ${secretId}`,
        context: { secretId },
      });
    }
    if (secret.DeletedDate) {
      throw new SecretNotFoundError(
        `secret ${secretId} is scheduled for deletion (since ${secret.DeletedDate.toISOString()}); restore it ` +
          `(RestoreSecret) or wait until it is deleted, then re-run`,
        { context: { secretId } },
      );
    }
    return secret.VersionIdsToStages ?? {};
  }

  private async requireLabels(secretId: string): Promise<Labels> {
    const labels = await this.labels(secretId);
    if (!labels) throw secretNotFound(secretId);
    return labels;
  }

  private async read(secretId: string, versionId: string): Promise<ReadVersion> {
    let answer: { SecretString?: string; CreatedDate?: Date };
    try {
      answer = await this.sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
    } catch (error) {
      if (awsErrorCode(error) === 'ResourceNotFound') {
        // The same code for a missing secret and a missing version: ask which one it is. A step
        // allowed only GetSecretValue cannot ask; the version is then what it could not find.
        const exists = await this.labels(secretId).then(
          (labels) => labels !== null,
          () => true,
        );
        throw exists ? versionNotFound(secretId, versionId, error) : secretNotFound(secretId, error);
      }
      throw mapAwsError(error, {
        action: 'secretsmanager:GetSecretValue',
        resource: `version ${versionId} of secret ${secretId}`,
        context: { secretId, versionId },
      });
    }
    const credential = parseValue(secretId, versionId, answer.SecretString, answer.CreatedDate);
    return { credential, versionCreatedAt: answer.CreatedDate ?? credential.createdAt };
  }

  private async createEmpty(secretId: string, iamUserName: string): Promise<void> {
    if (secretId.startsWith('arn:')) {
      throw new SecretNotFoundError(
        `secret ${secretId} does not exist, and the rotator creates a missing secret only from a name: create ` +
          `it, or give the target the secret's name instead of an ARN`,
        { context: { secretId } },
      );
    }
    try {
      // No SecretString: no version yet. The first version comes from PutSecretValue, with its labels.
      await this.sm.send(
        new CreateSecretCommand({
          Name: secretId,
          Description: `AWS access key of IAM user ${iamUserName}, rotated by ado-aws-key-rotator`,
        }),
      );
    } catch (error) {
      // Created meanwhile (a concurrent run, or the SDK retried a create whose answer was lost).
      if (awsErrorCode(error) === 'ResourceExists') return;
      if (isAccessDenied(error)) {
        throw new SecretCreateDeniedError(
          `secret ${secretId} does not exist and the rotator may not create it: create it (empty, or holding ` +
            `the connection's key as JSON ${VALUE_SHAPE}), or allow the rotator's role ` +
            `secretsmanager:CreateSecret on it, then re-run`,
          { context: { secretId }, cause: error },
        );
      }
      throw mapAwsError(error, {
        action: 'secretsmanager:CreateSecret',
        resource: `secret ${secretId}`,
        context: { secretId },
      });
    }
  }

  private async requireSameKey(secretId: string, versionId: string, credential: StoredCredential): Promise<void> {
    const stored = (await this.read(secretId, versionId)).credential;
    if (stored.accessKeyId !== credential.accessKeyId || !stored.secretAccessKey.equals(credential.secretAccessKey)) {
      throw new StateConflictError(
        `secret ${secretId} already has a version ${versionId} holding access key ${stored.accessKeyId}, not ` +
          `${credential.accessKeyId}; a rotation id was reused`,
        { context: { secretId, versionId } },
      );
    }
  }

  /** UpdateSecretVersionStage: puts `label` on `to` (if given) and takes it off `from` (if given). */
  private async moveLabel(
    secretId: string,
    label: string,
    move: { to?: string; from?: string | undefined },
  ): Promise<void> {
    const versionId = move.to ?? move.from ?? '';
    try {
      await this.sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: label,
          ...(move.to ? { MoveToVersionId: move.to } : {}),
          ...(move.from ? { RemoveFromVersionId: move.from } : {}),
        }),
      );
    } catch (error) {
      // The secret was there a moment ago, so it is the version that is gone.
      if (awsErrorCode(error) === 'ResourceNotFound') throw versionNotFound(secretId, versionId, error);
      throw mapAwsError(error, {
        action: 'secretsmanager:UpdateSecretVersionStage',
        resource: `version ${versionId} of secret ${secretId}`,
        context: { secretId, versionId, label },
      });
    }
  }
}

function holder(labels: Labels, label: string): string | undefined {
  return Object.keys(labels).find((versionId) => labels[versionId]?.includes(label));
}

/** The holder of `label`, unless it is a first version the rotator never promoted (see `UNPROMOTED`). */
function promotedHolder(labels: Labels, label: string): string | undefined {
  const versionId = holder(labels, label);
  return versionId && !labels[versionId]?.includes(UNPROMOTED) ? versionId : undefined;
}

/** A version's labels; a version without any is deprecated (or unknown), never something to promote. */
function labelsOf(labels: Labels, secretId: string, versionId: string): readonly string[] {
  const stages = labels[versionId];
  if (!stages || stages.length === 0) {
    throw versionNotFound(secretId, versionId, undefined, 'has no labelled version');
  }
  return stages;
}

/**
 * Parses a version's value. Never quotes the value or `JSON.parse`'s message (which quotes the
 * input) in the error: the value holds a secret access key.
 */
function parseValue(
  secretId: string,
  versionId: string,
  raw: string | undefined,
  versionCreatedAt: Date | undefined,
): StoredCredential {
  let value: unknown;
  try {
    value = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { accessKeyId, secretAccessKey, iamUserName, createdAt } = fields;
  if (typeof accessKeyId !== 'string' || !accessKeyId || typeof secretAccessKey !== 'string' || !secretAccessKey) {
    throw new SecretMalformedError(
      `secret ${secretId} version ${versionId} is not the JSON the rotator writes: it must hold ` +
        `${VALUE_SHAPE}; fix the value or delete the secret, then re-run`,
      { context: { secretId, versionId } },
    );
  }
  const written = typeof createdAt === 'string' ? new Date(createdAt) : undefined;
  return {
    accessKeyId,
    secretAccessKey: new SecretValue(secretAccessKey),
    // A secret seeded by hand may hold only the key pair; the version's own date stands in for createdAt.
    iamUserName: typeof iamUserName === 'string' ? iamUserName : '',
    createdAt: written && !Number.isNaN(written.getTime()) ? written : (versionCreatedAt ?? new Date(0)),
  };
}

const secretNotFound = (secretId: string, cause?: unknown) =>
  new SecretNotFoundError(`secret ${secretId} does not exist`, { context: { secretId }, cause });

const versionNotFound = (secretId: string, versionId: string, cause?: unknown, what = 'has no version') =>
  new SecretVersionNotFoundError(`secret ${secretId} ${what} ${versionId}`, {
    context: { secretId, versionId },
    cause,
  });

/** The secret's id, for the client's own account; a secret reached through a role must come through the router. */
function ownAccountSecret(secret: SecretLocation): string {
  if (routeOfSecret(secret))
    throw new Error('a secret in another account reached this adapter directly: bind AccountRoutedSecretStore');
  return secretIdOf(secret);
}
