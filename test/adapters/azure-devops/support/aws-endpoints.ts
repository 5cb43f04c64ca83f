/**
 * Answers built from the spec's own HTTP examples (GetServiceEndpointDetails,
 * GetServiceEndpointsByName), adapted to the AWS Toolkit's `AWS` connection type: same shape and
 * fields as Microsoft documents, with the toolkit's parameter names and confidential inputs
 * answered as Azure DevOps does (`null` on a read by id, absent from a list).
 */
import type { ServiceEndpoint, ServiceEndpointList } from '../../../../src/adapters/azure-devops/rest-types.js';
import { ServiceEndpointSpec } from './ado-spec.js';

/** The id used throughout the spec's examples. */
export const EXAMPLE_ENDPOINT_ID = '5e47a0d8-c745-44f8-8f93-784f18ff31c4';
export const EXAMPLE_PROJECT = { id: 'c7e5f0b3-71fa-4429-9fb3-3321963a7c06', name: 'TestProject' };
export const SECOND_PROJECT = { id: '184fda7e-3559-4b3c-afa0-1b6998330f84', name: 'TestProject2' };

export interface AwsEndpointOptions {
  id?: string;
  name?: string;
  type?: string;
  scheme?: string;
  accessKeyId?: string;
  assumeRoleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  useOidc?: boolean;
  description?: string;
  projects?: { id: string; name: string }[];
  /** Extra or overriding authorization parameters (e.g. `{ externalId: null }` for a hidden one). */
  parameters?: Record<string, string | null>;
  data?: Record<string, string | null>;
}

/** `GET .../endpoints/{id}` body: the spec example, as an AWS connection. */
export function awsEndpointDetails(options: AwsEndpointOptions = {}): ServiceEndpoint {
  const endpoint = ServiceEndpointSpec.example<ServiceEndpoint>('GetServiceEndpointDetails');
  const template = endpoint.serviceEndpointProjectReferences?.[0];
  const name = options.name ?? 'aws-prod';
  return {
    ...endpoint,
    id: options.id ?? EXAMPLE_ENDPOINT_ID,
    name,
    type: options.type ?? 'AWS',
    url: 'https://aws.amazon.com/',
    description: options.description ?? endpoint.description,
    data: options.data ?? endpoint.data,
    authorization: {
      scheme: options.scheme ?? 'UsernamePassword',
      parameters: {
        username: options.accessKeyId ?? 'AKIAIOSFODNN7EXAMPLE',
        password: null,
        sessionToken: null,
        assumeRoleArn: options.assumeRoleArn ?? '',
        roleSessionName: options.roleSessionName ?? '',
        externalId: options.externalId ?? '',
        useOIDC: options.useOidc ? 'true' : 'false',
        ...options.parameters,
      },
    },
    isShared: (options.projects?.length ?? 1) > 1,
    serviceEndpointProjectReferences: (options.projects ?? [EXAMPLE_PROJECT]).map((project) => ({
      ...template,
      projectReference: { ...project },
      name,
    })),
  };
}

/** `GET .../endpoints?endpointNames=` body: the spec example's `{ count, value }`, confidential parameters left out. */
export function awsEndpointList(...endpoints: ServiceEndpoint[]): ServiceEndpointList {
  const list = ServiceEndpointSpec.example<ServiceEndpointList>('GetServiceEndpointsByName');
  const value = endpoints.map((endpoint) => {
    const parameters = Object.fromEntries(
      Object.entries(endpoint.authorization?.parameters ?? {}).filter(
        ([name]) => name !== 'password' && name !== 'sessionToken',
      ),
    );
    return { ...endpoint, authorization: { ...endpoint.authorization, parameters } };
  });
  return { ...list, count: value.length, value };
}

/** What a PUT answers: the endpoint as stored, the secret hidden again. */
export function asStored(body: ServiceEndpoint): ServiceEndpoint {
  const parameters = { ...body.authorization?.parameters, password: null, sessionToken: null };
  return { ...body, authorization: { ...body.authorization, parameters } };
}
