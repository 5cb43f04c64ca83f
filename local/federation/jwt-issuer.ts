import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign, verify } from 'node:crypto';

/**
 * The signing half of AWS outbound identity federation, for the STS wire stub and the demo: an
 * account's issuer (`https://{id}.tokens.sts.global.api.aws`) with its own RSA key, minting RS256
 * JWTs shaped like GetWebIdentityToken's (iss, sub = the role ARN, aud, iat, exp, jti and the
 * `https://sts.amazonaws.com/` namespace). The Entra stand-in verifies them with `publicKey`, as
 * Entra ID does with the keys the issuer publishes at its JWKS endpoint.
 */
export interface WebIdentityClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  exp: number;
  jti: string;
  'https://sts.amazonaws.com/': Record<string, unknown>;
}

export class JwtIssuer {
  readonly keyId = randomUUID();
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;

  constructor(readonly issuer: string = `https://${randomUUID()}.tokens.sts.global.api.aws`) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = createPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }));
  }

  /** A token for `roleArn`, as STS mints it for a caller in that role. */
  mint(
    roleArn: string,
    audiences: string[],
    durationSeconds: number,
    nowMs: number = Date.now(),
  ): { token: string; claims: WebIdentityClaims } {
    const iat = Math.floor(nowMs / 1000);
    const account = roleArn.split(':')[4] ?? '000000000000';
    const claims: WebIdentityClaims = {
      iss: this.issuer,
      sub: roleArn,
      aud: audiences.length === 1 ? (audiences[0] as string) : audiences,
      iat,
      exp: iat + durationSeconds,
      jti: randomUUID(),
      'https://sts.amazonaws.com/': { aws_account: account, source_region: 'us-east-1', principal_id: roleArn },
    };
    return { token: this.sign({ kid: this.keyId, typ: 'JWT', alg: 'RS256' }, claims), claims };
  }

  /** Signs any header and claims with this issuer's key (tests forge tokens with it). */
  sign(header: Record<string, unknown>, claims: object): string {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode(header)}.${encode(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }
}

/** A JWT split and checked against `publicKey` (RS256 only); undefined when malformed. */
export function readJwt(
  token: string,
  publicKey: KeyObject | undefined,
): { header: Record<string, unknown>; claims: Record<string, unknown>; signatureValid: boolean } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, signature] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null)
      return undefined;
    const signatureValid =
      header.alg === 'RS256' &&
      publicKey !== undefined &&
      verify('sha256', Buffer.from(`${head}.${body}`), publicKey, Buffer.from(signature, 'base64url'));
    return { header, claims, signatureValid };
  } catch {
    return undefined;
  }
}
