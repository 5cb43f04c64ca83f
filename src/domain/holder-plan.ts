import { HoldersDisagreeError } from './errors.js';
import type { HolderView } from './holder-set.js';
import type { SecretState } from './model.js';
import type { CleanupAction, Plan } from './rotation-state.js';

export interface HolderFacts {
  /** The plan decided from IAM, the first connection and the secret. */
  plan: Plan;
  rotationId: string;
  firstLabel: string;
  /** The key the first connection holds. */
  firstHeld: string | null;
  secret: SecretState;
  others: readonly HolderView[];
}

/**
 * Extends a plan to every holder of the key (pure). Every other holder must hold the key the
 * first connection holds, except right after an interrupted run: a holder may then hold the
 * other key of that run (the aborted run's pending key, or the old key the run was replacing),
 * and a `sync-holders` clean-up, run first, writes the agreed key back into it so that no
 * holder is left with a key the clean-up retires. Anything else is a refusal naming the holder.
 */
export function extendPlanToHolders(facts: HolderFacts): Plan {
  const { plan, firstHeld, secret, others, firstLabel, rotationId } = facts;
  if (plan.action === 'refuse') return plan;
  const refuse = (error: { name: string; message: string }): Plan => ({
    ...plan,
    action: 'refuse',
    reason: error.message,
    code: error.name,
    cleanup: [],
  });

  const problem = others.find((view) => view.problem)?.problem;
  if (problem) return refuse(problem);
  const pending = secret.pending && secret.pending.versionId !== rotationId ? secret.pending : null;
  const dropping = pending && plan.cleanup.some((c) => c.kind === 'drop-pending' && c.versionId === pending.versionId);
  const promoting =
    pending && plan.cleanup.some((c) => c.kind === 'promote-pending' && c.versionId === pending.versionId);
  // A rollback stopped half-way: the secret's current version holds the run's new key, and the
  // clean-up moves AWSCURRENT back to the version holding the connection's key.
  const restoring = plan.cleanup.find((c) => c.kind === 'restore-current');
  // The version holding the agreed key, to write into holders left apart by the interrupted run.
  const source = promoting
    ? pending
    : restoring
      ? { versionId: restoring.versionId }
      : secret.current?.accessKeyId === firstHeld
        ? secret.current
        : null;
  const apart: string[] = [];
  for (const view of others) {
    if (view.heldAccessKeyId === firstHeld) continue;
    // On the dropped pending key, or on the secret's current key: that one is not the agreed key here, so only a
    // promote or a restore explains it (and is the source); without either there is no source, and a refusal.
    const leftByRun =
      (dropping && view.heldAccessKeyId === pending.accessKeyId) ||
      view.heldAccessKeyId === secret.current?.accessKeyId;
    if (leftByRun && source) {
      apart.push(view.label);
      continue;
    }
    return refuse(
      new HoldersDisagreeError(
        `${view.label} holds ` +
          `${view.heldAccessKeyId ? `access key ${view.heldAccessKeyId}` : 'no access key id'}, but ` +
          `${firstLabel} holds ${firstHeld ?? 'none'}: every holder of one key must hold the same key; set ` +
          `${view.label} to ${firstHeld ?? 'the current key'} by hand (or remove it from the target), then re-run`,
      ),
    );
  }
  if (apart.length === 0 || !source || !firstHeld) return plan;
  const sync: CleanupAction = {
    kind: 'sync-holders',
    versionId: source.versionId,
    accessKeyId: firstHeld,
    reason:
      `an interrupted rotation left ${apart.join(', ')} holding another key; writing ${firstHeld} back ` +
      `into them first`,
  };
  return {
    ...plan,
    action: plan.action === 'skip' ? 'repair' : plan.action,
    reason: `${sync.reason}; ${plan.reason}`,
    cleanup: [sync, ...plan.cleanup],
  };
}
