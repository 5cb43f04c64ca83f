import { type SecretLocation, secretIdOf } from '../../src/domain/accounts.js';
import {
  SecretMalformedError,
  SecretNotFoundError,
  SecretVersionNotFoundError,
  StateConflictError,
} from '../../src/domain/errors.js';
import type { SecretState, SecretVersionRef, StoredCredential } from '../../src/domain/model.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { SecretStorePort } from '../../src/ports/secret-store.port.js';
import type { FakeClock } from './fake-clock.js';
import { FaultInjector } from './faults.js';
import { nextId } from './ids.js';

type Stage = 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';

interface StoredVersion {
  versionId: string;
  /** The secret string, as Secrets Manager stores it. */
  value: string;
  createdAt: Date;
  stages: Set<Stage>;
}

/**
 * Secrets Manager in memory, with its staging labels: a label is on at most one version;
 * `PutSecretValue` with the same `ClientRequestToken` and value is a no-op and with another value
 * is an error; moving `AWSCURRENT` puts `AWSPREVIOUS` on the version that had it.
 */
export class FakeSecretStore implements SecretStorePort {
  private readonly secrets = new Map<string, StoredVersion[]>();
  private readonly clock: FakeClock;
  private readonly faults: FaultInjector;

  constructor(options: { clock: FakeClock; faults?: FaultInjector }) {
    this.clock = options.clock;
    this.faults = options.faults ?? new FaultInjector();
  }

  /** Creates the secret with one `AWSCURRENT` version holding the credential. */
  seed(secretId: string, credential: { accessKeyId: string; secretAccessKey: string; iamUserName: string }): string {
    return this.seedRaw(secretId, JSON.stringify({ ...credential, createdAt: this.clock.now().toISOString() }));
  }

  /** Creates the secret with one `AWSCURRENT` version holding any string (for malformed-secret tests). */
  seedRaw(secretId: string, value: string): string {
    const versionId = nextId('');
    this.secrets.set(secretId, [{ versionId, value, createdAt: this.clock.now(), stages: new Set(['AWSCURRENT']) }]);
    return versionId;
  }

  /** A synchronous view for assertions: every version with its labels and the key id it holds. */
  versions(secretId: string): Array<{ versionId: string; stages: Stage[]; accessKeyId: string | null; value: string }> {
    return (this.secrets.get(secretId) ?? []).map((v) => ({
      versionId: v.versionId,
      stages: [...v.stages].sort(),
      accessKeyId: tryKeyId(v.value),
      value: v.value,
    }));
  }

  /** The key id of the version labelled `stage`, or null. */
  keyIdAt(secretId: string, stage: Stage): string | null {
    const version = (this.secrets.get(secretId) ?? []).find((v) => v.stages.has(stage));
    return version ? tryKeyId(version.value) : null;
  }

  async describe(secret: SecretLocation): Promise<SecretState> {
    const secretId = secretIdOf(secret);
    return this.faults.around('secrets.describe', () => {
      const versions = this.secrets.get(secretId);
      if (!versions) return { exists: false, current: null, pending: null, previous: null };
      const ref = (stage: Stage): SecretVersionRef | null => {
        const version = versions.find((v) => v.stages.has(stage));
        if (!version) return null;
        return {
          versionId: version.versionId,
          accessKeyId: parse(secretId, version).accessKeyId,
          createdAt: new Date(version.createdAt),
        };
      };
      return { exists: true, current: ref('AWSCURRENT'), pending: ref('AWSPENDING'), previous: ref('AWSPREVIOUS') };
    });
  }

