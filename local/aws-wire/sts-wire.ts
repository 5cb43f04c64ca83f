// Over 300 lines: one stub per AWS service, and STS's three actions (GetCallerIdentity, GetWebIdentityToken,
// AssumeRole) share its session and identity tables.
import nock from 'nock';
import type { JwtIssuer } from '../federation/jwt-issuer.js';
import {
  type InjectedError,
  queryError,
  queryResponse,
  readQueryRequest,
  type SessionChecker,
  signingKeyId,
  type WireReply,
  type WireRequest,
  WireFaults,
} from './protocol.js';

/** The regional endpoint SDK v3 uses for STS in us-east-1. */
export const STS_ENDPOINT = 'https://sts.us-east-1.amazonaws.com';
const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';

interface AssumableRole {
  trustedRoleArns: string[];
  externalId?: string;
  maxSessionSeconds: number;
}

/** Temporary credentials STS issued for a role (never printed by a test: they are secrets like any key). */
export interface IssuedSession {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

let sessionCounter = 0;

interface Identity {
  arn: string;
  account: string;
  userId: string;
  /** How many more calls are answered InvalidClientTokenId before the key works (IAM propagation). */
  propagatingCalls: number;
}

/**
 * STS GetCallerIdentity, GetWebIdentityToken and AssumeRole on the wire.
 *
 * GetCallerIdentity: answers for the key the request was signed with (read from
 * the SigV4 Authorization header), so a test can prove which credentials the adapter used.
 * Keys it does not know get InvalidClientTokenId (403), as STS answers a deleted or unknown key.
 */
export class StsWire implements SessionChecker {
  readonly requests: WireRequest[] = [];
  /** The roles AssumeRole may be called on, with their trust (`allowAssumeRole`). */
  private readonly assumable = new Map<string, AssumableRole>();
  /** The temporary credentials AssumeRole issued, by access key id. */
  private readonly sessions = new Map<string, IssuedSession>();
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  readonly faults = new WireFaults();
  private readonly identities = new Map<string, Identity>();
  /** Role ARN by the access key id of a session in that role (what `sub` of a web identity token says). */
  private readonly roles = new Map<string, string>();
  /** The account's outbound identity federation: off until `enableOutboundFederation`. */
  private federation: JwtIssuer | undefined;

  install(): this {
    nock(STS_ENDPOINT)
      .persist()
      .post('/')
      .reply(async (request: Request) => this.handle(request));
    return this;
  }

  /** A key that authenticates as `arn` (after `propagatingCalls` rejected calls). */
  addKey(accessKeyId: string, arn: string, options: { propagatingCalls?: number } = {}): this {
    const account = arn.split(':')[4] ?? '000000000000';
    this.identities.set(accessKeyId, {
      arn,
      account,
      userId: `AIDA${accessKeyId.slice(4)}`.slice(0, 21),
      propagatingCalls: options.propagatingCalls ?? 0,
    });
    return this;
  }

  /** Requests signed with `accessKeyId` come from a session of the IAM role `roleArn`. */
  addRole(accessKeyId: string, roleArn: string): this {
    this.roles.set(accessKeyId, roleArn);
    return this;
  }

  /**
   * A role in another account that `trustedRoleArns` may assume (the callers' roles, by `addRole`), with the
   * external id its trust policy requires, if any (`sts:ExternalId`); sessions last at most `maxSessionSeconds`.
   */
  allowAssumeRole(
    roleArn: string,
    trust: { trustedRoleArns: string[]; externalId?: string; maxSessionSeconds?: number },
  ): this {
    this.assumable.set(roleArn, { ...trust, maxSessionSeconds: trust.maxSessionSeconds ?? 3600 });
    return this;
  }

  /** The session a temporary access key id belongs to (its role, token and expiry), if STS issued it. */
  session(accessKeyId: string): IssuedSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** SessionChecker: what IAM and the other stubs answer a request signed with a temporary key. */
  check(accessKeyId: string, sessionToken: string): 'ok' | 'invalid' | 'expired' {
    const session = this.sessions.get(accessKeyId);
    if (!session || session.sessionToken !== sessionToken) return 'invalid';
    return session.expiration.getTime() <= this.now().getTime() ? 'expired' : 'ok';
  }

  /** `aws iam enable-outbound-web-identity-federation`: tokens are signed by `issuer` from now on. */
  enableOutboundFederation(issuer: JwtIssuer): this {
    this.federation = issuer;
    return this;
  }

  /** IAM has propagated every key: they all authenticate from now on. */
  finishPropagation(): void {
    for (const identity of this.identities.values()) identity.propagatingCalls = 0;
  }

  failNext(action: string, error: InjectedError): this {
    this.faults.add(action, error);
    return this;
  }

