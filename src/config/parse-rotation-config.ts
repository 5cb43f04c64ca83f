// Over 300 lines: the one walk of the configuration file, gathering every problem into one error; each field's
// rule lives in its own module (names, organization-url, schedule, holders, connection-credential).
import {
  DEFAULT_MAX_CONCURRENCY,
  MAX_CONCURRENCY_LIMIT,
  type ResourcePrefixes,
  type RotationConfig,
} from '../domain/config.js';
import { ConfigurationError } from '../domain/errors.js';
import { DEFAULT_SETTINGS, type RotationSettings, type RotationTarget } from '../domain/model.js';
import { CREDENTIAL_FIELDS, parseConnectionCredential } from './connection-credential.js';
import { checkSecretAccount, parseAssumeRole, parseIamUser } from './accounts.js';
import { email, parameterName, secretId, targetName } from './names.js';
import { effectivePrefixes, hostList, loopbackFlag, parameterUnder, parsePrefixes, secretUnder } from './reach.js';
import { checkOrganizationUrl, ORG_URL_HINT, type OrganizationUrlRules } from './organization-url.js';
import { integerIn, isObject, Problems, requiredString, show, typeOf, unknownFields } from './problems.js';
import { parseHolders } from './holders.js';
import { parseSchedule } from './schedule.js';

/**
 * Configuration validation at the edge: the CDK app, the CLI and the Lambdas turn the raw JSON
 * into a `RotationConfig` here, and the domain only ever sees the parsed, trusted result.
 */

const ROOT_FIELDS = [
  '$schema',
  'targets',
  'settings',
  'schedule',
  'slackWebhookParameter',
  'alarmEmail',
  'maxConcurrency',
  'azureDevOpsServerHosts',
  'slackWebhookHosts',
  'allowLoopbackHttp',
  'resourcePrefixes',
];
const TARGET_FIELDS = [
  'name',
  'iamUserName',
  'iamUserPath',
  'iamUserArn',
  'assumeRole',
  'secretId',
  'connection',
  'connections',
  'otherConnections',
  'variableGroups',
  'canary',
];
const CONNECTION_FIELDS = ['organizationUrl', 'project', 'connectionName', ...CREDENTIAL_FIELDS];
const SETTINGS_FIELDS = ['minKeyAgeDays', 'gracePeriodDays', 'inProgressTimeoutMinutes', 'oldKeyUsedAfterPublish'];
const OLD_KEY_POLICIES = ['keep-active', 'deactivate'] as const;
const CONNECTION_SHAPE = '{ organizationUrl, project, connectionName, credentialParameter }';
const TARGET_SHAPE = '{ name, iamUserName, secretId, connection }';
const PAT_PARAMETER =
  'the name of the SSM SecureString parameter holding the Azure DevOps PAT (scope: Service Connections, read & ' +
  'manage), or give federatedCredential instead';

export interface ParseOptions {
  /**
   * Look the schedule's time zone up in ICU's database (default). The Lambdas, which never use the
   * schedule and run a configuration `cdk synth` already checked, skip it: loading the time-zone
   * data costs about 25 ms of every cold start.
   */
  lookUpTimeZone?: boolean;
}

/** What every target is checked against: the hosts a URL may name, and where its secret and parameters live. */
interface Rules extends OrganizationUrlRules {
  prefixes: Required<ResourcePrefixes>;
}

/** An SSM parameter holding an Azure DevOps credential: a parameter name, under the parameters prefix. */
function patParameter(value: string, path: string, problems: Problems, rules: Rules): string | undefined {
  const name = parameterName(value, path, problems, 'the Azure DevOps PAT');
  return name === undefined ? undefined : parameterUnder(rules.prefixes, name, path, problems);
}

/** Applies `check` to a required string field; `undefined` when it is missing or breaks its rule. */
function checked(
  parent: Record<string, unknown>,
  field: string,
  path: string,
  problems: Problems,
  what: string,
  check: (value: string, path: string, problems: Problems) => string | undefined,
): string | undefined {
  const value = requiredString(parent, field, path, problems, what);
  return value === undefined ? undefined : check(value, `${path}.${field}`, problems);
}

