import type { CanaryPipelineRef, VariableGroupRef } from '../domain/holders.js';
import type { ConnectionRef } from '../domain/model.js';
import { parseConnectionCredential } from './connection-credential.js';
import { checkOrganizationUrl, ORG_URL_HINT } from './organization-url.js';
import {
  integerIn,
  isObject,
  type Json,
  type Problems,
  requiredString,
  show,
  typeOf,
  unknownFields,
} from './problems.js';

/**
 * The holders of a target's key beyond its first service connection (issue 13): more service
 * connections (`connections`), variable groups (`variableGroups`) and the canary pipeline
 * (`canary`). Each may leave out `organizationUrl`, `project` and its credential: they default to
 * the first connection's, since one key's holders usually live in one organization. A holder's own
 * credential is a `credentialParameter` or a `federatedCredential`, as for a connection.
 */

const CREDENTIAL_FIELDS = ['credentialParameter', 'federatedCredential'];
const GROUP_FIELDS = ['organizationUrl', 'project', 'groupName', 'accessKeyIdVariable', 'secretAccessKeyVariable'];
const CANARY_FIELDS = ['organizationUrl', 'project', 'pipelineId', 'branch', ...CREDENTIAL_FIELDS];
const VARIABLE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const BRANCH = /^refs\/(heads|tags)\/[^\s]{1,250}$/;

export interface ParsedHolders {
  otherConnections: ConnectionRef[];
  variableGroups: VariableGroupRef[];
  canary?: CanaryPipelineRef;
}

/** The fields every holder inherits from the first connection when it leaves them out. */
type Defaults = Pick<ConnectionRef, 'organizationUrl' | 'project' | 'credentialParameter' | 'federatedCredential'>;

/** How a holder's own fields are read: a connection by the target's rules, a credential parameter under its prefix. */
export interface HolderParsers {
  connection: (value: unknown, path: string) => ConnectionRef | undefined;
  credentialParameter: (name: string, path: string) => string | undefined;
}

function inherited(
  value: Json,
  path: string,
  problems: Problems,
  defaults: Defaults,
  parse: HolderParsers,
): Defaults | undefined {
  const organizationUrl =
    value.organizationUrl === undefined
      ? defaults.organizationUrl
      : requiredString(value, 'organizationUrl', path, problems, ORG_URL_HINT);
  let url: string | undefined;
  if (organizationUrl !== undefined) {
    const result = checkOrganizationUrl(organizationUrl);
    if (result.ok) url = result.url;
    else problems.add(`${path}.organizationUrl`, result.problem);
  }
  const project =
    value.project === undefined
      ? defaults.project
      : requiredString(value, 'project', path, problems, 'the Azure DevOps project');
  if (value.federatedCredential !== undefined) {
    // Its own federated credential (another Entra app): parsed by the connection's rules, no parameter then.
    const parsed = parseConnectionCredential(value, path, problems);
    if (!parsed.ok || !parsed.federatedCredential || url === undefined || project === undefined) return undefined;
    return { organizationUrl: url, project, federatedCredential: parsed.federatedCredential };
  }
  const credential =
    value.credentialParameter === undefined
      ? defaults.credentialParameter
      : requiredString(
          value,
          'credentialParameter',
          path,
          problems,
          'the SSM SecureString parameter holding the Azure DevOps credential',
        );
  const credentialParameter =
    credential === undefined ? undefined : parse.credentialParameter(credential, `${path}.credentialParameter`);
  if (url === undefined || project === undefined) return undefined;
  // A holder naming its own credential parameter uses it; otherwise it reaches Azure DevOps as the first connection
  // does.
  if (value.credentialParameter !== undefined)
    return credentialParameter === undefined ? undefined : { organizationUrl: url, project, credentialParameter };
  return {
    organizationUrl: url,
    project,
    ...(defaults.credentialParameter ? { credentialParameter: defaults.credentialParameter } : {}),
    ...(defaults.federatedCredential ? { federatedCredential: defaults.federatedCredential } : {}),
  };
}

function listOf(raw: unknown, path: string, problems: Problems, what: string): unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add(path, `is ${typeOf(raw)}, not a list: ${what}`);
    return [];
  }
  return raw;
}

function variableName(
  value: Json,
  field: string,
  path: string,
  problems: Problems,
  fallback: string,
): string | undefined {
  if (value[field] === undefined) return fallback;
  const name = requiredString(value, field, path, problems, 'a variable name (letters, digits, "_", ".", "-")');
  if (name !== undefined && !VARIABLE_NAME.test(name)) {
    problems.add(`${path}.${field}`, `is ${show(name)}: a variable name has letters, digits, "_", ".", "-" only`);
    return undefined;
  }
  return name;
}

function parseGroup(
  item: unknown,
  path: string,
  problems: Problems,
  defaults: Defaults,
  parse: HolderParsers,
): VariableGroupRef | undefined {
  const shape =
    '{ groupName, accessKeyIdVariable?, secretAccessKeyVariable?, project?, organizationUrl?, credentialParameter? ' +
    'or federatedCredential? }';
  if (!isObject(item)) {
    problems.add(path, `is ${typeOf(item)}, not an object: give ${shape}`);
    return undefined;
  }
  unknownFields(item, [...GROUP_FIELDS, ...CREDENTIAL_FIELDS], path, problems);
  const where = inherited(item, path, problems, defaults, parse);
  const groupName = requiredString(
    item,
    'groupName',
    path,
    problems,
    'the variable group name, as shown in Pipelines > Library',
  );
  const accessKeyIdVariable = variableName(item, 'accessKeyIdVariable', path, problems, 'AWS_ACCESS_KEY_ID');
  const secretAccessKeyVariable = variableName(
    item,
    'secretAccessKeyVariable',
    path,
    problems,
    'AWS_SECRET_ACCESS_KEY',
  );
  if (
    accessKeyIdVariable !== undefined &&
    accessKeyIdVariable.toLowerCase() === secretAccessKeyVariable?.toLowerCase()
  ) {
    problems.add(
      `${path}.secretAccessKeyVariable`,
      `is ${show(secretAccessKeyVariable)}, the same variable as accessKeyIdVariable: name two different variables`,
    );
    return undefined;
  }
  if (!where || groupName === undefined || accessKeyIdVariable === undefined || secretAccessKeyVariable === undefined)
    return undefined;
  return { ...where, groupName, accessKeyIdVariable, secretAccessKeyVariable };
}

