import { iamUserOf, secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { AccessKeyNotFoundError, StateConflictError } from '../errors.js';
import { describeHolder, HolderSet, pairHolders } from '../holder-set.js';
import type { RotationTarget } from '../model.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';

/**
 * Step 8: retire the old key. Normally it is deactivated (deleted by the next run, after the
 * grace period, so a forgotten consumer can be found and the key reactivated); in emergency
 * mode it is deleted at once. A failure here is a warning, not a rollback: every holder
 * already works with the new key (the state machine and the runner catch it into the report).
 *
 * Retire by evidence: before deactivating, IAM's last use of the old key is read. A use after
 * the new key was published comes from a consumer that is not a holder; by default the key then
 * stays active until its grace period ends and the report names the service and region of that
 * use, so a person can find the consumer (`oldKeyUsedAfterPublish: "deactivate"` retires it anyway).
 */
export class RevokeOldKey {
  constructor(
    private readonly targets: TargetsPort,
    private readonly iam: IamAccessKeysPort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly secrets: SecretStorePort,
    private readonly variableGroups?: VariableGroupsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const oldAccessKeyId = requireField(state, 'oldAccessKeyId', 'revoke');
    const newAccessKeyId = requireField(state, 'newAccessKeyId', 'revoke');
    const connectionId = requireField(state, 'connectionId', 'revoke');
    const target = await this.targets.getTarget(state.targetName);
    // A target naming a canary retires its old key only on the evidence of a succeeded run.
    if (target.canary && !(state.canary?.state === 'completed' && state.canary.result === 'succeeded')) {
      throw new StateConflictError(
        `target ${state.targetName} names canary pipeline ${target.canary.pipelineId}, but no run of it ` +
          `succeeded in this rotation; the old key ${oldAccessKeyId} was left active`,
        { context: { target: state.targetName } },
      );
    }
    // Safety before speed: never retire a key a holder still holds.
    const [connection, secret] = await Promise.all([
      this.azureDevOps.readConnection(target.connection, connectionId),
      this.secrets.describe(secretOf(target)),
    ]);
    if (connection.heldAccessKeyId !== newAccessKeyId) {
      throw new StateConflictError(
        `target ${state.targetName}: connection "${connection.name}" holds ` +
          `${connection.heldAccessKeyId ?? 'no key'}, not the new key ${newAccessKeyId}; the old key ` +
          `${oldAccessKeyId} was left active`,
        { context: { target: state.targetName, connectionId } },
      );
    }
    if (secret.current?.accessKeyId === oldAccessKeyId) {
      throw new StateConflictError(
        `target ${state.targetName}: the secret's current version ${secret.current.versionId} still holds the ` +
          `old key ${oldAccessKeyId}; it was left active`,
        { context: { target: state.targetName } },
      );
    }
    const holders = new HolderSet(this.azureDevOps, this.variableGroups);
    for (const { holder, id } of pairHolders(target, state.holderIds, 'revoke')) {
      const held = await holders.held(holder, id);
      if (held !== newAccessKeyId) {
        throw new StateConflictError(
          `target ${state.targetName}: ${describeHolder(holder)} holds ${held ?? 'no key'}, not the new key ` +
            `${newAccessKeyId}; the old key ${oldAccessKeyId} was left active`,
          { context: { target: state.targetName, holderId: id } },
        );
      }
    }
    if (state.mode === 'emergency') {
      await this.iam.deleteKey(iamUserOf(target), oldAccessKeyId);
      return markCompleted({ ...state, oldKeyStatus: 'Deleted' }, 'revoke');
    }
    const evidence = await this.usedAfterPublish(state, target, oldAccessKeyId);
    let warnings = state.warnings;
    if (evidence) {
      const settings = await this.targets.getSettings();
      if (settings.oldKeyUsedAfterPublish !== 'deactivate') {
        const kept =
          `${evidence}; it stays active until its ${settings.gracePeriodDays}-day grace period ends ` +
          `(oldKeyUsedAfterPublish: keep-active): find that consumer and give it the new key, or list it as a holder`;
        return markCompleted({ ...state, oldKeyStatus: 'Active', warnings: [...warnings, kept] }, 'revoke');
      }
      warnings = [
        ...warnings,
        `${evidence}; it was deactivated anyway (oldKeyUsedAfterPublish: deactivate): that consumer fails ` +
          `until it gets the new key`,
      ];
    }
    try {
      await this.iam.setKeyStatus(iamUserOf(target), oldAccessKeyId, 'Inactive');
      return markCompleted({ ...state, oldKeyStatus: 'Inactive', warnings }, 'revoke');
    } catch (error) {
      if (error instanceof AccessKeyNotFoundError)
        return markCompleted({ ...state, oldKeyStatus: 'Deleted', warnings }, 'revoke');
      throw error;
    }
  }

  /** A sentence when IAM says the old key was used after the publish (GetAccessKeyLastUsed), else undefined. */
  private async usedAfterPublish(
    state: RotationState,
    target: RotationTarget,
    oldAccessKeyId: string,
  ): Promise<string | undefined> {
    if (!state.publishedAt) return undefined;
    const old = (await this.iam.listKeys(iamUserOf(target))).find((k) => k.accessKeyId === oldAccessKeyId);
    if (!old?.lastUsedAt || old.lastUsedAt.getTime() <= Date.parse(state.publishedAt)) return undefined;
    const where = `${old.lastUsedService ?? 'an unknown service'} in ${old.lastUsedRegion ?? 'an unknown region'}`;
    return (
      `the old key ${oldAccessKeyId} was used at ${old.lastUsedAt.toISOString()} (${where}), after the ` +
      `new key was published at ${state.publishedAt}: something that is not a holder still uses it`
    );
  }
}