function organizationUrl(
  value: string,
  path: string,
  problems: Problems,
  rules: OrganizationUrlRules,
): string | undefined {
  const result = checkOrganizationUrl(value, rules);
  if (result.ok) return result.url;
  problems.add(path, result.problem);
  return undefined;
}

function parseConnection(
  value: unknown,
  path: string,
  problems: Problems,
  rules: Rules,
): RotationTarget['connection'] | undefined {
  if (value === undefined) {
    problems.add(path, `is missing: give ${CONNECTION_SHAPE}`);
    return undefined;
  }
  if (!isObject(value)) {
    problems.add(path, `is ${typeOf(value)}, not an object: give ${CONNECTION_SHAPE}`);
    return undefined;
  }
  unknownFields(value, CONNECTION_FIELDS, path, problems);
  const url = checked(value, 'organizationUrl', path, problems, ORG_URL_HINT, (v, p, ps) =>
    organizationUrl(v, p, ps, rules),
  );
  const project = requiredString(
    value,
    'project',
    path,
    problems,
    'the Azure DevOps project (name or id) that owns the service connection',
  );
  const connectionName = requiredString(
    value,
    'connectionName',
    path,
    problems,
    'the service connection name, as shown in Project settings > Service connections',
  );
  const credential = parseConnectionCredential(value, path, problems);
  const credentialParameter = credential.needsParameter
    ? checked(value, 'credentialParameter', path, problems, PAT_PARAMETER, (v, p, ps) => patParameter(v, p, ps, rules))
    : undefined;
  if (url === undefined || project === undefined || connectionName === undefined || !credential.ok) return undefined;
  if (credential.needsParameter && credentialParameter === undefined) return undefined;
  return {
    organizationUrl: url,
    project,
    connectionName,
    ...(credentialParameter === undefined ? {} : { credentialParameter }),
    ...(credential.federatedCredential ? { federatedCredential: credential.federatedCredential } : {}),
    ...(credential.credentialExpiresOn ? { credentialExpiresOn: credential.credentialExpiresOn } : {}),
  };
}

function parseTarget(value: unknown, path: string, problems: Problems, rules: Rules): RotationTarget | undefined {
  if (!isObject(value)) {
    problems.add(path, `is ${typeOf(value)}, not an object: give ${TARGET_SHAPE}`);
    return undefined;
  }
  unknownFields(value, TARGET_FIELDS, path, problems);
  const name = checked(
    value,
    'name',
    path,
    problems,
    'a unique name for logs, metrics and reports (letters, digits, ".", "_", ":", "-")',
    targetName,
  );
  const user = parseIamUser(value, path, problems);
  const role =
    value.assumeRole === undefined ? undefined : parseAssumeRole(value.assumeRole, path, problems, user?.accountId);
  const secret = checked(
    value,
    'secretId',
    path,
    problems,
    'the Secrets Manager secret name (or ARN) that mirrors the key',
    (v, p, ps) => {
      const id = secretId(v, p, ps);
      return id === undefined ? undefined : secretUnder(rules.prefixes, id, p, ps);
    },
  );
  // `connection` (one holder, as before) or `connections` (the first one is the target's connection).
  let connection: RotationTarget['connection'] | undefined;
  if (value.connections !== undefined && value.connection !== undefined) {
    problems.add(
      `${path}.connections`,
      'is given with connection: use connection for one service connection, or connections for several',
    );
  } else if (value.connections !== undefined) {
    const list = value.connections;
    if (!Array.isArray(list) || list.length === 0)
      problems.add(
        `${path}.connections`,
        `is ${typeOf(list)}${Array.isArray(list) ? ' (empty)' : ''}: list at least one ${CONNECTION_SHAPE}`,
      );
    else connection = parseConnection(list[0], `${path}.connections[0]`, problems, rules);
  } else {
    connection = parseConnection(value.connection, `${path}.connection`, problems, rules);
  }
  if (role && secret !== undefined) checkSecretAccount(secret, role, path, problems);
  if (
    name === undefined ||
    user === undefined ||
    secret === undefined ||
    connection === undefined ||
    (value.assumeRole !== undefined && role === undefined)
  )
    return undefined;
  const holders = parseHolders(value, path, problems, connection, {
    connection: (raw, at) => parseConnection(raw, at, problems, rules),
    credentialParameter: (name, at) => patParameter(name, at, problems, rules),
  });
  return {
    name,
    iamUserName: user.name,
    ...(user.path === '/' ? {} : { iamUserPath: user.path }),
    ...(user.accountId ? { iamUserArn: value.iamUserArn as string } : {}),
    ...(role ? { assumeRole: role } : {}),
    secretId: secret,
    connection,
    ...(holders.otherConnections.length ? { otherConnections: holders.otherConnections } : {}),
    ...(holders.variableGroups.length ? { variableGroups: holders.variableGroups } : {}),
    ...(holders.canary ? { canary: holders.canary } : {}),
  };
}

