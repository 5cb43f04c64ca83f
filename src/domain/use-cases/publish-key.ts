import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/**
 * Step 5: put the new key into the service connection, in place (same id, same projects,
 * same permissions). The secret goes from Secrets Manager to Azure DevOps and nowhere else.
 * Idempotent: publishing the same key twice leaves the same connection.
 */
export class PublishKey {
  constructor(
    private readonly targets: TargetsPort,
    private readonly secrets: SecretStorePort,
    private readonly azureDevOps: AzureDevOpsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const connectionId = requireField(state, 'connectionId', 'publish');
    const versionId = requireField(state, 'pendingVersionId', 'publish');
    const target = await this.targets.getTarget(state.targetName);
    const credential = await this.secrets.getVersion(target.secretId, versionId);
    await this.azureDevOps.updateCredential(target.connection, connectionId, credential);
    return markCompleted(state, 'publish');
  }
}
