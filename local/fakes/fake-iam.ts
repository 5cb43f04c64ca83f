import { type IamUser, userNameOf } from '../../src/domain/accounts.js';
import { AccessKeyNotFoundError, AccessKeyQuotaExceededError, IamUserNotFoundError } from '../../src/domain/errors.js';
import type { AccessKeyInfo, AccessKeyStatus, NewAccessKey } from '../../src/domain/model.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { IamAccessKeysPort } from '../../src/ports/iam-access-keys.port.js';
import type { FakeClock } from './fake-clock.js';
import { FaultInjector } from './faults.js';
import { nextAccessKeyId, nextSecretAccessKey } from './ids.js';

interface StoredKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: AccessKeyStatus;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Service and region of the last use (IAM's GetAccessKeyLastUsed), when recorded by `markUsed`. */
  lastUsedWhere?: { service: string; region: string };
  /** IAM is eventually consistent: a new key authenticates only after this time. */
  usableAt: Date;
}

export interface SeedKeyOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  status?: AccessKeyStatus;
  createdAt?: Date;
  lastUsedAt?: Date | null;
  lastUsedWhere?: { service: string; region: string };
}

/**
 * IAM access keys in memory, behaving like IAM where it matters:
 * at most two keys per user, inactive ones included (`LimitExceeded`); a new key takes
 * `propagationMs` before it authenticates; deleting a gone key is `NoSuchEntity` (the adapter
 * turns that into success, so the fake does too).
 */
export class FakeIam implements IamAccessKeysPort {
  static readonly ACCOUNT = '123456789012';
  private readonly users = new Map<string, StoredKey[]>();
  /** The user each key id was issued to: a fleet of thousands authenticates keys all the time. */
  private readonly issuedTo = new Map<string, string>();
  private readonly clock: FakeClock;
  private readonly faults: FaultInjector;
  private readonly propagationMs: number;
  /** Secret access keys the fake ever handed out (canary scans look for them). */
  readonly issuedSecrets: string[] = [];

  constructor(options: { clock: FakeClock; faults?: FaultInjector; propagationMs?: number }) {
    this.clock = options.clock;
    this.faults = options.faults ?? new FaultInjector();
    this.propagationMs = options.propagationMs ?? 0;
  }

  addUser(userName: string): void {
    if (!this.users.has(userName)) this.users.set(userName, []);
  }

  userArn(userName: string): string {
    return `arn:aws:iam::${FakeIam.ACCOUNT}:user/${userName}`;
  }

  hasUser(userName: string): boolean {
    return this.users.has(userName);
  }

  /** Adds an existing key (already propagated). */
  seedKey(userName: string, options: SeedKeyOptions = {}): { accessKeyId: string; secretAccessKey: string } {
    this.addUser(userName);
    const key: StoredKey = {
      accessKeyId: options.accessKeyId ?? nextAccessKeyId(),
      secretAccessKey: options.secretAccessKey ?? nextSecretAccessKey(),
      status: options.status ?? 'Active',
      createdAt: options.createdAt ?? this.clock.now(),
      lastUsedAt: options.lastUsedAt === undefined ? this.clock.now() : options.lastUsedAt,
      ...(options.lastUsedWhere ? { lastUsedWhere: options.lastUsedWhere } : {}),
      usableAt: new Date(0),
    };
    this.userKeys(userName).push(key);
    this.issuedTo.set(key.accessKeyId, userName);
    this.issuedSecrets.push(key.secretAccessKey);
    return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  }

  /** A synchronous view for assertions. */
  keys(userName: string): AccessKeyInfo[] {
    return (this.users.get(userName) ?? []).map(toInfo);
  }

  /** True when the pair authenticates now: the key exists, is active, has propagated, and the secret matches. */
  /** The user the key was issued to first (a key id is unique), then every user, as before the index. */
  private *usersHolding(accessKeyId: string): Iterable<[string, StoredKey[]]> {
    const owner = this.issuedTo.get(accessKeyId);
    const keys = owner === undefined ? undefined : this.users.get(owner);
    if (owner !== undefined && keys?.some((k) => k.accessKeyId === accessKeyId)) {
      yield [owner, keys];
      return;
    }
    yield* this.users;
  }