function parseTargets(raw: unknown, problems: Problems, rules: Rules): RotationTarget[] {
  const listThem = `list at least one target ${TARGET_SHAPE}`;
  if (raw === undefined) problems.add('targets', `is missing: ${listThem}`);
  else if (!Array.isArray(raw)) problems.add('targets', `is ${typeOf(raw)}, not a list: ${listThem}`);
  else if (raw.length === 0) problems.add('targets', `is empty: ${listThem}`);
  if (!Array.isArray(raw)) return [];
  const targets: RotationTarget[] = [];
  const firstIndexByName = new Map<string, number>();
  for (const [i, item] of raw.entries()) {
    const target = parseTarget(item, `targets[${i}]`, problems, rules);
    const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
    if (name !== undefined) {
      const first = firstIndexByName.get(name);
      if (first !== undefined)
        problems.add(
          `targets[${i}].name`,
          `is ${show(name)}, already the name of targets[${first}]: target names must be unique`,
        );
      else firstIndexByName.set(name, i);
    }
    if (target) targets.push(target);
  }
  return targets;
}

function parseSettings(value: unknown, problems: Problems): RotationSettings {
  if (value === undefined) return { ...DEFAULT_SETTINGS };
  if (!isObject(value)) {
    const shape = '{ minKeyAgeDays, gracePeriodDays, inProgressTimeoutMinutes }';
    problems.add('settings', `is ${typeOf(value)}, not an object: give ${shape} or leave it out`);
    return { ...DEFAULT_SETTINGS };
  }
  unknownFields(value, SETTINGS_FIELDS, 'settings', problems);
  const pick = (
    field: 'minKeyAgeDays' | 'gracePeriodDays' | 'inProgressTimeoutMinutes',
    min: number,
    max: number,
    what: string,
  ): number =>
    value[field] === undefined
      ? DEFAULT_SETTINGS[field]
      : (integerIn(value[field], `settings.${field}`, min, max, problems, what) ?? DEFAULT_SETTINGS[field]);
  return {
    minKeyAgeDays: pick('minKeyAgeDays', 0, 365, 'days a key is kept before it is rotated'),
    gracePeriodDays: pick('gracePeriodDays', 0, 90, 'days a retired key stays inactive before it is deleted'),
    inProgressTimeoutMinutes: pick(
      'inProgressTimeoutMinutes',
      5,
      10_080,
      'minutes after which a pending secret version counts as abandoned',
    ),
    ...oldKeyPolicy(value.oldKeyUsedAfterPublish, problems),
  };
}

function oldKeyPolicy(value: unknown, problems: Problems): Pick<RotationSettings, 'oldKeyUsedAfterPublish'> {
  if (value === undefined) return {};
  if (typeof value === 'string' && (OLD_KEY_POLICIES as readonly string[]).includes(value)) {
    return { oldKeyUsedAfterPublish: value as (typeof OLD_KEY_POLICIES)[number] };
  }
  problems.add(
    'settings.oldKeyUsedAfterPublish',
    `is ${show(value)}: give "keep-active" (keep a key still used after the publish active until its grace ` +
      `period ends, and warn) or "deactivate"`,
  );
  return {};
}

