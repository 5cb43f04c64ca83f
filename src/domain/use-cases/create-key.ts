import { iamUserOf, secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { AccessKeyQuotaExceededError, RotationInProgressError, StateConflictError } from '../errors.js';
import type { AccessKeyInfo, NewAccessKey, RotationTarget } from '../model.js';
import { orphansOfRun } from '../plan.js';
import { markCompleted, type RotationState } from '../rotation-state.js';
import { readHoldings } from './holders.js';

/**
 * Step 3: create the new key and store it as the secret's pending version.
 *
 * Idempotent through the rotation id, which is the pending version's id: a retry finds the
 * version the first try wrote and re-uses its key. A key whose create answer was lost (the
 * Lambda died) is active, never used and held by nobody: it is deleted before trying again.
 */
export class CreateKey {
  constructor(
    private readonly targets: TargetsPort,
    private readonly iam: IamAccessKeysPort,
    private readonly secrets: SecretStorePort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly variableGroups?: VariableGroupsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const target = await this.targets.getTarget(state.targetName);
    const secret = await this.secrets.describe(secretOf(target));
    if (secret.pending?.versionId === state.rotationId) {
      return this.done(state, secret.pending.accessKeyId);
    }
    if (secret.pending) {
      // Another run got here first (a manual run during the weekly one): leave its key alone.
      throw new RotationInProgressError(
        `target ${state.targetName}: another rotation (${secret.pending.versionId}) created a key a moment ` +
          `ago; this run stops without creating one`,
        { context: { target: state.targetName, otherRotationId: secret.pending.versionId } },
      );
    }

    const keys = await this.iam.listKeys(iamUserOf(target));
    if (keys.length >= 2) await this.deleteOrphans(state, target, keys, secret.current?.accessKeyId);

    let key: NewAccessKey;
    try {
      key = await this.iam.createKey(iamUserOf(target));
    } catch (error) {
      if (!(error instanceof AccessKeyQuotaExceededError)) throw error;
      await this.deleteOrphans(state, target, await this.iam.listKeys(iamUserOf(target)), secret.current?.accessKeyId);
      key = await this.iam.createKey(iamUserOf(target));
    }

    try {
      await this.secrets.putPending(secretOf(target), state.rotationId, {
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
        iamUserName: target.iamUserName,
        createdAt: key.createdAt,
      });
    } catch (error) {
      // Without its pending version nobody could ever use or find this key: remove it now.
      await this.iam.deleteKey(iamUserOf(target), key.accessKeyId).catch(() => undefined);
      throw error;
    }
    return this.done(state, key.accessKeyId);
  }

  private done(state: RotationState, newAccessKeyId: string): RotationState {
    return markCompleted({ ...state, newAccessKeyId, pendingVersionId: state.rotationId }, 'create');
  }

  /** Deletes keys that only a lost create can have left: active, never used, created by this run, held by nobody. */
  private async deleteOrphans(
    state: RotationState,
    target: RotationTarget,
    keys: AccessKeyInfo[],
    secretKeyId: string | undefined,
  ): Promise<number> {
    if (state.oldAccessKeyId && !keys.some((k) => k.accessKeyId === state.oldAccessKeyId)) {
      throw new StateConflictError(
        `target ${state.targetName}: the old key ${state.oldAccessKeyId} is gone from IAM; re-run to plan again`,
        {
          context: { target: state.targetName },
        },
      );
    }
    // Read what the holders hold now: the input's old key id is what was true at plan time.
    const holdings = await readHoldings(
      { azureDevOps: this.azureDevOps, secrets: this.secrets, variableGroups: this.variableGroups },
      target,
      state,
      'create',
    );
    const orphans = orphansOfRun(keys, state.startedAt, [
      state.oldAccessKeyId,
      secretKeyId,
      ...holdings.holders.keys(),
    ]);
    if (orphans.length === 0) {
      throw new AccessKeyQuotaExceededError(
        `target ${state.targetName}: IAM user ${target.iamUserName} already has two keys (` +
          `${keys.map((k) => `${k.accessKeyId} ${k.status}`).join(', ')}) and neither is an orphan of this ` +
          `run; re-run to plan the clean-up`,
        { context: { target: state.targetName, userName: target.iamUserName } },
      );
    }
    for (const orphan of orphans) await this.iam.deleteKey(iamUserOf(target), orphan.accessKeyId);
    return orphans.length;
  }
}
