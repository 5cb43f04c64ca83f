import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { PublishNotVerifiedError } from '../errors.js';
import { describeHolder, HolderSet, pairHolders } from '../holder-set.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/** Step 6: read every holder back and confirm each holds the new access key id. */
export class VerifyPublish {
  constructor(
    private readonly targets: TargetsPort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly variableGroups?: VariableGroupsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const connectionId = requireField(state, 'connectionId', 'verify-publish');
    const newAccessKeyId = requireField(state, 'newAccessKeyId', 'verify-publish');
    const target = await this.targets.getTarget(state.targetName);
    const connection = await this.azureDevOps.readConnection(target.connection, connectionId);
    if (connection.heldAccessKeyId !== newAccessKeyId) {
      throw new PublishNotVerifiedError(
        `target ${state.targetName}: connection "${connection.name}" (${connectionId}) holds ` +
          `${connection.heldAccessKeyId ?? 'no key'} after the update, not the new key ${newAccessKeyId}`,
        { context: { target: state.targetName, connectionId } },
      );
    }
    const holders = new HolderSet(this.azureDevOps, this.variableGroups);
    for (const { holder, id } of pairHolders(target, state.holderIds, 'verify-publish')) {
      const held = await holders.held(holder, id);
      if (held !== newAccessKeyId) {
        throw new PublishNotVerifiedError(
          `target ${state.targetName}: ${describeHolder(holder)} (${id}) holds ${held ?? 'no key'} after the ` +
            `update, not the new key ${newAccessKeyId}`,
          { context: { target: state.targetName, holderId: id } },
        );
      }
    }
    return markCompleted(state, 'verify-publish');
  }
}
