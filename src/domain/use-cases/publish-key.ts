import { secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { ClockPort } from '../../ports/clock.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { HolderSet, pairHolders } from '../holder-set.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/**
 * Step 5: put the new key into every holder, in place: the service connection (same id, same
 * projects, same permissions), then each other connection and variable group in configuration
 * order. The secret goes from Secrets Manager to Azure DevOps and nowhere else. Idempotent:
 * publishing the same key twice leaves the same holders. A failure at any holder is rolled back
 * from every holder (the old key stays active until the revoke step, so each one keeps working).
 */
export class PublishKey {
  constructor(
    private readonly targets: TargetsPort,
    private readonly secrets: SecretStorePort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly clock: ClockPort,
    private readonly variableGroups?: VariableGroupsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const connectionId = requireField(state, 'connectionId', 'publish');
    const versionId = requireField(state, 'pendingVersionId', 'publish');
    const target = await this.targets.getTarget(state.targetName);
    const others = pairHolders(target, state.holderIds, 'publish');
    const credential = await this.secrets.getVersion(secretOf(target), versionId);
    // Recorded before the first write: a use of the old key after this is a consumer that is not a holder.
    const publishedAt = state.publishedAt ?? this.clock.now().toISOString();
    await this.azureDevOps.updateCredential(target.connection, connectionId, credential);
    const holders = new HolderSet(this.azureDevOps, this.variableGroups);
    for (const { holder, id } of others) await holders.write(holder, id, credential);
    return markCompleted({ ...state, publishedAt }, 'publish');
  }
}
