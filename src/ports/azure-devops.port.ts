import type { AccessKeyCredential, ConnectionRef, ConnectionState } from '../domain/model.js';

/**
 * An AWS service connection in Azure DevOps, updated in place (its id never changes).
 *
 * Errors: `ConnectionNotFoundError`, `ConnectionAmbiguousError`, `ConnectionGoneError`,
 * `ConnectionNotAwsError`/`ConnectionUsesOidcError` (on update), `AzureDevOpsCredentialRejectedError`,
 * `AzureDevOpsNotAuthorizedError`, `AzureDevOpsUnavailableError`, `AzureDevOpsRequestError`.
 */
export interface AzureDevOpsPort {
  /**
   * Finds the connection by name in its project and reads it. Does not refuse non-AWS or OIDC connections: the plan
   * does.
   */
  findConnection(ref: ConnectionRef): Promise<ConnectionState>;
  /** Reads the connection by id. */
  readConnection(ref: ConnectionRef, connectionId: string): Promise<ConnectionState>;
  /**
   * Replaces the connection's access key id and secret in place, keeping everything else
   * (name, projects, role to assume...) and clearing any session token.
   */
  updateCredential(ref: ConnectionRef, connectionId: string, credential: AccessKeyCredential): Promise<void>;
}
