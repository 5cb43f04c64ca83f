/**
 * The REST shapes of Azure DevOps variable groups (Library), api-version 7.1, and of Azure
 * Pipelines runs, as far as the adapters read and write them.
 *
 * Sources: MicrosoftDocs/vsts-rest-api-specs `specification/distributedTask/7.1/taskAgent.json`
 * (definitions `VariableGroup`, `VariableGroupParameters`, `VariableValue`,
 * `VariableGroupProjectReference`; operations `Variablegroups_Get*`, `Variablegroups_Update`) and
 * `specification/pipelines/7.1/pipelines.json` (`Pipelines_Get`, `Runs_Run Pipeline`, `Runs_Get`).
 */

/**
 * `VariableValue`. The spec types `value` as a string, but a read answers every secret variable
 * with `value: null` (the spec's own examples do), and an update that sends a secret variable
 * with `value: null` keeps its stored value (the `UpdateVariableGroup` example).
 */
export interface VariableValue {
  value?: string | null;
  isSecret?: boolean;
  isReadOnly?: boolean;
  [field: string]: unknown;
}

export interface VariableGroupProjectReference {
  name?: string;
  description?: string;
  projectReference?: { id?: string; name?: string };
}

/** `VariableGroup` as a read returns it. */
export interface VariableGroup {
  id?: number;
  name?: string;
  description?: string;
  type?: string;
  providerData?: Record<string, unknown> | null;
  variables?: Record<string, VariableValue | null>;
  variableGroupProjectReferences?: VariableGroupProjectReference[] | null;
  isShared?: boolean;
  [field: string]: unknown;
}

/** `VariableGroupParameters`: the body of `Variablegroups_Update` (the whole group: what is left out is gone). */
export interface VariableGroupParameters {
  name: string;
  description?: string;
  type: string;
  providerData?: Record<string, unknown>;
  variables: Record<string, VariableValue>;
  variableGroupProjectReferences: VariableGroupProjectReference[];
}

/** The plain variable group type; `AzureKeyVault` groups mirror a Key Vault and cannot be written. */
export const PLAIN_GROUP_TYPE = 'Vsts';
export const KEY_VAULT_GROUP_TYPE = 'AzureKeyVault';

/** `Run` (Runs_Get, Runs_Run Pipeline). */
export interface PipelineRun {
  id?: number;
  name?: string;
  state?: string;
  result?: string;
  url?: string;
  _links?: { web?: { href?: string }; [link: string]: unknown };
  pipeline?: { id?: number; name?: string };
  [field: string]: unknown;
}

/** `Pipeline` (Pipelines_Get). */
export interface Pipeline {
  id?: number;
  name?: string;
  folder?: string;
  [field: string]: unknown;
}
