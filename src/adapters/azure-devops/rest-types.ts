/**
 * The REST shapes of the Azure DevOps Service Endpoints API (api-version 7.1) that the adapter
 * reads and writes, and the parameter names of the AWS Toolkit's `AWS` connection type.
 *
 * Sources: MicrosoftDocs/vsts-rest-api-specs `specification/serviceEndpoint/7.1/serviceEndpoint.json`
 * (definitions `ServiceEndpoint`, `EndpointAuthorization`, `ServiceEndpointProjectReference`) and
 * the `aws-credentials` contribution of aws/aws-toolkit-azure-devops `vss-extension.json`.
 * Only the fields the adapter looks at are typed; every other field is kept as read, because an
 * update is a PUT of the whole endpoint (see `index signature` below).
 */

export const API_VERSION = '7.1';

export interface ProjectReference {
  id?: string;
  name?: string;
}

export interface ServiceEndpointProjectReference {
  description?: string;
  name?: string;
  projectReference?: ProjectReference;
}

export interface EndpointAuthorization {
  /**
   * `additionalProperties: string` in the spec, but a GET answers confidential parameters as
   * `null` (or leaves them out): Azure DevOps never returns a stored secret.
   */
  parameters?: Record<string, string | null>;
  scheme?: string;
}

/** `ServiceEndpoint` as Azure DevOps returns it. Unknown fields are kept and sent back on update. */
export interface ServiceEndpoint {
  id?: string;
  name?: string;
  type?: string;
  url?: string;
  description?: string;
  data?: Record<string, string | null>;
  authorization?: EndpointAuthorization;
  isShared?: boolean;
  isReady?: boolean;
  owner?: string;
  serviceEndpointProjectReferences?: ServiceEndpointProjectReference[];
  [field: string]: unknown;
}

/**
 * What `GET {org}/{project}/_apis/serviceendpoint/endpoints?endpointNames=` returns. The spec
 * says "array of ServiceEndpoint", the service (and the spec's own example) wraps it in
 * `{ count, value }` like every other VSS list; the adapter accepts both.
 */
export interface ServiceEndpointList {
  count?: number;
  value?: ServiceEndpoint[];
}

/** The body of a VSS error answer (e.g. 401 TF400813, 404 ProjectDoesNotExistWithNameException). */
export interface VssErrorBody {
  $id?: string;
  message?: string;
  typeKey?: string;
  typeName?: string;
  errorCode?: number;
  eventId?: number;
}

/** The Microsoft Entra ID token endpoint's answer (OAuth 2.0 client-credentials grant). */
export interface EntraTokenResponse {
  token_type?: string;
  expires_in?: number | string;
  access_token?: string;
  error?: string;
  error_codes?: number[];
}

/** The AWS Toolkit's connection type name (compared case-insensitively: Terraform writes `aws`). */
export const AWS_CONNECTION_TYPE = 'AWS';

/**
 * The AWS Toolkit's only authentication scheme, `ms.vss-endpoint.endpoint-auth-scheme-basic`, is stored as
 * `UsernamePassword`.
 */
export const AWS_AUTH_SCHEME = 'UsernamePassword';

/** Scheme of Azure's own workload-identity (OIDC) connections; never holds a static key. */
export const OIDC_AUTH_SCHEME = 'WorkloadIdentityFederation';

/** `authorization.parameters` names of the AWS connection type (the toolkit's `inputDescriptors` ids). */
export const AWS_PARAMETERS = {
  accessKeyId: 'username',
  secretAccessKey: 'password',
  sessionToken: 'sessionToken',
  assumeRoleArn: 'assumeRoleArn',
  roleSessionName: 'roleSessionName',
  externalId: 'externalId',
  /** A checkbox input: stored as the string "true" or "false". */
  useOidc: 'useOIDC',
} as const;

/**
 * The parameters the toolkit marks `isConfidential: true`: Azure DevOps answers them as `null`
 * on every GET, so an update must send a value for each one explicitly (the new secret, and
 * an empty session token). Any *other* parameter that comes back `null` is one the adapter
 * cannot preserve, and it refuses to update rather than erase it.
 */
export const AWS_CONFIDENTIAL_PARAMETERS: readonly string[] = [
  AWS_PARAMETERS.secretAccessKey,
  AWS_PARAMETERS.sessionToken,
];
