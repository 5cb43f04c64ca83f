import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { StateConflictError } from '../errors.js';
import { markCompleted, type RotationState } from '../rotation-state.js';

/**
 * Step 2: carry out the plan's clean-up (delete retired or orphan keys, finish or drop an aborted
 * run's pending version) so IAM's two-key quota has room. Idempotent: deleting a gone key succeeds.
 */
export class CleanUpKeys {
  constructor(
    private readonly targets: TargetsPort,
    private readonly iam: IamAccessKeysPort,
    private readonly secrets: SecretStorePort,
    private readonly azureDevOps: AzureDevOpsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const actions = state.plan?.cleanup ?? [];
    if (actions.length === 0) return markCompleted(state, 'cleanup');
    const target = await this.targets.getTarget(state.targetName);
    // Safety: re-read which key the connection holds now; it is never deleted, whatever the plan said.
    const held = state.connectionId
      ? (await this.azureDevOps.readConnection(target.connection, state.connectionId)).heldAccessKeyId
      : null;
    for (const action of actions) {
      switch (action.kind) {
        case 'delete-key':
          if (action.accessKeyId === held) {
            throw new StateConflictError(
              `target ${state.targetName}: the plan would delete ${action.accessKeyId}, but the connection holds it now; nothing was deleted, re-run to plan again`,
              { context: { target: state.targetName, accessKeyId: action.accessKeyId } },
            );
          }
          await this.iam.deleteKey(target.iamUserName, action.accessKeyId);
          break;
        case 'drop-pending':
          await this.secrets.dropPending(target.secretId, action.versionId);
          break;
        case 'promote-pending':
          await this.secrets.promote(target.secretId, action.versionId);
          break;
      }
    }
    return markCompleted(state, 'cleanup');
  }
}
