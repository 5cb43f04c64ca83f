/**
 * Microsoft's Service Endpoints 7.1 OpenAPI spec, its HTTP examples and the AWS Toolkit's
 * connection-type definition, carried in the repository under `test/fixtures/ado-spec/` (MIT, with
 * their license and a note of their source commit), and an ajv validator that checks a request
 * against the spec's operation (method, path, query parameters) and body schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type AddFormats = typeof addFormatsModule.default;
// ajv-formats is CommonJS: depending on the loader its default import is the plugin or its module.
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SPEC_DIR = path.resolve(repoRoot, 'test/fixtures/ado-spec');

/** Reads a spec file; they start with a UTF-8 BOM, which JSON.parse refuses. */
export function readSpecJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(path.join(SPEC_DIR, file), 'utf8').replace(/^\uFEFF/, '')) as T;
}

interface SpecParameter {
  $ref?: string;
  in?: 'path' | 'query' | 'body' | 'header';
  name?: string;
  required?: boolean;
  type?: string;
  format?: string;
  enum?: string[];
  schema?: unknown;
}
interface SpecOperation {
  operationId: string;
  parameters: SpecParameter[];
}
interface SpecDocument {
  paths: Record<string, Record<string, SpecOperation>>;
  'x-ms-paths'?: Record<string, Record<string, SpecOperation>>;
  parameters: Record<string, SpecParameter>;
  definitions: Record<string, Record<string, unknown>>;
}

export interface RequestToCheck {
  method: string;
  url: string | URL;
  body?: unknown;
}

export interface RequestCheck {
  /** The spec operation the request matched, if any. */
  operationId: string | undefined;
  errors: string[];
}

