import { secretOf } from '../accounts.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/** Step 7: make the pending version current (the old one becomes `AWSPREVIOUS`). No-op when already done. */
export class PromoteSecret {
  constructor(
    private readonly targets: TargetsPort,
    private readonly secrets: SecretStorePort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const versionId = requireField(state, 'pendingVersionId', 'promote');
    const target = await this.targets.getTarget(state.targetName);
    await this.secrets.promote(secretOf(target), versionId);
    return markCompleted(state, 'promote');
  }
}