  async putPending(secret: SecretLocation, versionId: string, credential: StoredCredential): Promise<string> {
    const secretId = secretIdOf(secret);
    return this.faults.around('secrets.putPending', () => {
      const value = JSON.stringify({
        accessKeyId: credential.accessKeyId,
        secretAccessKey: credential.secretAccessKey.reveal(),
        iamUserName: credential.iamUserName,
        createdAt: credential.createdAt.toISOString(),
      });
      let versions = this.secrets.get(secretId);
      if (!versions) {
        versions = [];
        this.secrets.set(secretId, versions);
      }
      const existing = versions.find((v) => v.versionId === versionId);
      if (existing) {
        if (existing.value !== value) {
          throw new StateConflictError(
            `secret ${secretId} already has version ${versionId} with another value (ResourceExistsException)`,
          );
        }
        return versionId;
      }
      for (const v of versions) v.stages.delete('AWSPENDING');
      versions.push({ versionId, value, createdAt: this.clock.now(), stages: new Set(['AWSPENDING']) });
      return versionId;
    });
  }

  async getVersion(secret: SecretLocation, versionId: string): Promise<StoredCredential> {
    const secretId = secretIdOf(secret);
    return this.faults.around('secrets.getVersion', () => {
      const version = this.version(secretId, versionId);
      const parsed = parse(secretId, version);
      return {
        accessKeyId: parsed.accessKeyId,
        secretAccessKey: new SecretValue(parsed.secretAccessKey),
        iamUserName: parsed.iamUserName,
        createdAt: new Date(parsed.createdAt),
      };
    });
  }

  async promote(secret: SecretLocation, versionId: string): Promise<void> {
    const secretId = secretIdOf(secret);
    return this.faults.around('secrets.promote', () => {
      const target = this.version(secretId, versionId);
      const versions = this.secrets.get(secretId) ?? [];
      if (!target.stages.has('AWSCURRENT')) {
        const current = versions.find((v) => v.stages.has('AWSCURRENT'));
        for (const v of versions) v.stages.delete('AWSPREVIOUS');
        if (current) {
          current.stages.delete('AWSCURRENT');
          current.stages.add('AWSPREVIOUS');
        }
        target.stages.add('AWSCURRENT');
      }
      target.stages.delete('AWSPENDING');
    });
  }

  async dropPending(secret: SecretLocation, versionId: string): Promise<void> {
    const secretId = secretIdOf(secret);
    return this.faults.around('secrets.dropPending', () => {
      const versions = this.secrets.get(secretId);
      if (!versions) throw notFound(secretId);
      versions.find((v) => v.versionId === versionId)?.stages.delete('AWSPENDING');
    });
  }

  private version(secretId: string, versionId: string): StoredVersion {
    const versions = this.secrets.get(secretId);
    if (!versions) throw notFound(secretId);
    const version = versions.find((v) => v.versionId === versionId);
    if (!version) {
      throw new SecretVersionNotFoundError(`secret ${secretId} has no version ${versionId}`, {
        context: { secretId, versionId },
      });
    }
    return version;
  }
}

const notFound = (secretId: string) =>
  new SecretNotFoundError(`secret ${secretId} does not exist`, { context: { secretId } });

interface ParsedValue {
  accessKeyId: string;
  secretAccessKey: string;
  iamUserName: string;
  createdAt: string;
}

function parse(secretId: string, version: StoredVersion): ParsedValue {
  try {
    const value = JSON.parse(version.value) as Partial<ParsedValue>;
    if (typeof value.accessKeyId === 'string' && typeof value.secretAccessKey === 'string') {
      return {
        accessKeyId: value.accessKeyId,
        secretAccessKey: value.secretAccessKey,
        iamUserName: value.iamUserName ?? '',
        createdAt: value.createdAt ?? new Date(0).toISOString(),
      };
    }
  } catch {
    // fall through to the error below
  }
  throw new SecretMalformedError(
    `secret ${secretId} version ${version.versionId} is not the JSON the rotator writes ` +
      `({"accessKeyId","secretAccessKey","iamUserName","createdAt"}); fix or delete the secret`,
    { context: { secretId, versionId: version.versionId } },
  );
}

function tryKeyId(value: string): string | null {
  try {
    const parsed = JSON.parse(value) as { accessKeyId?: unknown };
    return typeof parsed.accessKeyId === 'string' ? parsed.accessKeyId : null;
  } catch {
    return null;
  }
}