function slackWebhookParameter(value: unknown, problems: Problems, rules: Rules): string | undefined {
  if (typeof value === 'string') {
    const name = parameterName(value, 'slackWebhookParameter', problems, 'the Slack webhook URL');
    return name === undefined ? undefined : parameterUnder(rules.prefixes, name, 'slackWebhookParameter', problems);
  }
  problems.add(
    'slackWebhookParameter',
    `is ${typeOf(value)}, not a string: name the SSM SecureString parameter holding the Slack webhook URL`,
  );
  return undefined;
}

/**
 * Validates a rotation configuration (parsed JSON) and returns it typed, with defaults applied.
 * Throws `ConfigurationError` listing every problem, each naming its field path
 * (`targets[1].connection.organizationUrl is "foo", not a URL: ...`).
 */
export function parseRotationConfig(raw: unknown, options: ParseOptions = {}): RotationConfig {
  const problems = new Problems();
  if (!isObject(raw)) {
    throw new ConfigurationError(
      `The rotation configuration is ${typeOf(raw)}, not an object: give { "targets": [...] } (see ` +
        `rotation.config.schema.json)`,
      { context: { field: '(root)' } },
    );
  }
  unknownFields(raw, ROOT_FIELDS, '', problems);
  // Where the rotator may send a credential: parsed first, the targets' URLs are checked against it.
  const serverHosts = hostList(raw.azureDevOpsServerHosts, 'azureDevOpsServerHosts', problems);
  const slackHosts =
    raw.slackWebhookHosts === undefined ? undefined : hostList(raw.slackWebhookHosts, 'slackWebhookHosts', problems);
  const allowLoopbackHttp = loopbackFlag(raw.allowLoopbackHttp, problems);
  // Always enforced, the default prefixes when the file names none: the CLI accepts what `cdk synth` accepts.
  const prefixes = effectivePrefixes(parsePrefixes(raw.resourcePrefixes, problems));
  const rules: Rules = { serverHosts: serverHosts ?? [], allowLoopbackHttp, prefixes };
  const targets = parseTargets(raw.targets, problems, rules);
  const settings = parseSettings(raw.settings, problems);
  const schedule = parseSchedule(raw.schedule, problems, options.lookUpTimeZone ?? true);

  const config: RotationConfig = {
    targets,
    settings,
    schedule,
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
    resourcePrefixes: prefixes,
  };
  if (raw.maxConcurrency !== undefined) {
    const what = 'how many targets rotate at once';
    config.maxConcurrency =
      integerIn(raw.maxConcurrency, 'maxConcurrency', 1, MAX_CONCURRENCY_LIMIT, problems, what) ??
      DEFAULT_MAX_CONCURRENCY;
  }
  if (raw.slackWebhookParameter !== undefined) {
    const name = slackWebhookParameter(raw.slackWebhookParameter, problems, rules);
    if (name !== undefined) config.slackWebhookParameter = name;
  }
  if (raw.alarmEmail !== undefined) {
    const address = email(raw.alarmEmail, 'alarmEmail', problems);
    if (address !== undefined) config.alarmEmail = address;
  }
  if (serverHosts?.length) config.azureDevOpsServerHosts = serverHosts;
  if (slackHosts) config.slackWebhookHosts = slackHosts;
  if (allowLoopbackHttp) config.allowLoopbackHttp = true;
  throwIfAny(problems);
  return config;
}

function throwIfAny(problems: Problems): void {
  const [first] = problems.list;
  if (!first) return;
  const message =
    problems.list.length === 1
      ? `Invalid rotation configuration: ${first.message}`
      : `Invalid rotation configuration (${problems.list.length} problems):\n` +
        `${problems.list.map((p) => `  - ${p.message}`).join('\n')}`;
  throw new ConfigurationError(message, { context: { field: first.path, problems: problems.list.length } });
}
