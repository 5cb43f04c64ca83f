import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { PublishNotVerifiedError, StateConflictError } from '../errors.js';
import { HolderSet, pairHolders } from '../holder-set.js';
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
    private readonly variableGroups?: VariableGroupsPort,
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
        case 'sync-holders': {
          // Before any key is retired: every other holder gets the agreed key back, proven by a read.
          const holders = new HolderSet(this.azureDevOps, this.variableGroups);
          const credential = await this.secrets.getVersion(target.secretId, action.versionId);
          for (const { holder, id } of pairHolders(target, state.holderIds, 'cleanup')) {
            if ((await holders.held(holder, id)) === action.accessKeyId) continue;
            await holders.write(holder, id, credential);
            const after = await holders.held(holder, id);
            if (after !== action.accessKeyId) {
              throw new PublishNotVerifiedError(`target ${state.targetName}: writing ${action.accessKeyId} back into a holder did not take (it holds ${after ?? 'no key'})`, {
                context: { target: state.targetName, holderId: id },
              });
            }
          }
          break;
        }
      }
    }
    return markCompleted(state, 'cleanup');
  }
}
