/**
 * The places other than AWS service connections that hold a target's key, and the canary
 * pipeline that proves a key works from Azure DevOps (issue 13).
 *
 * Kept apart from model.ts so the holder types can grow without touching the core model.
 */

/**
 * How a holder reaches Azure DevOps: the same credential fields as a connection (`ConnectionRef`):
 * a PAT or service principal parameter, or a federated credential (written out here, not picked
 * from model.ts, which imports this module).
 */
export interface AdoCredentialRef {
  credentialParameter?: string;
  federatedCredential?: { tenantId: string; clientId: string };
}

/** A variable group whose variables hold the key: one variable the key id, one secret variable the secret. */
export interface VariableGroupRef extends AdoCredentialRef {
  organizationUrl: string;
  project: string;
  groupName: string;
  /** The variable holding the access key id, e.g. `AWS_ACCESS_KEY_ID`. */
  accessKeyIdVariable: string;
  /** The secret variable holding the secret access key, e.g. `AWS_SECRET_ACCESS_KEY`. */
  secretAccessKeyVariable: string;
}

/** What the rotator knows of a variable group: never a secret value (Azure DevOps returns them as null). */
export interface VariableGroupState {
  /** Variable group ids are integers in Azure DevOps. */
  id: number;
  name: string;
  /** `Vsts` for a plain group, `AzureKeyVault` for a Key Vault-linked one. */
  type: string;
  /** Linked to Azure Key Vault: its values live in the vault, the rotator refuses it. */
  keyVaultLinked: boolean;
  /** The value of the key id variable, or null when the variable is missing or empty. */
  heldAccessKeyId: string | null;
  /** Whether the key id variable is itself marked secret (then its value cannot be read). */
  accessKeyIdIsSecret: boolean;
  /** Whether the secret key variable exists. */
  hasSecretVariable: boolean;
  /**
   * Whether the secret key variable is marked secret (a plain one would show the key to anyone who can read the group).
   */
  secretVariableIsSecret: boolean;
  /** How many variables the group holds (all kept as they are on update). */
  variableCount: number;
}

/** A variable group as listed in a project (for discovery): names and flags only, never a value of a secret. */
export interface VariableGroupSummary {
  id: number;
  name: string;
  type: string;
  variables: { name: string; isSecret: boolean }[];
}

/** Where to look for variable groups: an organization and a project, with the credential to read them. */
export interface ProjectScope extends AdoCredentialRef {
  organizationUrl: string;
  project: string;
}

/** An Azure Pipelines pipeline queued after a publish to prove the new key works where it is used. */
export interface CanaryPipelineRef extends AdoCredentialRef {
  organizationUrl: string;
  project: string;
  /** The pipeline id (the number in `_build?definitionId=` or `/_apis/pipelines/{id}`). */
  pipelineId: number;
  /** The branch to run, e.g. `refs/heads/main`; the pipeline's default branch when absent. */
  branch?: string;
}

export type PipelineRunStatus = 'unknown' | 'inProgress' | 'canceling' | 'completed';
export type PipelineRunResult = 'unknown' | 'succeeded' | 'failed' | 'canceled';

/** A pipeline run as Azure DevOps reports it. */
export interface PipelineRunState {
  runId: number;
  name: string;
  state: PipelineRunStatus;
  /** Set once the run has completed. */
  result: PipelineRunResult | null;
  /** The run's page in Azure DevOps, for people. */
  webUrl: string;
}