function parseCanary(
  raw: unknown,
  path: string,
  problems: Problems,
  defaults: Defaults,
  parse: HolderParsers,
): CanaryPipelineRef | undefined {
  const shape = '{ pipelineId, branch?, project?, organizationUrl?, credentialParameter? or federatedCredential? }';
  if (!isObject(raw)) {
    problems.add(path, `is ${typeOf(raw)}, not an object: give ${shape}`);
    return undefined;
  }
  unknownFields(raw, CANARY_FIELDS, path, problems);
  const where = inherited(raw, path, problems, defaults, parse);
  const what = "the canary pipeline's id (the number in its URL: _build?definitionId=N)";
  if (raw.pipelineId === undefined) problems.add(`${path}.pipelineId`, `is missing: ${what}`);
  const pipelineId =
    raw.pipelineId === undefined
      ? undefined
      : integerIn(raw.pipelineId, `${path}.pipelineId`, 1, 2_147_483_647, problems, what);
  let branch: string | undefined;
  if (raw.branch !== undefined) {
    branch = requiredString(raw, 'branch', path, problems, 'the branch to run, e.g. refs/heads/main');
    if (branch !== undefined && !BRANCH.test(branch)) {
      problems.add(`${path}.branch`, `is ${show(branch)}: give a full ref such as refs/heads/main`);
      branch = undefined;
    }
  }
  if (!where || pipelineId === undefined || (raw.branch !== undefined && branch === undefined)) return undefined;
  return { ...where, pipelineId, ...(branch ? { branch } : {}) };
}

/**
 * Parses `connections[1..]` (the first is the target's `connection`), `variableGroups` and
 * `canary`, each named by its path in every problem.
 */
export function parseHolders(
  target: Json,
  path: string,
  problems: Problems,
  first: ConnectionRef,
  parse: HolderParsers,
): ParsedHolders {
  const defaults: Defaults = {
    organizationUrl: first.organizationUrl,
    project: first.project,
    ...(first.credentialParameter ? { credentialParameter: first.credentialParameter } : {}),
    ...(first.federatedCredential ? { federatedCredential: first.federatedCredential } : {}),
  };
  const connections = listOf(
    target.connections,
    `${path}.connections`,
    problems,
    'list the service connections that hold the key',
  );
  // `otherConnections` is the parsed form of connections[1..] (the CDK stack ships the parsed configuration to the
  // Lambdas).
  const others = listOf(
    target.otherConnections,
    `${path}.otherConnections`,
    problems,
    'list the other service connections that hold the key',
  );
  if (others.length > 0 && connections.length > 1) {
    problems.add(
      `${path}.otherConnections`,
      'is given with more than one connections entry: list the other connections in one place',
    );
  }
  const listed = [
    ...connections.slice(1).map((item, i) => ({ item, here: `${path}.connections[${i + 1}]` })),
    ...others.map((item, i) => ({ item, here: `${path}.otherConnections[${i}]` })),
  ];
  const otherConnections: ConnectionRef[] = [];
  for (const { item, here } of listed) {
    const ownCredential =
      isObject(item) && (item.credentialParameter !== undefined || item.federatedCredential !== undefined);
    const inheritedFields = ownCredential
      ? { organizationUrl: defaults.organizationUrl, project: defaults.project }
      : defaults;
    const withDefaults = isObject(item) ? { ...inheritedFields, ...item } : item;
    const parsed = parse.connection(withDefaults, here);
    if (parsed) otherConnections.push(parsed);
  }
  const variableGroups: VariableGroupRef[] = [];
  for (const [i, item] of listOf(
    target.variableGroups,
    `${path}.variableGroups`,
    problems,
    'list the variable groups that hold the key',
  ).entries()) {
    const parsed = parseGroup(item, `${path}.variableGroups[${i}]`, problems, defaults, parse);
    if (parsed) variableGroups.push(parsed);
  }
  const holders: ParsedHolders = { otherConnections, variableGroups };
  const seen = new Map<string, string>();
  const keyOf = (kind: string, org: string, project: string, name: string) =>
    `${kind}|${org.toLowerCase()}|${project.toLowerCase()}|${name.toLowerCase()}`;
  const all = [
    { key: keyOf('c', first.organizationUrl, first.project, first.connectionName), at: `${path}.connection` },
    ...otherConnections.map((c, i) => ({
      key: keyOf('c', c.organizationUrl, c.project, c.connectionName),
      at: listed[i]?.here ?? path,
    })),
    ...variableGroups.map((g, i) => ({
      key: keyOf('g', g.organizationUrl, g.project, g.groupName),
      at: `${path}.variableGroups[${i}]`,
    })),
  ];
  for (const { key, at } of all) {
    const earlier = seen.get(key);
    if (earlier) problems.add(at, `names the same holder as ${earlier}: list each holder once`);
    else seen.set(key, at);
  }
  if (target.canary !== undefined) {
    const canary = parseCanary(target.canary, `${path}.canary`, problems, defaults, parse);
    if (canary) holders.canary = canary;
  }
  return holders;
}
