import { type IamUser, userNameOf } from '../../src/domain/accounts.js';
import { KeyNotYetUsableError, KeyVerificationFailedError } from '../../src/domain/errors.js';
import type { AccessKeyCredential } from '../../src/domain/model.js';
import type { KeyVerifierPort } from '../../src/ports/key-verifier.port.js';
import type { FakeIam } from './fake-iam.js';
import { FaultInjector } from './faults.js';

/** GetCallerIdentity against the fake IAM: `not yet usable` until the key has propagated. */
export class FakeKeyVerifier implements KeyVerifierPort {
  private readonly iam: FakeIam;
  private readonly faults: FaultInjector;
  /** How many verifications were attempted (tests assert the retries). */
  attempts = 0;

  constructor(options: { iam: FakeIam; faults?: FaultInjector }) {
    this.iam = options.iam;
    this.faults = options.faults ?? new FaultInjector();
  }

  async verify(user: IamUser, credential: AccessKeyCredential): Promise<void> {
    const userName = userNameOf(user);
    return this.faults.around('verifier.verify', () => {
      this.attempts++;
      const result = this.iam.authenticates(credential.accessKeyId, credential.secretAccessKey.reveal());
      if (result === 'not-yet') {
        throw new KeyNotYetUsableError(
          `access key ${credential.accessKeyId} is not usable yet (InvalidClientTokenId); IAM is still propagating it`,
          {
            context: { accessKeyId: credential.accessKeyId },
          },
        );
      }
      if (result === 'invalid') {
        throw new KeyVerificationFailedError(`access key ${credential.accessKeyId} was rejected by STS`, {
          context: { accessKeyId: credential.accessKeyId },
        });
      }
      if (result.userName !== userName) {
        throw new KeyVerificationFailedError(
          `access key ${credential.accessKeyId} authenticates as ${this.iam.userArn(result.userName)}, not as ` +
            `IAM user ${userName}`,
          { context: { accessKeyId: credential.accessKeyId } },
        );
      }
    });
  }
}