  authenticates(accessKeyId: string, secretAccessKey: string): { userName: string } | 'not-yet' | 'invalid' {
    for (const [userName, keys] of this.usersHolding(accessKeyId)) {
      const key = keys.find((k) => k.accessKeyId === accessKeyId);
      if (!key) continue;
      if (key.secretAccessKey !== secretAccessKey || key.status !== 'Active') return 'invalid';
      if (this.clock.now() < key.usableAt) return 'not-yet';
      return { userName };
    }
    return 'invalid';
  }

  /** The user owning a key and its last use, as iam:GetAccessKeyLastUsed answers; undefined for a key of no user. */
  ownerOf(accessKeyId: string): { userName: string; lastUsedAt: Date | null } | undefined {
    for (const [userName, keys] of this.usersHolding(accessKeyId)) {
      const key = keys.find((k) => k.accessKeyId === accessKeyId);
      if (key) return { userName, lastUsedAt: key.lastUsedAt };
    }
    return undefined;
  }

  /** Records a use of the key, as a pipeline run (or a forgotten consumer, with its service and region) would. */
  markUsed(accessKeyId: string, where?: { service: string; region: string }): void {
    for (const keys of this.users.values()) {
      const key = keys.find((k) => k.accessKeyId === accessKeyId);
      if (!key) continue;
      key.lastUsedAt = this.clock.now();
      if (where) key.lastUsedWhere = where;
      else delete key.lastUsedWhere;
    }
  }

  async listKeys(user: IamUser): Promise<AccessKeyInfo[]> {
    const userName = userNameOf(user);
    return this.faults.around('iam.listKeys', () => this.userKeys(userName).map(toInfo));
  }

  async createKey(user: IamUser): Promise<NewAccessKey> {
    const userName = userNameOf(user);
    return this.faults.around('iam.createKey', () => {
      const keys = this.userKeys(userName);
      if (keys.length >= 2) {
        throw new AccessKeyQuotaExceededError(`Cannot exceed quota for AccessKeysPerUser: 2 (user ${userName})`, {
          context: { userName },
        });
      }
      const now = this.clock.now();
      const key: StoredKey = {
        accessKeyId: nextAccessKeyId(),
        secretAccessKey: nextSecretAccessKey(),
        status: 'Active',
        createdAt: now,
        lastUsedAt: null,
        usableAt: new Date(now.getTime() + this.propagationMs),
      };
      keys.push(key);
      this.issuedTo.set(key.accessKeyId, userName);
      this.issuedSecrets.push(key.secretAccessKey);
      return { accessKeyId: key.accessKeyId, secretAccessKey: new SecretValue(key.secretAccessKey), createdAt: now };
    });
  }

  async setKeyStatus(user: IamUser, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    const userName = userNameOf(user);
    return this.faults.around('iam.setKeyStatus', () => {
      const key = this.userKeys(userName).find((k) => k.accessKeyId === accessKeyId);
      if (!key) {
        throw new AccessKeyNotFoundError(`The Access Key with id ${accessKeyId} cannot be found (user ${userName})`, {
          context: { userName, accessKeyId },
        });
      }
      key.status = status;
    });
  }

  async deleteKey(user: IamUser, accessKeyId: string): Promise<void> {
    const userName = userNameOf(user);
    return this.faults.around('iam.deleteKey', () => {
      const keys = this.userKeys(userName);
      const index = keys.findIndex((k) => k.accessKeyId === accessKeyId);
      if (index >= 0) keys.splice(index, 1);
    });
  }

  private userKeys(userName: string): StoredKey[] {
    const keys = this.users.get(userName);
    if (!keys) {
      throw new IamUserNotFoundError(`IAM user ${userName} does not exist; create it or fix the target's iamUserName`, {
        context: { userName },
      });
    }
    return keys;
  }
}

const toInfo = (k: StoredKey): AccessKeyInfo => ({
  accessKeyId: k.accessKeyId,
  status: k.status,
  createdAt: new Date(k.createdAt),
  lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt) : null,
  ...(k.lastUsedWhere ? { lastUsedService: k.lastUsedWhere.service, lastUsedRegion: k.lastUsedWhere.region } : {}),
});