/** Definitions where an unknown property means the client drifted from the spec (a misspelt field). */
const CLOSED_DEFINITIONS = [
  'ServiceEndpoint',
  'EndpointAuthorization',
  'ServiceEndpointProjectReference',
  'ProjectReference',
  // Variable groups (distributedTask) and pipeline runs (pipelines).
  'VariableGroupParameters',
  'VariableValue',
  'VariableGroupProjectReference',
  'RunPipelineParameters',
  'RunResourcesParameters',
  'RepositoryResourceParameters',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ServiceEndpointSpec {
  readonly document: SpecDocument;
  private readonly requestBody: ValidateFunction | undefined;
  private readonly responseBody: ValidateFunction | undefined;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(file = 'serviceEndpoint_7.1_serviceEndpoint.json') {
    this.document = readSpecJson<SpecDocument>(file);
    // The Service Endpoints spec's own validators; other specs (taskAgent, pipelines) use checkDefinition.
    const hasEndpoint = this.document.definitions.ServiceEndpoint !== undefined;
    this.requestBody = hasEndpoint ? this.compile('request') : undefined;
    this.responseBody = hasEndpoint ? this.compile('response') : undefined;
  }

  /**
   * Request bodies are held to the schema as written (every authorization parameter a string)
   * plus closed objects; response bodies may carry `null` for confidential parameters, as the
   * spec's own examples do.
   */
  private compile(mode: 'request' | 'response'): ValidateFunction {
    const definitions = structuredClone(this.document.definitions);
    for (const name of CLOSED_DEFINITIONS) {
      const definition = definitions[name];
      if (definition && mode === 'request') definition.additionalProperties = false;
    }
    if (mode === 'response') {
      const authorization = definitions.EndpointAuthorization as {
        properties: { parameters: { additionalProperties: unknown } };
      };
      authorization.properties.parameters.additionalProperties = { type: ['string', 'null'] };
    }
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // The spec's pseudo-formats ("array (string)", "JTokenType"...) describe, they do not constrain.
    for (const format of collectFormats(definitions)) {
      if (!ajv.formats[format]) ajv.addFormat(format, true);
    }
    ajv.addSchema({ $id: `ado-${mode}`, definitions });
    return ajv.compile({ $ref: `ado-${mode}#/definitions/ServiceEndpoint` });
  }

  /**
   * Errors of a body against any definition of the spec (empty when valid). Requests are held to
   * closed objects; a `VariableValue` may carry `value: null` both ways, as the spec's own
   * `UpdateVariableGroup` example sends and answers for a secret variable.
   */
  checkDefinition(name: string, body: unknown, mode: 'request' | 'response'): string[] {
    const key = `${mode}:${name}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const definitions = structuredClone(this.document.definitions);
      if (!definitions[name]) throw new Error(`the spec has no definition ${name}`);
      if (mode === 'request') {
        for (const closed of CLOSED_DEFINITIONS)
          if (definitions[closed]) definitions[closed].additionalProperties = false;
      }
      const variableValue = definitions.VariableValue as { properties?: { value?: { type?: unknown } } } | undefined;
      if (variableValue?.properties?.value) variableValue.properties.value.type = ['string', 'null'];
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      for (const format of collectFormats(definitions)) if (!ajv.formats[format]) ajv.addFormat(format, true);
      ajv.addSchema({ $id: `ado-${key}`, definitions });
      validate = ajv.compile({ $ref: `ado-${key}#/definitions/${name}` });
      this.validators.set(key, validate);
    }
    return validate(body)
      ? []
      : (validate.errors ?? []).map(
          (e) => `body${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
        );
  }

  /** Errors of a ServiceEndpoint body against the schema (empty when valid). */
  checkEndpoint(body: unknown, mode: 'request' | 'response'): string[] {
    const validate = mode === 'request' ? this.requestBody : this.responseBody;
    if (!validate) throw new Error('this spec has no ServiceEndpoint definition');
    return validate(body)
      ? []
      : (validate.errors ?? []).map(
          (e) => `body${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
        );
  }

  /**
   * Matches the request to the spec operation with the same method and path template (the
   * organization or collection URL stands for `/{organization}`) and checks its path and query
   * parameters and its body. A query parameter the operation does not declare is an error.
   */
  checkRequest(request: RequestToCheck, organizationUrl: string): RequestCheck {
    const url = new URL(request.url);
    const base = new URL(organizationUrl);
    const basePath = base.pathname.replace(/\/+$/, '');
    if (url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`)) {
      return { operationId: undefined, errors: [`${url.href} is not under ${organizationUrl}`] };
    }
    const rest = url.pathname.slice(basePath.length);
    const method = request.method.toLowerCase();
    const candidates: { operation: SpecOperation; params: Record<string, string> }[] = [];
    for (const [template, operations] of this.allPaths()) {
      const operation = operations[method];
      if (!operation) continue;
      const params = matchTemplate(template, rest);
      if (params) candidates.push({ operation, params });
    }
    if (candidates.length === 0)
      return { operationId: undefined, errors: [`no ${request.method} operation in the spec matches ${rest}`] };
    const results = candidates.map(({ operation, params }) => ({
      operationId: operation.operationId,
      errors: this.checkOperation(operation, params, url.searchParams, request.body),
    }));
    return results.find((r) => r.errors.length === 0) ?? results[0]!;
  }

  private *allPaths(): Generator<[string, Record<string, SpecOperation>]> {
    for (const entry of Object.entries(this.document.paths)) yield entry;
    // x-ms-paths keys carry a query to tell overloads apart: `.../endpoints?`.
    for (const [template, operations] of Object.entries(this.document['x-ms-paths'] ?? {}))
      yield [template.split('?')[0]!, operations];
  }

  private checkOperation(
    operation: SpecOperation,
    pathParams: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
  ): string[] {
    const errors: string[] = [];
    const parameters = operation.parameters.map((p) =>
      p.$ref ? this.document.parameters[p.$ref.split('/').pop()!]! : p,
    );
    const declaredQuery = new Set(parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of new Set(query.keys())) {
      if (!declaredQuery.has(name))
        errors.push(`query parameter "${name}" is not declared by ${operation.operationId}`);
    }
    for (const parameter of parameters) {
      const name = parameter.name ?? '';
      if (parameter.in === 'path') {
        if (name === 'organization') continue;
        const value = pathParams[name];
        if (value === undefined) errors.push(`path parameter ${name} is missing`);
        else errors.push(...checkSimple(`path parameter ${name}`, decodeURIComponent(value), parameter));
      } else if (parameter.in === 'query') {
        const value = query.get(name);
        if (value === null) {
          if (parameter.required) errors.push(`required query parameter ${name} is missing`);
        } else errors.push(...checkSimple(`query parameter ${name}`, value, parameter));
      } else if (parameter.in === 'body') {
        if (body === undefined) {
          if (parameter.required) errors.push('the required body is missing');
        } else if ((parameter.schema as { $ref?: string } | undefined)?.$ref === '#/definitions/ServiceEndpoint') {
          errors.push(...this.checkEndpoint(body, 'request'));
        } else {
          const ref = (parameter.schema as { $ref?: string } | undefined)?.$ref;
          if (ref) errors.push(...this.checkDefinition(ref.split('/').pop()!, body, 'request'));
        }
      }
    }
    if (body !== undefined && !parameters.some((p) => p.in === 'body'))
      errors.push(`${operation.operationId} takes no body`);
    if (query.get('api-version') !== '7.1') errors.push(`api-version is ${query.get('api-version')}, not 7.1`);
    return errors;
  }

  /** The 200 body of one of the spec's HTTP examples, e.g. `GetServiceEndpointDetails`. */
  static example<T = unknown>(name: string): T {
    const example = readSpecJson<{ responses: Record<string, { body?: unknown }> }>(
      `examples/serviceEndpoint_7.1_${name}.json`,
    );
    return structuredClone(example.responses['200']?.body) as T;
  }

  /** The body a spec example sends (e.g. `UpdateServiceEndpoint`). */
  static exampleRequestBody<T = unknown>(name: string): T {
    const example = readSpecJson<{ parameters: { body?: unknown } }>(`examples/serviceEndpoint_7.1_${name}.json`);
    return structuredClone(example.parameters.body) as T;
  }
}

function matchTemplate(template: string, rest: string): Record<string, string> | undefined {
  if (!template.startsWith('/{organization}/')) return undefined;
  const templateSegments = template.slice('/{organization}'.length).split('/').filter(Boolean);
  const segments = rest.split('/').filter(Boolean);
  if (templateSegments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of templateSegments.entries()) {
    const segment = segments[index]!;
    const variable = /^\{(.+)\}$/.exec(part);
    if (variable) params[variable[1]!] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

function checkSimple(label: string, value: string, parameter: SpecParameter): string[] {
  if (parameter.type === 'boolean' && value !== 'true' && value !== 'false')
    return [`${label} is "${value}", not a boolean`];
  if (parameter.format === 'uuid' && !UUID.test(value)) return [`${label} is "${value}", not a uuid`];
  if (parameter.enum && !parameter.enum.includes(value))
    return [`${label} is "${value}", not one of ${parameter.enum.join(', ')}`];
  if (value === '') return [`${label} is empty`];
  return [];
}

function collectFormats(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) collectFormats(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'format' && typeof value === 'string') found.add(value);
      else collectFormats(value, found);
    }
  }
  return found;
}

// ------------------------------------------------------------------ the AWS Toolkit's connection type

interface ToolkitInput {
  id: string;
  isConfidential: boolean;
}

/** The `aws-credentials` contribution of the AWS Toolkit: type name, scheme inputs and which are confidential. */
export function awsToolkitDefinition(): { typeName: string; inputs: ToolkitInput[] } {
  const file = readSpecJson<{
    contribution: {
      properties: { name: string; authenticationSchemes: { type: string; inputDescriptors: ToolkitInput[] }[] };
    };
  }>('aws-toolkit_vss-extension_aws-credentials.json');
  const { name, authenticationSchemes } = file.contribution.properties;
  return {
    typeName: name,
    inputs: authenticationSchemes.flatMap((s) =>
      s.inputDescriptors.map(({ id, isConfidential }) => ({ id, isConfidential })),
    ),
  };
}
