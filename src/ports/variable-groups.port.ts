import type { ProjectScope, VariableGroupRef, VariableGroupState, VariableGroupSummary } from '../domain/holders.js';
import type { AccessKeyCredential } from '../domain/model.js';

/**
 * Azure DevOps variable groups (Library) holding a key in two variables, updated in place
 * (same id; every other variable, secret ones included, kept as it is).
 *
 * Errors: `VariableGroupNotFoundError`, `VariableGroupAmbiguousError`, `VariableGroupGoneError`,
 * `VariableGroupUnsupportedError` (on update: Key Vault-linked, or the secret variable not secret),
 * `AzureDevOpsCredentialRejectedError`, `AzureDevOpsNotAuthorizedError`, `AzureDevOpsUnavailableError`,
 * `AzureDevOpsRequestError`.
 */
export interface VariableGroupsPort {
  /** Finds the group by name in its project and reads it. Does not refuse an unsupported group: the plan does. */
  findVariableGroup(ref: VariableGroupRef): Promise<VariableGroupState>;
  /** Reads the group by id. */
  readVariableGroup(ref: VariableGroupRef, groupId: number): Promise<VariableGroupState>;
  /**
   * Writes the key id and the secret into the group's two variables, keeping every other
   * variable (and every other secret value, which Azure DevOps never returns) as it is.
   */
  updateCredential(ref: VariableGroupRef, groupId: number, credential: AccessKeyCredential): Promise<void>;
  /** Every variable group of a project, names and flags only (for discovery). */
  listVariableGroups(scope: ProjectScope): Promise<VariableGroupSummary[]>;
}
