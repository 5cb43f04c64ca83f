import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { inject, injectable } from 'inversify';
import { AwsCallFailedError, OutboundFederationDisabledError } from '../../domain/errors.js';
import { SecretValue } from '../../domain/secret-value.js';
import type { WebIdentityToken, WebIdentityTokenPort } from '../../ports/web-identity-token.port.js';
import { awsErrorCode, mapAwsError } from './aws-errors.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';
import { requestHandler } from './clients.js';

/**
 * `WebIdentityTokenPort` on `sts:GetWebIdentityToken` (AWS outbound identity federation), signed
 * with the Lambda role's own credentials (the standard chain of the client it is given).
 *
 * - The call exists on the regional STS endpoints only (SDK v3's default, `sts.{region}.amazonaws.com`);
 *   a client configured for the global endpoint (region `aws-global`) is refused before the call.
 * - RS256: the algorithm Microsoft Entra ID verifies client assertions with.
 * - The token is wrapped in a `SecretValue` at once: it authenticates as the role for its lifetime.
 */
/** The STS client signed with the Lambda role's credentials (not the key verifier's per-key clients). */
// Its token lives with the other adapter tokens, next to the wiring (src/wiring/tokens.ts).
export const STS_ROLE_CLIENT = ADAPTER_TOKENS.StsRoleClient;

export const SIGNING_ALGORITHM = 'RS256';

/**
 * The client signed with the standard chain (the Lambda role; in the CLI, the operator's identity).
 * SDK v3 resolves STS to the regional endpoint of `AWS_REGION`, which GetWebIdentityToken needs.
 */
export function createStsRoleClient(): STSClient {
  return new STSClient({ requestHandler: requestHandler() });
}

@injectable()
export class StsWebIdentityTokenAdapter implements WebIdentityTokenPort {
  constructor(@inject(STS_ROLE_CLIENT) private readonly client: STSClient) {}

  async getToken(audience: string, durationSeconds: number): Promise<WebIdentityToken> {
    const region = await this.client.config.region();
    if (region === 'aws-global') {
      throw new AwsCallFailedError(
        'sts:GetWebIdentityToken is not available on the STS global endpoint: set AWS_REGION to the region the ' +
          'rotator runs in (not aws-global)',
        { context: { action: 'sts:GetWebIdentityToken', region } },
      );
    }
    let answer: { WebIdentityToken?: string; Expiration?: Date };
    try {
      answer = await this.client.send(
        new GetWebIdentityTokenCommand({
          Audience: [audience],
          DurationSeconds: durationSeconds,
          SigningAlgorithm: SIGNING_ALGORITHM,
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) === 'OutboundWebIdentityFederationDisabled') {
        throw new OutboundFederationDisabledError(
          `AWS outbound identity federation is not enabled in this account (region ${region}), so the rotator ` +
            `cannot get a token for Microsoft Entra ID: run "aws iam enable-outbound-web-identity-federation" ` +
            `once (an account administrator), then register the issuer URL it prints in the Entra app's ` +
            `federated credentials`,
          { context: { action: 'sts:GetWebIdentityToken', region }, cause: error },
        );
      }
      throw mapAwsError(error, {
        action: 'sts:GetWebIdentityToken',
        resource: `audience ${audience}`,
        context: { action: 'sts:GetWebIdentityToken', audience, region },
      });
    }
    const { WebIdentityToken: token, Expiration: expiresAt } = answer;
    if (
      typeof token !== 'string' ||
      token === '' ||
      !(expiresAt instanceof Date) ||
      Number.isNaN(expiresAt.getTime())
    ) {
      throw new AwsCallFailedError('sts:GetWebIdentityToken answered without a token or an expiration', {
        context: { action: 'sts:GetWebIdentityToken', region },
      });
    }
    return { token: new SecretValue(token), expiresAt };
  }
}
