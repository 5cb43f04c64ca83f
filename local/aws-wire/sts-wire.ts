import nock from 'nock';
import type { JwtIssuer } from '../federation/jwt-issuer.js';
import {
  type InjectedError,
  queryError,
  queryResponse,
  readQueryRequest,
  signingKeyId,
  type WireReply,
  type WireRequest,
  WireFaults,
} from './protocol.js';

/** The regional endpoint SDK v3 uses for STS in us-east-1. */
export const STS_ENDPOINT = 'https://sts.us-east-1.amazonaws.com';
const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';

interface Identity {
  arn: string;
  account: string;
  userId: string;
  /** How many more calls are answered InvalidClientTokenId before the key works (IAM propagation). */
  propagatingCalls: number;
}

/**
 * STS GetCallerIdentity and GetWebIdentityToken on the wire.
 *
 * GetCallerIdentity: answers for the key the request was signed with (read from
 * the SigV4 Authorization header), so a test can prove which credentials the adapter used.
 * Keys it does not know get InvalidClientTokenId (403), as STS answers a deleted or unknown key.
 */
export class StsWire {
  readonly requests: WireRequest[] = [];
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