  private async handle(request: Request): Promise<WireReply> {
    const parsed = await readQueryRequest(request, VERSION, NAMESPACE);
    if (Array.isArray(parsed)) return parsed;
    const signedWith = signingKeyId(request, 'sts');
    this.requests.push({ operation: parsed.action, params: parsed.params, signedWith });
    if (!signedWith)
      return queryError(NAMESPACE, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    if (parsed.action === 'GetWebIdentityToken') return this.webIdentityToken(parsed.params, signedWith);
    if (parsed.action === 'AssumeRole') return this.assumeRole(parsed.params, signedWith);
    if (parsed.action !== 'GetCallerIdentity') {
      return queryError(
        NAMESPACE,
        400,
        'InvalidAction',
        `Could not find operation ${parsed.action} for version ${VERSION}`,
      );
    }

    const fault = this.faults.take(parsed.action);
    if (fault) return queryError(NAMESPACE, fault.status, fault.code, fault.message ?? fault.code);

    const identity = this.identities.get(signedWith);
    if (!identity || identity.propagatingCalls > 0) {
      if (identity) identity.propagatingCalls--;
      return queryError(
        NAMESPACE,
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    }
    return queryResponse(
      NAMESPACE,
      'GetCallerIdentity',
      `<Arn>${identity.arn}</Arn><UserId>${identity.userId}</UserId><Account>${identity.account}</Account>`,
    );
  }

  /**
   * AssumeRole as STS validates it: RoleSessionName 2-64 of [\w+=,.@-], DurationSeconds 900 to the role's
   * maximum (default 3600), ExternalId 2-1224 characters; AccessDenied (403) when the caller is not trusted, the
   * role does not exist or the external id is not the one the trust policy requires (STS does not say which).
   */
  private assumeRole(params: Record<string, string>, signedWith: string): WireReply {
    const fault = this.faults.take('AssumeRole');
    if (fault) return queryError(NAMESPACE, fault.status, fault.code, fault.message ?? fault.code);
    const roleArn = params.RoleArn ?? '';
    const sessionName = params.RoleSessionName ?? '';
    const validation = (what: string) =>
      queryError(NAMESPACE, 400, 'ValidationError', `1 validation error detected: ${what}`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      return validation(
        "Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression " +
          'pattern: [\\w+=,.@-]*',
      );
    if (params.ExternalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(params.ExternalId))
      return validation(
        "Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression " +
          'pattern: [\\w+=,.@:\\/-]*',
      );
    const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900)
      return validation(
        `Value '${params.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have ` +
          'value greater than or equal to 900',
      );
    const caller = this.roles.get(signedWith);
    const role = this.assumable.get(roleArn);
    const trusted =
      role !== undefined &&
      caller !== undefined &&
      role.trustedRoleArns.includes(caller) &&
      (role.externalId === undefined || role.externalId === params.ExternalId);
    if (!trusted) {
      const who = caller ? caller.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') : signedWith;
      return queryError(
        NAMESPACE,
        403,
        'AccessDenied',
        `User: ${who}/session is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (duration > role.maxSessionSeconds)
      return validation(`The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    sessionCounter++;
    const serial = sessionCounter.toString().padStart(12, '0');
    const accessKeyId = `ASIATEMP${serial}`;
    const expiration = new Date(Math.floor(this.now().getTime() / 1000) * 1000 + duration * 1000);
    const session: IssuedSession = {
      roleArn,
      sessionName,
      sessionToken: `FwoGZXIvYXdzEJr//////////session${serial}`,
      secretAccessKey: `temp/secret/${serial}/${'S'.repeat(20)}`,
      expiration,
      ...(params.ExternalId === undefined ? {} : { externalId: params.ExternalId }),
    };
    this.sessions.set(accessKeyId, session);
    const account = roleArn.split(':')[4] ?? '';
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    return queryResponse(
      NAMESPACE,
      'AssumeRole',
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${session.secretAccessKey}` +
        `</SecretAccessKey><SessionToken>${session.sessionToken}</SessionToken><Expiration>` +
        `${expiration.toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA${serial}:` +
        `${sessionName}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}</Arn>` +
        `</AssumedRoleUser>`,
    );
  }

  /**
   * GetWebIdentityToken as STS validates it: Audience.member.N (1 to 10), DurationSeconds 60 to
   * 3600 (default 300), SigningAlgorithm RS256 or ES384 (RS256 only here), a caller in a role, and
   * outbound federation enabled in the account (else 403 OutboundWebIdentityFederationDisabledException).
   */
  private webIdentityToken(params: Record<string, string>, signedWith: string): WireReply {
    const fault = this.faults.take('GetWebIdentityToken');
    if (fault) return queryError(NAMESPACE, fault.status, fault.code, fault.message ?? fault.code);
    const audiences = Object.entries(params)
      .filter(([name]) => /^Audience\.member\.\d+$/.test(name))
      .map(([, value]) => value);
    if (audiences.length < 1 || audiences.length > 10) {
      return queryError(
        NAMESPACE,
        400,
        'ValidationError',
        "1 validation error detected: Value null at 'audience' failed to satisfy constraint: Member must not be null",
      );
    }
    const duration = params.DurationSeconds === undefined ? 300 : Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 60 || duration > 3600) {
      return queryError(
        NAMESPACE,
        400,
        'ValidationError',
        `1 validation error detected: Value '${params.DurationSeconds}' at 'durationSeconds' failed to satisfy ` +
          `constraint: Member must have value between 60 and 3600`,
      );
    }
    if (params.SigningAlgorithm !== 'RS256' && params.SigningAlgorithm !== 'ES384') {
      return queryError(
        NAMESPACE,
        400,
        'ValidationError',
        "1 validation error detected: Value at 'signingAlgorithm' failed to satisfy constraint: Member must " +
          'satisfy enum value set: [RS256, ES384]',
      );
    }
    if (params.SigningAlgorithm !== 'RS256')
      return queryError(NAMESPACE, 400, 'ValidationError', 'stub: only RS256 is implemented');
    const roleArn = this.roles.get(signedWith);
    if (!roleArn)
      return queryError(
        NAMESPACE,
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    if (!this.federation) {
      return queryError(
        NAMESPACE,
        403,
        'OutboundWebIdentityFederationDisabledException',
        'Outbound web identity federation is disabled for this account.',
      );
    }
    const { token, claims } = this.federation.mint(roleArn, audiences, duration);
    const expiration = new Date(claims.exp * 1000).toISOString();
    return queryResponse(
      NAMESPACE,
      'GetWebIdentityToken',
      `<WebIdentityToken>${token}</WebIdentityToken><Expiration>${expiration}</Expiration>`,
    );
  }
}
