import type { AzureDevOpsPort } from '../ports/azure-devops.port.js';
import type { VariableGroupsPort } from '../ports/variable-groups.port.js';
import {
  ConfigurationError,
  ConnectionNotAwsError,
  ConnectionUsesOidcError,
  VariableGroupUnsupportedError,
} from './errors.js';
import type { VariableGroupRef, VariableGroupState } from './holders.js';
import type { AccessKeyCredential, ConnectionRef, RotationTarget } from './model.js';

/**
 * The holders of a target's key beyond its first service connection (issue 13): more service
 * connections and variable groups. The first connection keeps its own fields in the state
 * (`connectionId`) and its own code path; every other holder goes through here, in the order
 * the configuration lists them, its id carried between steps in `holderIds`.
 */
export type HolderRef = { kind: 'connection'; ref: ConnectionRef } | { kind: 'variable-group'; ref: VariableGroupRef };

/** A holder as read: its id, which key it holds, and why it cannot take a rotated key, if it cannot. */
export interface HolderView {
  holder: HolderRef;
  label: string;
  id: string;
  heldAccessKeyId: string | null;
  /** A refusal: the holder is keyless (OIDC), not AWS, Key Vault-linked, or its secret variable is not secret. */
  problem?: Error;
}

/** Every holder after the first connection, in configuration order. */
export function otherHolders(target: RotationTarget): HolderRef[] {
  return [
    ...(target.otherConnections ?? []).map((ref) => ({ kind: 'connection' as const, ref })),
    ...(target.variableGroups ?? []).map((ref) => ({ kind: 'variable-group' as const, ref })),
  ];
}

/** `connection "aws-prod" in project "payments"` / `variable group "aws-deploy" in project "payments"`. */
export function describeHolder(holder: HolderRef): string {
  return holder.kind === 'connection'
    ? `connection "${holder.ref.connectionName}" in project "${holder.ref.project}"`
    : `variable group "${holder.ref.groupName}" in project "${holder.ref.project}"`;
}

/** The first connection's label, in the same words as the other holders'. */
export function describeFirstConnection(target: RotationTarget): string {
  return describeHolder({ kind: 'connection', ref: target.connection });
}

/** Why a variable group cannot take the key as configured (the same rules the adapter enforces on update). */
export function groupProblem(state: VariableGroupState, ref: VariableGroupRef): string | undefined {
  if (state.keyVaultLinked)
    return (
      'is linked to an Azure Key Vault: its values live in the vault; rotate the key there, or use a ' +
      'plain variable group'
    );
  if (!state.hasSecretVariable)
    return (
      `has no variable "${ref.secretAccessKeyVariable}": add it as a secret variable holding the current ` +
      `secret access key`
    );
  if (!state.secretVariableIsSecret) {
    return (
      `holds the secret access key in "${ref.secretAccessKeyVariable}", which is not marked secret: ` +
      `anyone who can read the group sees it; mark it secret, then re-run`
    );
  }
  if (state.accessKeyIdIsSecret)
    return `marks "${ref.accessKeyIdVariable}" secret, so which key it holds cannot be read: make it a plain variable`;
  return undefined;
}

/** Reads and writes every kind of holder through its port. */
export class HolderSet {
  constructor(
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly variableGroups: VariableGroupsPort | undefined,
  ) {}

  /** Finds each holder by name (in parallel); a holder that cannot be found throws its port's refusal. */
  async findAll(holders: readonly HolderRef[]): Promise<HolderView[]> {
    return Promise.all(holders.map((holder) => this.find(holder)));
  }

  async find(holder: HolderRef): Promise<HolderView> {
    const label = describeHolder(holder);
    if (holder.kind === 'connection') {
      const state = await this.azureDevOps.findConnection(holder.ref);
      let problem: Error | undefined;
      if (state.type.toUpperCase() !== 'AWS')
        problem = new ConnectionNotAwsError(
          `${label} is of type "${state.type}", not AWS; check the holder's connectionName`,
        );
      else if (state.usesOidc)
        problem = new ConnectionUsesOidcError(
          `${label} uses OIDC: it holds no static key; remove it from the target's holders`,
        );
      return { holder, label, id: state.id, heldAccessKeyId: state.heldAccessKeyId, ...(problem ? { problem } : {}) };
    }
    const state = await this.groups().findVariableGroup(holder.ref);
    const why = groupProblem(state, holder.ref);
    const problem = why ? new VariableGroupUnsupportedError(`${label} ${why}; nothing was changed`) : undefined;
    return {
      holder,
      label,
      id: String(state.id),
      heldAccessKeyId: state.heldAccessKeyId,
      ...(problem ? { problem } : {}),
    };
  }

  /** Which key the holder with this id holds now. */
  async held(holder: HolderRef, id: string): Promise<string | null> {
    if (holder.kind === 'connection') return (await this.azureDevOps.readConnection(holder.ref, id)).heldAccessKeyId;
    return (await this.groups().readVariableGroup(holder.ref, Number(id))).heldAccessKeyId;
  }

  /** Writes the key into the holder in place. */
  async write(holder: HolderRef, id: string, credential: AccessKeyCredential): Promise<void> {
    if (holder.kind === 'connection') await this.azureDevOps.updateCredential(holder.ref, id, credential);
    else await this.groups().updateCredential(holder.ref, Number(id), credential);
  }

  private groups(): VariableGroupsPort {
    if (!this.variableGroups) {
      throw new ConfigurationError(
        'a target lists variable groups, but this deployment has no variable group adapter bound ' +
          '(TOKENS.VariableGroups)',
      );
    }
    return this.variableGroups;
  }
}

/** The holders and their ids from the state, paired; throws when the state does not match the configuration. */
export function pairHolders(
  target: RotationTarget,
  holderIds: readonly string[] | undefined,
  step: string,
): { holder: HolderRef; id: string }[] {
  const holders = otherHolders(target);
  if (holders.length === 0) return [];
  if (!holderIds || holderIds.length !== holders.length) {
    throw new ConfigurationError(
      `step "${step}" of target ${target.name}: the state carries ${holderIds?.length ?? 0} holder ids for ` +
        `${holders.length} holders; the configuration changed during the run: re-run it`,
      { context: { target: target.name, step } },
    );
  }
  return holders.map((holder, i) => ({ holder, id: holderIds[i]! }));
}
