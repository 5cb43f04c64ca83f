import nock from 'nock';
import { IamIdentityWire } from './iam-identity-wire.js';
import type { AccessKeyInfo, AccessKeyStatus } from '../../src/domain/model.js';
import {
  type InjectedError,
  queryError,
  queryResponse,
  readQueryRequest,
  type SessionChecker,
  sessionRefusal,
  signingKeyId,
  type WireReply,
  type WireRequest,
  WireFaults,
  xmlEscape,
} from './protocol.js';

export const IAM_ENDPOINT = 'https://iam.amazonaws.com';
const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const VERSION = '2010-05-08';
export const WIRE_ACCOUNT = '123456789012';

interface WireKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: AccessKeyStatus;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedWhere?: { service: string; region: string };
}

export interface WireSeedKeyOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  status?: AccessKeyStatus;
  createdAt?: Date;
  lastUsedAt?: Date | null;
  /** The service and region GetAccessKeyLastUsed reports for the last use (default s3, us-east-1). */
  lastUsedWhere?: { service: string; region: string };
}

const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** IAM keeps dates to the second. */
const toSecond = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);

let keyCounter = 0;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function newKeyId(): string {
  keyCounter++;
  let n = keyCounter;
  let suffix = '';
  for (let i = 0; i < 16; i++) {
    suffix = ALPHABET[n % 32] + suffix;
    n = Math.floor(n / 32);
  }
  return `AKIAW${suffix.slice(1)}`;
}
const newSecret = (): string => `wire/Secret+${keyCounter.toString(36).padStart(6, '0')}${'K'.repeat(40)}`.slice(0, 40);

/**
 * IAM's access-key API on the wire, with state: the actions the adapter uses, answered in IAM's
 * XML with IAM's error codes and HTTP statuses (NoSuchEntity 404, LimitExceeded 409), and the
 * two-keys quota counting inactive keys. Install it with `install()` (nock, `.persist()`).
 */
export class IamWire {
  readonly requests: WireRequest[] = [];
  readonly faults = new WireFaults();
  /** The secret the next CreateAccessKey answers with (canary tests); generated when unset. */
  nextSecretAccessKey: string | undefined;
  private readonly users = new Map<string, { path: string; keys: WireKey[] }>();
  private readonly now: () => Date;

