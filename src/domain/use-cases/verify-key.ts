import { iamUserOf, secretOf } from '../accounts.js';
import type { KeyVerifierPort } from '../../ports/key-verifier.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { StateConflictError } from '../errors.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/**
 * Step 4: prove the new key authenticates as the IAM user, with that key alone.
 * Throws `KeyNotYetUsableError` while IAM propagates it: the caller retries with backoff.
 */
export class VerifyKey {
  constructor(
    private readonly targets: TargetsPort,
    private readonly secrets: SecretStorePort,
    private readonly verifier: KeyVerifierPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const newAccessKeyId = requireField(state, 'newAccessKeyId', 'verify-key');
    const versionId = requireField(state, 'pendingVersionId', 'verify-key');
    const target = await this.targets.getTarget(state.targetName);
    const credential = await this.secrets.getVersion(secretOf(target), versionId);
    if (credential.accessKeyId !== newAccessKeyId) {
      throw new StateConflictError(
        `target ${state.targetName}: pending version ${versionId} holds ${credential.accessKeyId}, not the new ` +
          `key ${newAccessKeyId}`,
        { context: { target: state.targetName, versionId } },
      );
    }
    await this.verifier.verify(iamUserOf(target), credential);
    return markCompleted(state, 'verify-key');
  }
}
