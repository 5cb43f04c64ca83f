import { iamUserOf, secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { AccessKeyNotFoundError, PublishNotVerifiedError } from '../errors.js';
import { HolderSet, pairHolders } from '../holder-set.js';
import { markCompleted, type RotationState } from '../rotation-state.js';
import { type Holdings, readHoldings, refuseIfHeld } from './holders.js';

/**
 * Step 2: carry out the plan's clean-up (delete retired or orphan keys, deactivate a key a failed
 * revoke left active, finish or drop an aborted run's pending version) so IAM's two-key quota has
 * room. Idempotent: deleting a gone key succeeds.
 *
 * Whatever the plan in its input says, a key a holder holds now is never deleted or deactivated:
 * the holders are read before the first key action, and again after the secret changed.
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
    let holdings: Holdings | undefined;
    const fresh = async () => {
      holdings ??= await readHoldings(
        { azureDevOps: this.azureDevOps, secrets: this.secrets, variableGroups: this.variableGroups },
        target,
        state,
        'cleanup',
      );
      return holdings;
    };
    for (const action of actions) {
      switch (action.kind) {
        case 'delete-key':
          refuseIfHeld(await fresh(), action.accessKeyId, state, 'cleanup', 'delete');
          await this.iam.deleteKey(iamUserOf(target), action.accessKeyId);
          break;
        case 'deactivate-key':
          refuseIfHeld(await fresh(), action.accessKeyId, state, 'cleanup', 'deactivate');
          // A key already gone needs no deactivating (a retry after the answer was lost).
          await this.iam.setKeyStatus(iamUserOf(target), action.accessKeyId, 'Inactive').catch((error: unknown) => {
            if (!(error instanceof AccessKeyNotFoundError)) throw error;
          });
          break;
        case 'drop-pending':
          await this.secrets.dropPending(secretOf(target), action.versionId);
          holdings = undefined;
          break;
        case 'promote-pending':
        case 'restore-current':
          await this.secrets.promote(secretOf(target), action.versionId);
          holdings = undefined;
          break;
        case 'sync-holders': {
          // Before any key is retired: every other holder gets the agreed key back, proven by a read.
          const set = new HolderSet(this.azureDevOps, this.variableGroups);
          const credential = await this.secrets.getVersion(secretOf(target), action.versionId);
          for (const { holder, id } of pairHolders(target, state.holderIds, 'cleanup')) {
            if ((await set.held(holder, id)) === action.accessKeyId) continue;
            await set.write(holder, id, credential);
            const after = await set.held(holder, id);
            if (after !== action.accessKeyId) {
              throw new PublishNotVerifiedError(
                `target ${state.targetName}: writing ${action.accessKeyId} back into a holder did not take (it ` +
                  `holds ${after ?? 'no key'})`,
                {
                  context: { target: state.targetName, holderId: id },
                },
              );
            }
          }
          holdings = undefined;
          break;
        }
      }
    }
    return markCompleted(state, 'cleanup');
  }
}