  /** Policies, OIDC providers and roles (the `discover` / `migrate-to-oidc` actions). */
  readonly identity: IamIdentityWire;
  /** Checks requests signed with temporary credentials (`acceptSessionsFrom`); none: any temporary key is accepted. */
  private sessions: SessionChecker | undefined;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
    this.identity = new IamIdentityWire(WIRE_ACCOUNT, (userName) => this.users.has(userName), this.now);
  }

  install(): this {
    nock(IAM_ENDPOINT)
      .persist()
      .post('/')
      .reply(async (request: Request) => this.handle(request));
    return this;
  }

  /** Requests signed with temporary credentials must carry a session `sts` issued and that has not expired. */
  acceptSessionsFrom(sts: SessionChecker): this {
    this.sessions = sts;
    return this;
  }

  addUser(userName: string, path = '/'): void {
    if (!this.users.has(userName)) this.users.set(userName, { path, keys: [] });
  }

  userArn(userName: string): string {
    return `arn:aws:iam::${WIRE_ACCOUNT}:user${this.users.get(userName)?.path ?? '/'}${userName}`;
  }

  seedKey(userName: string, options: WireSeedKeyOptions = {}): { accessKeyId: string; secretAccessKey: string } {
    this.addUser(userName);
    const key: WireKey = {
      accessKeyId: options.accessKeyId ?? newKeyId(),
      secretAccessKey: options.secretAccessKey ?? newSecret(),
      status: options.status ?? 'Active',
      createdAt: toSecond(options.createdAt ?? this.now()),
      lastUsedAt:
        options.lastUsedAt === undefined ? toSecond(this.now()) : options.lastUsedAt && toSecond(options.lastUsedAt),
      ...(options.lastUsedWhere ? { lastUsedWhere: options.lastUsedWhere } : {}),
    };
    this.users.get(userName)?.keys.push(key);
    return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  }

  keys(userName: string): AccessKeyInfo[] {
    return (this.users.get(userName)?.keys ?? []).map((k) => ({
      accessKeyId: k.accessKeyId,
      status: k.status,
      createdAt: new Date(k.createdAt),
      lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt) : null,
    }));
  }

  /** Makes the next `times` requests of `action` fail with an IAM error. */
  failNext(action: string, error: InjectedError): this {
    this.faults.add(action, error);
    return this;
  }

  /** The actions received, in order. */
  actions(): string[] {
    return this.requests.map((r) => r.operation);
  }

  private async handle(request: Request): Promise<WireReply> {
    const parsed = await readQueryRequest(request, VERSION, NAMESPACE);
    if (Array.isArray(parsed)) return parsed;
    const signedWith = signingKeyId(request, 'iam');
    const sessionToken = request.headers.get('x-amz-security-token');
    this.requests.push({ operation: parsed.action, params: parsed.params, signedWith, sessionToken });
    if (!signedWith)
      return queryError(NAMESPACE, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const refused = sessionRefusal(NAMESPACE, this.sessions, signedWith, sessionToken);
    if (refused) return refused;

    const fault = this.faults.take(parsed.action);
    const faultReply = (): WireReply | undefined =>
      fault &&
      queryError(
        NAMESPACE,
        fault.status,
        fault.code,
        fault.message ?? fault.code,
        fault.status >= 500 ? 'Receiver' : 'Sender',
      );
    if (fault && !fault.afterWrite) return faultReply() as WireReply;
    const reply = this.dispatch(parsed.action, parsed.params);
    return faultReply() ?? reply;
  }

  private dispatch(action: string, p: Record<string, string>): WireReply {
    const parsed = { action };
    switch (parsed.action) {
      case 'ListAccessKeys':
        return this.listAccessKeys(p.UserName ?? '');
      case 'GetAccessKeyLastUsed':
        return this.getAccessKeyLastUsed(p.AccessKeyId ?? '');
      case 'CreateAccessKey':
        return this.createAccessKey(p.UserName ?? '');
      case 'UpdateAccessKey':
        return this.updateAccessKey(p.UserName ?? '', p.AccessKeyId ?? '', p.Status ?? '');
      case 'DeleteAccessKey':
        return this.deleteAccessKey(p.UserName ?? '', p.AccessKeyId ?? '');
      default:
        return (
          this.identity.handle(parsed.action, p) ??
          queryError(
            NAMESPACE,
            400,
            'InvalidAction',
            `Could not find operation ${parsed.action} for version ${VERSION}`,
          )
        );
    }
  }

  private listAccessKeys(userName: string): WireReply {
    const user = this.users.get(userName);
    if (!user) return noSuchUser(userName);
    const members = user.keys
      .map(
        (k) =>
          `<member><UserName>${xmlEscape(userName)}</UserName><AccessKeyId>` +
          `${k.accessKeyId}</AccessKeyId><Status>${k.status}</Status><CreateDate>` +
          `${iso(k.createdAt)}</CreateDate></member>`,
      )
      .join('');
    return queryResponse(
      NAMESPACE,
      'ListAccessKeys',
      `<AccessKeyMetadata>${members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`,
    );
  }

  private getAccessKeyLastUsed(accessKeyId: string): WireReply {
    for (const [userName, user] of this.users) {
      const key = user.keys.find((k) => k.accessKeyId === accessKeyId);
      if (!key) continue;
      // Never used: IAM leaves LastUsedDate out and answers "N/A" for region and service.
      const lastUsed = key.lastUsedAt
        ? `<LastUsedDate>${iso(key.lastUsedAt)}</LastUsedDate><ServiceName>` +
          `${xmlEscape(key.lastUsedWhere?.service ?? 's3')}</ServiceName><Region>` +
          `${xmlEscape(key.lastUsedWhere?.region ?? 'us-east-1')}</Region>`
        : '<ServiceName>N/A</ServiceName><Region>N/A</Region>';
      return queryResponse(
        NAMESPACE,
        'GetAccessKeyLastUsed',
        `<UserName>${xmlEscape(userName)}</UserName><AccessKeyLastUsed>${lastUsed}</AccessKeyLastUsed>`,
      );
    }
    return queryError(
      NAMESPACE,
      403,
      'AccessDenied',
      `User is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ${accessKeyId}`,
    );
  }

  private createAccessKey(userName: string): WireReply {
    const user = this.users.get(userName);
    if (!user) return noSuchUser(userName);
    if (user.keys.length >= 2)
      return queryError(NAMESPACE, 409, 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
    const key: WireKey = {
      accessKeyId: newKeyId(),
      secretAccessKey: this.nextSecretAccessKey ?? newSecret(),
      status: 'Active',
      createdAt: toSecond(this.now()),
      lastUsedAt: null,
    };
    this.nextSecretAccessKey = undefined;
    user.keys.push(key);
    return queryResponse(
      NAMESPACE,
      'CreateAccessKey',
      `<AccessKey><UserName>${xmlEscape(userName)}</UserName><AccessKeyId>` +
        `${key.accessKeyId}</AccessKeyId><Status>Active</Status><SecretAccessKey>` +
        `${xmlEscape(key.secretAccessKey)}</SecretAccessKey><CreateDate>${iso(key.createdAt)}</CreateDate></AccessKey>`,
    );
  }

  private updateAccessKey(userName: string, accessKeyId: string, status: string): WireReply {
    const user = this.users.get(userName);
    if (!user) return noSuchUser(userName);
    if (status !== 'Active' && status !== 'Inactive') {
      return queryError(
        NAMESPACE,
        400,
        'ValidationError',
        `1 validation error detected: Value at 'status' failed to satisfy constraint`,
      );
    }
    const key = user.keys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) return noSuchKey(accessKeyId);
    key.status = status;
    return queryResponse(NAMESPACE, 'UpdateAccessKey', null);
  }

  private deleteAccessKey(userName: string, accessKeyId: string): WireReply {
    const user = this.users.get(userName);
    if (!user) return noSuchUser(userName);
    const index = user.keys.findIndex((k) => k.accessKeyId === accessKeyId);
    if (index < 0) return noSuchKey(accessKeyId);
    user.keys.splice(index, 1);
    return queryResponse(NAMESPACE, 'DeleteAccessKey', null);
  }
}

const noSuchUser = (userName: string): WireReply =>
  queryError(NAMESPACE, 404, 'NoSuchEntity', `The user with name ${userName} cannot be found.`);
const noSuchKey = (accessKeyId: string): WireReply =>
  queryError(NAMESPACE, 404, 'NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);

/** The XML namespace of IAM answers (for tests that script a reply by hand). */
export const IAM_NAMESPACE = NAMESPACE;
