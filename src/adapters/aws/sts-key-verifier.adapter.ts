import { GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { inject, injectable } from 'inversify';
import { KeyNotYetUsableError, KeyVerificationFailedError } from '../../domain/errors.js';
import { type IamUser, userNameOf } from '../../domain/accounts.js';
import type { AccessKeyCredential } from '../../domain/model.js';
import type { KeyVerifierPort } from '../../ports/key-verifier.port.js';
import { awsErrorCode, redactedCause } from './aws-errors.js';
import type { StsClientFactory } from './clients.js';
import { withoutSdkRetries } from './sdk-retries.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/**
 * STS answers these while a new key propagates through IAM (seconds, sometimes a minute): the
 * state machine retries them with backoff. They are also what a wrong or deleted key gets, which
 * is why the retries are bounded there.
 */
const NOT_YET_USABLE_CODES = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch']);

/**
 * Proves a new key works by calling `sts:GetCallerIdentity` signed with that key alone (the
 * injected factory builds a client with no other credentials), and that it is the expected user's.
 *
 * GetCallerIdentity needs no IAM permission, so a key that authenticates always gets an answer.
 */
@injectable()
export class StsKeyVerifierAdapter implements KeyVerifierPort {
  constructor(@inject(ADAPTER_TOKENS.StsClientFactory) private readonly createClient: StsClientFactory) {}

  async verify(user: IamUser, credential: AccessKeyCredential): Promise<void> {
    const { accessKeyId } = credential;
    const userName = userNameOf(user);
    const context = { userName, accessKeyId };
    const client = this.createClient(credential);
    let identity: GetCallerIdentityCommandOutput;
    try {
      // One attempt whatever the factory configured: the backoff belongs to the state machine.
      identity = await client.send(withoutSdkRetries(new GetCallerIdentityCommand({})));
    } catch (error) {
      const code = awsErrorCode(error) ?? 'UnknownError';
      const cause = redactedCause(error, [credential.secretAccessKey.reveal()]);
      if (NOT_YET_USABLE_CODES.has(code)) {
        throw new KeyNotYetUsableError(
          `access key ${accessKeyId} is not usable yet (${code}); IAM is still propagating it`,
          { context, cause },
        );
      }
      throw new KeyVerificationFailedError(`access key ${accessKeyId} was rejected by STS (${code})`, {
        context,
        cause,
      });
    } finally {
      client.destroy();
    }

    if (!identity.Arn || !isIamUserArn(identity.Arn, user)) {
      throw new KeyVerificationFailedError(
        `access key ${accessKeyId} authenticates as ${identity.Arn ?? 'an unknown identity'}, not as IAM user ` +
          `${describeUser(user)}`,
        { context: { ...context, arn: identity.Arn ?? null } },
      );
    }
  }
}

/**
 * True for `arn:<partition>:iam::<account>:user/<userName>`, with any IAM path between `user` and
 * the name (`user/ci/deployers/<userName>`). The partition may be `aws`, `aws-cn`, `aws-us-gov`...
 * When `user` gives its path or account (a target's `iamUserPath`, `iamUserArn` or `assumeRole`), they
 * must match too: a key of a same-named user in another account or path is not the target's.
 */
export function isIamUserArn(arn: string, user: IamUser): boolean {
  const userName = userNameOf(user);
  const [prefix, partition, service, region, account, resource, ...rest] = arn.split(':');
  if (prefix !== 'arn' || !partition?.startsWith('aws') || service !== 'iam' || region !== '' || rest.length > 0)
    return false;
  if (!account || !/^\d{12}$/.test(account) || !resource?.startsWith('user/')) return false;
  if (resource.slice(resource.lastIndexOf('/') + 1) !== userName) return false;
  if (typeof user === 'string') return true;
  const path = resource.slice('user'.length, resource.lastIndexOf('/') + 1);
  return (
    (user.path === undefined || user.path === path) && (user.accountId === undefined || user.accountId === account)
  );
}

/** `NAME`, `/ci/NAME`, `/ci/NAME in account 222222222222`: what the verifier expected. */
const describeUser = (user: IamUser): string =>
  typeof user === 'string'
    ? user
    : `${user.path && user.path !== '/' ? user.path : ''}${user.userName}` +
      `${user.accountId ? ` in account ${user.accountId}` : ''}`;
