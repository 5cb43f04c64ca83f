import { secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { StateConflictError } from '../errors.js';
import { describeHolder, HolderSet, pairHolders } from '../holder-set.js';
import type { RotationTarget } from '../model.js';
import { type RotationState, requireField, type StepName } from '../rotation-state.js';

/**
 * What the holders of a target's key hold now, read fresh before any key is deleted or deactivated.
 *
 * Why fresh: a step's input says what was true when an earlier step ran; a person, another run or
 * a crafted input may have changed things since. Why required: a step input without the
 * connection id cannot be checked, and a check that is skipped is no check, so it is invalid input.
 */
export interface Holdings {
  /** Key id → who holds it ("the connection", "the secret's current version"). */
  readonly holders: ReadonlyMap<string, string>;
}

export async function readHoldings(
  ports: { azureDevOps: AzureDevOpsPort; secrets: SecretStorePort; variableGroups?: VariableGroupsPort | undefined },
  target: RotationTarget,
  state: RotationState,
  step: StepName,
): Promise<Holdings> {
  const connectionId = requireField(state, 'connectionId', step);
  // Every other holder of the key (connections, variable groups) counts as much as the first connection.
  const others = pairHolders(target, state.holderIds, step);
  const set = new HolderSet(ports.azureDevOps, ports.variableGroups);
  const [connection, secret, othersHeld] = await Promise.all([
    ports.azureDevOps.readConnection(target.connection, connectionId),
    ports.secrets.describe(secretOf(target)),
    Promise.all(others.map(({ holder, id }) => set.held(holder, id))),
  ]);
  const holders = new Map<string, string>();
  if (secret.current)
    holders.set(secret.current.accessKeyId, `the secret's current version ${secret.current.versionId}`);
  for (const [i, held] of othersHeld.entries()) {
    const other = others[i];
    if (held && other) holders.set(held, describeHolder(other.holder));
  }
  // The connection last, so a key both hold is named after the connection (what breaks pipelines).
  if (connection.heldAccessKeyId) holders.set(connection.heldAccessKeyId, `connection "${connection.name}"`);
  return { holders };
}

/** Throws `StateConflictError`, changing nothing, when a holder holds `accessKeyId`. */
export function refuseIfHeld(
  holdings: Holdings,
  accessKeyId: string,
  state: RotationState,
  step: StepName,
  action: string,
): void {
  const holder = holdings.holders.get(accessKeyId);
  if (holder === undefined) return;
  throw new StateConflictError(
    `target ${state.targetName}: step "${step}" would ${action} key ${accessKeyId}, but ${holder} holds it ` +
      `now; it was left as it is, re-run to plan again`,
    { context: { target: state.targetName, step, accessKeyId } },
  );
}
