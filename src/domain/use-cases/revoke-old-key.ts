import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { AccessKeyNotFoundError, StateConflictError } from '../errors.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/**
 * Step 8: retire the old key. Normally it is deactivated (deleted by the next run, after the
 * grace period, so a forgotten consumer can be found and the key reactivated); in emergency
 * mode it is deleted at once. A failure here is a warning, not a rollback: the connection
 * already works with the new key (the state machine and the runner catch it into the report).
 */
export class RevokeOldKey {
  constructor(
    private readonly targets: TargetsPort,
    private readonly iam: IamAccessKeysPort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly secrets: SecretStorePort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const oldAccessKeyId = requireField(state, 'oldAccessKeyId', 'revoke');
    const newAccessKeyId = requireField(state, 'newAccessKeyId', 'revoke');
    const connectionId = requireField(state, 'connectionId', 'revoke');
    const target = await this.targets.getTarget(state.targetName);
    // Safety before speed: never retire a key a holder still holds.
    const [connection, secret] = await Promise.all([
      this.azureDevOps.readConnection(target.connection, connectionId),
      this.secrets.describe(target.secretId),
    ]);
    if (connection.heldAccessKeyId !== newAccessKeyId) {
      throw new StateConflictError(
        `target ${state.targetName}: connection "${connection.name}" holds ${connection.heldAccessKeyId ?? 'no key'}, not the new key ${newAccessKeyId}; the old key ${oldAccessKeyId} was left active`,
        { context: { target: state.targetName, connectionId } },
      );
    }
    if (secret.current?.accessKeyId === oldAccessKeyId) {
      throw new StateConflictError(
        `target ${state.targetName}: the secret's current version ${secret.current.versionId} still holds the old key ${oldAccessKeyId}; it was left active`,
        { context: { target: state.targetName } },
      );
    }
    if (state.mode === 'emergency') {
      await this.iam.deleteKey(target.iamUserName, oldAccessKeyId);
      return markCompleted({ ...state, oldKeyStatus: 'Deleted' }, 'revoke');
    }
    try {
      await this.iam.setKeyStatus(target.iamUserName, oldAccessKeyId, 'Inactive');
      return markCompleted({ ...state, oldKeyStatus: 'Inactive' }, 'revoke');
    } catch (error) {
      if (error instanceof AccessKeyNotFoundError) return markCompleted({ ...state, oldKeyStatus: 'Deleted' }, 'revoke');
      throw error;
    }
  }
}
