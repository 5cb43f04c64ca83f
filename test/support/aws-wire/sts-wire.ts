import nock from 'nock';
import { type InjectedError, queryError, queryResponse, readQueryRequest, signingKeyId, type WireReply, type WireRequest, WireFaults } from './protocol.js';

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
 * STS GetCallerIdentity on the wire: answers for the key the request was signed with (read from
 * the SigV4 Authorization header), so a test can prove which credentials the adapter used.
 * Keys it does not know get InvalidClientTokenId (403), as STS answers a deleted or unknown key.
 */
export class StsWire {
  readonly requests: WireRequest[] = [];
  readonly faults = new WireFaults();
  private readonly identities = new Map<string, Identity>();

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
    if (!signedWith) return queryError(NAMESPACE, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    if (parsed.action !== 'GetCallerIdentity') {
      return queryError(NAMESPACE, 400, 'InvalidAction', `Could not find operation ${parsed.action} for version ${VERSION}`);
    }

    const fault = this.faults.take(parsed.action);
    if (fault) return queryError(NAMESPACE, fault.status, fault.code, fault.message ?? fault.code);

    const identity = this.identities.get(signedWith);
    if (!identity || identity.propagatingCalls > 0) {
      if (identity) identity.propagatingCalls--;
      return queryError(NAMESPACE, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    return queryResponse(
      NAMESPACE,
      'GetCallerIdentity',
      `<Arn>${identity.arn}</Arn><UserId>${identity.userId}</UserId><Account>${identity.account}</Account>`,
    );
  }
}
