import type { AccessKeyCredential, ConnectionRef } from '../domain/model.js';

/** An organization and the Azure DevOps credential to read it with (an SSM parameter, or a federated credential). */
export type OrganizationScope = Pick<ConnectionRef, 'organizationUrl' | 'credentialParameter' | 'federatedCredential'>;

/**
 * What `discover` and `migrate-to-oidc` need of Azure DevOps beyond a rotation: the organization's
 * id (the OIDC issuer names it), every AWS connection of a project, and switching a connection
 * between a key and OIDC in place (same id, every other field and project share kept).
 *
 * Errors: `ConnectionGoneError`, `ConnectionNotFoundError`, `AzureDevOpsCredentialRejectedError`,
 * `AzureDevOpsNotAuthorizedError`, `AzureDevOpsUnavailableError`, `AzureDevOpsRequestError`.
 */
export interface AzureDevOpsInventoryPort {
  /** `GET {org}/_apis/connectionData`: the organization (collection) id and whether it is the cloud service. */
  organization(scope: OrganizationScope): Promise<OrganizationInfo>;
  /** The organization's project names (Core `Projects_List`), for a discovery without `--project`. */
  listProjects(scope: OrganizationScope): Promise<string[]>;
  /** Every connection of type AWS the project can see (`type=AWS`, failed ones included). */
  listAwsConnections(scope: OrganizationScope & { project: string }): Promise<DiscoveredConnection[]>;
  /** One connection, by id, as `listAwsConnections` describes it. */
  describeConnection(ref: ConnectionRef, connectionId: string): Promise<DiscoveredConnection>;
  /** Empties the key fields, sets `useOIDC` and the role to assume; keeps everything else. */
  switchToOidc(ref: ConnectionRef, connectionId: string, roleArn: string): Promise<void>;
  /** The way back: the key again, `useOIDC` off, the role to assume as it was (null: none). */
  restoreKey(
    ref: ConnectionRef,
    connectionId: string,
    credential: AccessKeyCredential,
    roleArn: string | null,
  ): Promise<void>;
}

export interface OrganizationInfo {
  /** The `instanceId` of connectionData: the GUID the OIDC issuer URL ends with. */
  organizationId: string;
  /** False on Azure DevOps Server (`deploymentType` "onPremises"), which issues no OIDC tokens to the toolkit. */
  hosted: boolean;
}

/** How a connection authenticates to AWS. */
export type ConnectionAuth = 'keys' | 'oidc' | 'role-only' | 'none';

/** A connection as discovery shows it: ids and names, never a secret (Azure DevOps returns none). */
export interface DiscoveredConnection {
  id: string;
  name: string;
  /** Projects sharing it, by name. */
  projects: string[];
  auth: ConnectionAuth;
  heldAccessKeyId: string | null;
  assumeRoleArn: string | null;
  /** The toolkit ignores `externalId` on its OIDC path: a role that requires one cannot be assumed keyless. */
  externalId: boolean;
  /** Azure DevOps marks a connection whose last check failed `isReady: false`. */
  isReady: boolean;
}
