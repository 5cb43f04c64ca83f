import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { PublishNotVerifiedError } from '../errors.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/** Step 6: read the connection back and confirm it holds the new access key id. */
export class VerifyPublish {
  constructor(
    private readonly targets: TargetsPort,
    private readonly azureDevOps: AzureDevOpsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const connectionId = requireField(state, 'connectionId', 'verify-publish');
    const newAccessKeyId = requireField(state, 'newAccessKeyId', 'verify-publish');
    const target = await this.targets.getTarget(state.targetName);
    const connection = await this.azureDevOps.readConnection(target.connection, connectionId);
    if (connection.heldAccessKeyId !== newAccessKeyId) {
      throw new PublishNotVerifiedError(
        `target ${state.targetName}: connection "${connection.name}" (${connectionId}) holds ${connection.heldAccessKeyId ?? 'no key'} after the update, not the new key ${newAccessKeyId}`,
        { context: { target: state.targetName, connectionId } },
      );
    }
    return markCompleted(state, 'verify-publish');
  }
}
