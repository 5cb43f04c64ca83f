import { iamUserOf, secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { AzureDevOpsRateLimitedError, isTransient, RollbackFailedError } from '../errors.js';
import { describeHolder, type HolderRef, HolderSet, pairHolders } from '../holder-set.js';
import type { RotationTarget } from '../model.js';
import { orphansOfRun } from '../plan.js';
import { markCompleted, requireField, type RotationState } from '../rotation-state.js';
import { readHoldings } from './holders.js';

/** The target's other holders, how to reach them, and those not on the old key. */
interface OtherHolders {
  set: HolderSet;
  others: { holder: HolderRef; id: string }[];
  apart: { holder: HolderRef; id: string }[];
}

/**
 * Puts a target back as it was before the run, from whatever point the run failed at.
 *
 * Order is what keeps pipelines working: first the connection, then every other holder (more
 * connections, variable groups) gets the old key back (each read back to prove it; both keys
 * stay active meanwhile, so every holder works at every step), then the secret's `AWSCURRENT` moves back, then, once
 * the holders are
 * read again and none holds it, the new key is deleted, and last the pending label is dropped.
 * Each action checks before it acts, so a rollback that is retried, or that runs after a step that
 * never happened, is safe.
 *
 * Transient errors and a blocked Azure DevOps identity are thrown (the caller retries); any other
 * error ends the rollback with `consistent: false` and a sentence saying what is left, for the report.
 */
export class RollBack {
  constructor(
    private readonly targets: TargetsPort,
    private readonly iam: IamAccessKeysPort,
    private readonly secrets: SecretStorePort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly variableGroups?: VariableGroupsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const actions: string[] = [];
    try {
      const target = await this.targets.getTarget(state.targetName);
      const result = await this.rollBack(state, target, actions);
      const rollback =
        result === 'kept-new-key' ? { actions, consistent: true, keptNewKey: true } : { actions, consistent: result };
      return markCompleted({ ...state, rollback }, 'rollback');
    } catch (error) {
      // Retried by the caller: a transient error at once, a blocked Azure DevOps identity after its wait
      // (RATE_LIMITED_RETRY), so a block after the publish still ends with every holder on the old key.
      if (isTransient(error) || error instanceof AzureDevOpsRateLimitedError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      actions.push(`stopped: ${reason}`);
      return markCompleted({ ...state, rollback: { actions, consistent: false } }, 'rollback');
    }
  }

  private async rollBack(
    state: RotationState,
    target: RotationTarget,
    actions: string[],
  ): Promise<boolean | 'kept-new-key'> {
    // Every later action is checked against the connection, so without its id nothing can be checked.
    const connectionId = requireField(state, 'connectionId', 'rollback');
    const secret = await this.secrets.describe(secretOf(target));
    const ours = [secret.pending, secret.current, secret.previous].find((v) => v?.versionId === state.rotationId);
    const newAccessKeyId = state.newAccessKeyId ?? ours?.accessKeyId;
    if (!newAccessKeyId) {
      // No key reached the secret, but a create whose answer was lost may have left one in IAM.
      const connection = await this.azureDevOps.readConnection(target.connection, connectionId);
      const orphans = orphansOfRun(await this.iam.listKeys(iamUserOf(target)), state.startedAt, [
        connection.heldAccessKeyId,
        state.oldAccessKeyId,
        secret.current?.accessKeyId,
        secret.previous?.accessKeyId,
        secret.pending?.accessKeyId,
      ]);
      for (const orphan of orphans) {
        await this.iam.deleteKey(iamUserOf(target), orphan.accessKeyId);
        actions.push(`deleted key ${orphan.accessKeyId}, created by this run but never stored`);
      }
      if (orphans.length === 0) actions.push('nothing to roll back: no new key was stored');
      return true;
    }

    // 1. The connection, then every other holder: back to the old key, each proven by reading it back.
    const oldAccessKeyId = requireField(state, 'oldAccessKeyId', 'rollback');
    const set = new HolderSet(this.azureDevOps, this.variableGroups);
    const others = pairHolders(target, state.holderIds, 'rollback');
    const othersHeld = await Promise.all(others.map(({ holder, id }) => set.held(holder, id)));
    const apart = others.filter((_, i) => othersHeld[i] !== oldAccessKeyId);
    const rolledForward = await this.restoreConnection(
      state,
      target,
      connectionId,
      oldAccessKeyId,
      newAccessKeyId,
      actions,
      { set, others, apart },
    );
    if (rolledForward) return 'kept-new-key';
    if (apart.length > 0 && state.oldVersionId) {
      const old = await this.secrets.getVersion(secretOf(target), state.oldVersionId);
      if (old.accessKeyId !== oldAccessKeyId) {
        throw new RollbackFailedError(
          `the secret's version ${state.oldVersionId} holds ${old.accessKeyId}, not the old key ` +
            `${oldAccessKeyId}; ${apart.map((o) => describeHolder(o.holder)).join(', ')} left holding the new ` +
            `key ${newAccessKeyId}, which was kept`,
        );
      }
      for (const { holder, id } of apart) {
        await set.write(holder, id, old);
        const after = await set.held(holder, id);
        if (after !== oldAccessKeyId) {
          throw new RollbackFailedError(
            `restoring ${describeHolder(holder)} (${id}) did not take: it holds ${after ?? 'no key'}; the new ` +
              `key ${newAccessKeyId} was kept so it keeps working`,
          );
        }
        actions.push(`restored ${describeHolder(holder)} to the old key ${oldAccessKeyId}`);
      }
    }

    // 2. The secret: AWSCURRENT back on the old version.
    if (state.oldVersionId && secret.current?.versionId !== state.oldVersionId) {
      await this.secrets.promote(secretOf(target), state.oldVersionId);
      actions.push(`moved the secret's AWSCURRENT back to version ${state.oldVersionId}`);
    }

    // 3. The old key must be active (it is, unless something outside the run touched it).
    const keys = await this.iam.listKeys(iamUserOf(target));
    const oldKey = keys.find((k) => k.accessKeyId === oldAccessKeyId);
    if (oldKey && oldKey.status !== 'Active') {
      await this.iam.setKeyStatus(iamUserOf(target), oldKey.accessKeyId, 'Active');
      actions.push(`reactivated the old key ${oldKey.accessKeyId}`);
    }

    // 4. Only now, with nothing holding it (read again: proven, not assumed), the new key goes.
    // (The secret's current version is the old one again, so the check cannot be fooled by step 2.)
    if (keys.some((k) => k.accessKeyId === newAccessKeyId)) {
      const holdings = await readHoldings(
        { azureDevOps: this.azureDevOps, secrets: this.secrets, variableGroups: this.variableGroups },
        target,
        state,
        // Stryker disable next-line StringLiteral: named only in errors on connectionId, holderIds: checked above
        'rollback',
      );
      const holder = holdings.holders.get(newAccessKeyId);
      if (holder !== undefined) {
        throw new RollbackFailedError(
          `${holder} holds the new key ${newAccessKeyId}, so it was not deleted; the old key ${oldAccessKeyId} ` +
            `is kept too`,
        );
      }
      await this.iam.deleteKey(iamUserOf(target), newAccessKeyId);
      actions.push(`deleted the new key ${newAccessKeyId}`);
    }

    // 5. Last, the pending label: it is the record that the new key is ours, so it outlives the key
    // (a rollback stopped before this point leaves the next run the proof it needs to delete it).
    if (ours || state.pendingVersionId) {
      await this.secrets.dropPending(secretOf(target), state.pendingVersionId ?? state.rotationId);
      actions.push(`dropped the pending secret version ${state.pendingVersionId ?? state.rotationId}`);
    }
    return true;
  }

  /** Puts the old key back into the connection and reads it back; true when it rolled forward instead. */
  private async restoreConnection(
    state: RotationState,
    target: RotationTarget,
    connectionId: string,
    oldAccessKeyId: string,
    newAccessKeyId: string,
    actions: string[],
    holders: OtherHolders,
  ): Promise<boolean> {
    const connection = await this.azureDevOps.readConnection(target.connection, connectionId);
    if ((connection.heldAccessKeyId !== oldAccessKeyId || holders.apart.length > 0) && !state.oldVersionId) {
      return this.rollForward(state, target, newAccessKeyId, connection.heldAccessKeyId, actions, holders);
    }
    if (connection.heldAccessKeyId !== oldAccessKeyId && state.oldVersionId) {
      const old = await this.secrets.getVersion(secretOf(target), state.oldVersionId);
      if (old.accessKeyId !== oldAccessKeyId) {
        throw new RollbackFailedError(
          `the secret's version ${state.oldVersionId} holds ${old.accessKeyId}, not the old key ` +
            `${oldAccessKeyId}; the connection was left holding ${connection.heldAccessKeyId}`,
        );
      }
      await this.azureDevOps.updateCredential(target.connection, connectionId, old);
      const after = await this.azureDevOps.readConnection(target.connection, connectionId);
      if (after.heldAccessKeyId !== oldAccessKeyId) {
        throw new RollbackFailedError(
          `restoring the connection did not take: it holds ${after.heldAccessKeyId ?? 'no key'}; the new key ` +
            `${newAccessKeyId} was kept so it keeps working`,
        );
      }
      actions.push(`restored the connection to the old key ${oldAccessKeyId}`);
    }
    return false;
  }

  /**
   * The secret did not exist before this run, so the old credential is nowhere to read back
   * (Azure DevOps never returns it). If the connection already holds the new, verified key,
   * keeping it is the only way to leave the pipeline working: promote it and keep the old key active.
   */
  private async rollForward(
    state: RotationState,
    target: RotationTarget,
    newAccessKeyId: string,
    held: string | null,
    actions: string[],
    { set, others }: OtherHolders,
  ): Promise<boolean> {
    if (held !== newAccessKeyId) {
      throw new RollbackFailedError(
        `the connection holds ${held ?? 'no key'}, and the old credential cannot be restored because the ` +
          `secret did not exist before this run`,
      );
    }
    // The other holders follow the connection to the new key, so that all of them agree again.
    const pending = await this.secrets.getVersion(secretOf(target), state.pendingVersionId ?? state.rotationId);
    for (const { holder, id } of others) {
      if ((await set.held(holder, id)) === newAccessKeyId) continue;
      await set.write(holder, id, pending);
      if ((await set.held(holder, id)) !== newAccessKeyId) {
        throw new RollbackFailedError(
          `${describeHolder(holder)} (${id}) did not take the new key ${newAccessKeyId}; the old key ` +
            `${state.oldAccessKeyId} stays active`,
        );
      }
      actions.push(
        `published the new key ${newAccessKeyId} to ${describeHolder(holder)} too, so that every holder agrees`,
      );
    }
    await this.secrets.promote(secretOf(target), state.pendingVersionId ?? state.rotationId);
    actions.push(
      `kept the new key ${newAccessKeyId}: the connection already held it and the old credential was never in ` +
        `the secret, so it could not be restored; the old key ${state.oldAccessKeyId} stays active`,
    );
    return true;
  }
}
