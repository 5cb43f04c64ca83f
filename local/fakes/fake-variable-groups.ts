import {
  VariableGroupAmbiguousError,
  VariableGroupGoneError,
  VariableGroupNotFoundError,
  VariableGroupUnsupportedError,
} from '../../src/domain/errors.js';
import type {
  ProjectScope,
  VariableGroupRef,
  VariableGroupState,
  VariableGroupSummary,
} from '../../src/domain/holders.js';
import type { AccessKeyCredential } from '../../src/domain/model.js';
import type { VariableGroupsPort } from '../../src/ports/variable-groups.port.js';
import { FaultInjector } from './faults.js';

export interface FakeVariable {
  value: string;
  isSecret: boolean;
}

export interface StoredFakeVariableGroup {
  id: number;
  organizationUrl: string;
  projects: string[];
  name: string;
  /** 'Vsts' or 'AzureKeyVault'. */
  type: string;
  /** As stored, secret values included (for assertions only). */
  variables: Record<string, FakeVariable>;
  updates: number;
}

export interface SeedFakeVariableGroup {
  id?: number;
  type?: string;
  variables: Record<string, { value: string; isSecret?: boolean }>;
  projects?: string[];
}

const normalizeOrg = (url: string) => url.replace(/\/+$/, '').toLowerCase();
const find = (variables: Record<string, FakeVariable>, name: string) =>
  Object.entries(variables).find(([key]) => key.toLowerCase() === name.toLowerCase());

/**
 * Variable groups in memory, behaving like the adapter over Azure DevOps: secret values never
 * come back from a read, an update changes the two variables of the key and nothing else, and a
 * Key Vault-linked group or a secret variable not marked secret is refused on update.
 */
export class FakeVariableGroups implements VariableGroupsPort {
  private readonly groups: StoredFakeVariableGroup[] = [];
  private readonly faults: FaultInjector;
  private nextId = 1;

  constructor(options: { faults?: FaultInjector } = {}) {
    this.faults = options.faults ?? new FaultInjector();
  }

  seedVariableGroup(
    ref: Pick<VariableGroupRef, 'organizationUrl' | 'project' | 'groupName'>,
    seed: SeedFakeVariableGroup,
  ): number {
    const id = seed.id ?? this.nextId;
    this.nextId = Math.max(this.nextId, id) + 1;
    const variables: Record<string, FakeVariable> = {};
    for (const [name, v] of Object.entries(seed.variables))
      variables[name] = { value: v.value, isSecret: v.isSecret ?? false };
    this.groups.push({
      id,
      organizationUrl: normalizeOrg(ref.organizationUrl),
      projects: seed.projects ?? [ref.project],
      name: ref.groupName,
      type: seed.type ?? 'Vsts',
      variables,
      updates: 0,
    });
    return id;
  }

  /** The stored group, secret values included (for assertions only). */
  variableGroup(id: number): StoredFakeVariableGroup {
    const found = this.groups.find((g) => g.id === id);
    if (!found) throw new Error(`no variable group ${id}`);
    return found;
  }

  /** The stored group of that name (for assertions only). */
  variableGroupNamed(name: string): StoredFakeVariableGroup {
    const found = this.groups.find((g) => g.name === name);
    if (!found) throw new Error(`no variable group ${name}`);
    return found;
  }

  deleteVariableGroup(id: number): void {
    const index = this.groups.findIndex((g) => g.id === id);
    if (index >= 0) this.groups.splice(index, 1);
  }

  async findVariableGroup(ref: VariableGroupRef): Promise<VariableGroupState> {
    return this.faults.around('groups.findVariableGroup', () => {
      const matches = this.visible(ref).filter((g) => g.name.toLowerCase() === ref.groupName.toLowerCase());
      if (matches.length === 0) {
        throw new VariableGroupNotFoundError(
          `no variable group named "${ref.groupName}" in project "${ref.project}" of ${ref.organizationUrl}; ` +
            `check the holder's groupName`,
        );
      }
      if (matches.length > 1) {
        throw new VariableGroupAmbiguousError(
          `${matches.length} variable groups are named "${ref.groupName}" in project "${ref.project}"; rename ` +
            `all but one`,
        );
      }
      return toState(matches[0]!, ref);
    }, [ref]);
  }

  async readVariableGroup(ref: VariableGroupRef, groupId: number): Promise<VariableGroupState> {
    return this.faults.around('groups.readVariableGroup', () => toState(this.byId(ref, groupId), ref), [ref, groupId]);
  }

  async updateCredential(ref: VariableGroupRef, groupId: number, credential: AccessKeyCredential): Promise<void> {
    return this.faults.around('groups.updateCredential', () => {
      const group = this.byId(ref, groupId);
      const state = toState(group, ref);
      if (
        state.keyVaultLinked ||
        !state.hasSecretVariable ||
        !state.secretVariableIsSecret ||
        state.accessKeyIdIsSecret
      ) {
        throw new VariableGroupUnsupportedError(
          `variable group "${group.name}" (${group.id}) cannot hold the key as configured; nothing was changed`,
        );
      }
      const keyName = find(group.variables, ref.accessKeyIdVariable)?.[0] ?? ref.accessKeyIdVariable;
      const secretName = find(group.variables, ref.secretAccessKeyVariable)?.[0] ?? ref.secretAccessKeyVariable;
      group.variables[keyName] = { value: credential.accessKeyId, isSecret: false };
      group.variables[secretName] = { value: credential.secretAccessKey.reveal(), isSecret: true };
      group.updates++;
    }, [ref, groupId, credential.accessKeyId]);
  }

  async listVariableGroups(scope: ProjectScope): Promise<VariableGroupSummary[]> {
    return this.faults.around('groups.listVariableGroups', () =>
      this.visible(scope).map((g) => ({
        id: g.id,
        name: g.name,
        type: g.type,
        variables: Object.entries(g.variables).map(([name, v]) => ({ name, isSecret: v.isSecret })),
      })),
    );
  }

  private visible(scope: { organizationUrl: string; project: string }): StoredFakeVariableGroup[] {
    return this.groups.filter(
      (g) =>
        g.organizationUrl === normalizeOrg(scope.organizationUrl) &&
        g.projects.some((p) => p.toLowerCase() === scope.project.toLowerCase()),
    );
  }

  private byId(ref: VariableGroupRef, groupId: number): StoredFakeVariableGroup {
    const found = this.visible(ref).find((g) => g.id === groupId);
    if (!found)
      throw new VariableGroupGoneError(
        `variable group ${groupId} ("${ref.groupName}") is gone from project "${ref.project}" of ` +
          `${ref.organizationUrl}`,
      );
    return found;
  }
}

function toState(
  group: StoredFakeVariableGroup,
  ref: Pick<VariableGroupRef, 'accessKeyIdVariable' | 'secretAccessKeyVariable'>,
): VariableGroupState {
  const keyId = find(group.variables, ref.accessKeyIdVariable)?.[1];
  const secret = find(group.variables, ref.secretAccessKeyVariable)?.[1];
  const held = keyId && !keyId.isSecret ? keyId.value.trim() : '';
  return {
    id: group.id,
    name: group.name,
    type: group.type,
    keyVaultLinked: group.type.toLowerCase() === 'azurekeyvault',
    heldAccessKeyId: held === '' ? null : held,
    accessKeyIdIsSecret: keyId?.isSecret === true,
    hasSecretVariable: secret !== undefined,
    secretVariableIsSecret: secret?.isSecret === true,
    variableCount: Object.keys(group.variables).length,
  };
}
