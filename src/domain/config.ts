import { CREDENTIAL_FIELDS, parseConnectionCredential } from './connection-credential.js';
import { ConfigurationError } from './errors.js';
import { DEFAULT_SETTINGS, type RotationSettings, type RotationTarget } from './model.js';

/**
 * The rotator's whole configuration: what to rotate, how often and whom to tell.
 *
 * One file (`rotation.config.json`) feeds the CDK app, the CLI and the demo; the stack puts the
 * parsed result into every Lambda's environment (`ROTATOR_CONFIG`). It holds names only: the
 * Azure DevOps credential and the Slack webhook URL live in SSM SecureString parameters that
 * the configuration merely names.
 */
export interface RotationConfig {
  targets: RotationTarget[];
  settings: RotationSettings;
  schedule: ScheduleConfig;
  /** SSM SecureString parameter holding the Slack incoming-webhook URL. No Slack message when absent. */
  slackWebhookParameter?: string;
  /** Subscribed to the alarm topic (the subscription must be confirmed from the mailbox). */
  alarmEmail?: string;
  /** How many targets rotate at once (the state machine's Map concurrency). */
  maxConcurrency: number;
}

export interface ScheduleConfig {
  /** An EventBridge Scheduler expression: `cron(minutes hours day-of-month month day-of-week year)` or `rate(n unit)`. */
  expression: string;
  /** IANA time zone the cron expression is read in. */
  timeZone: string;
}

/** Weekly, Sunday 03:00: a quiet hour, and a week matches the default `minKeyAgeDays` of 6. */
export const DEFAULT_SCHEDULE: ScheduleConfig = { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' };
export const DEFAULT_MAX_CONCURRENCY = 5;
/** Beyond this, Azure DevOps rate limits and the inline Map's practical limit bite. */
export const MAX_CONCURRENCY_LIMIT = 40;

// The same pattern parseRotationState applies to targetName, so every configured name can travel between steps.
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// IAM user names: letters, digits and +=,.@_- ; 1-64 characters.
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
// SSM parameter names: a hierarchy starting with '/', letters, digits and _.-/ (1011 characters at most).
const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CRON = /^cron\((.+)\)$/;
const RATE = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/;
const IANA_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

const ORG_URL_HINT = 'use https://dev.azure.com/{org} or https://host/tfs/{collection}';

const ROOT_FIELDS = ['$schema', 'targets', 'settings', 'schedule', 'slackWebhookParameter', 'alarmEmail', 'maxConcurrency'];
const TARGET_FIELDS = ['name', 'iamUserName', 'secretId', 'connection'];
const CONNECTION_FIELDS = ['organizationUrl', 'project', 'connectionName', ...CREDENTIAL_FIELDS];
const SETTINGS_FIELDS = ['minKeyAgeDays', 'gracePeriodDays', 'inProgressTimeoutMinutes'];
const SCHEDULE_FIELDS = ['expression', 'timeZone'];

type Json = Record<string, unknown>;

/**
 * Collects every problem (one synth or one CLI run shows them all), each naming its field path.
 * Values are quoted only for fields that cannot hold a secret: a PAT or a webhook URL pasted
 * into the wrong field must not end up in a build log.
 */
class Problems {
  readonly list: { path: string; message: string }[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message: `${path} ${message}` });
  }
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownFields(value: Json, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.add(path ? `${path}.${key}` : key, `is not a known field: expected only ${allowed.filter((f) => f !== '$schema').join(', ')}`);
  }
}

/** A required, non-empty string; `undefined` (and a problem) otherwise. */
function requiredString(parent: Json, field: string, path: string, problems: Problems, what: string): string | undefined {
  const value = parent[field];
  const here = `${path}.${field}`;
  if (value === undefined) {
    problems.add(here, `is missing: ${what}`);
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(here, `is ${typeOf(value)}, not a string: ${what}`);
    return undefined;
  }
  if (value.trim() === '') {
    problems.add(here, `is empty: ${what}`);
    return undefined;
  }
  return value;
}

/**
 * An SSM parameter *name*. The value is never quoted: a common mistake is pasting the secret
 * itself (the PAT, the webhook URL) instead of the name of the parameter that holds it.
 */
function parameterName(value: string, path: string, problems: Problems, holds: string): string | undefined {
  if (/^https?:\/\//i.test(value)) {
    problems.add(path, `looks like a URL: it takes the name of an SSM SecureString parameter holding ${holds} (e.g. "/ado-key-rotator/..."), not the value itself`);
    return undefined;
  }
  if (!value.startsWith('/')) {
    problems.add(path, `is not an SSM parameter name: it must start with "/" and name the SecureString parameter holding ${holds}`);
    return undefined;
  }
  if (!SSM_PARAMETER_NAME.test(value)) {
    problems.add(path, `is not a valid SSM parameter name: use letters, digits, "_", ".", "-" and "/" (at most 1011 characters)`);
    return undefined;
  }
  return value;
}

/** `https://dev.azure.com/{org}` (or `{org}.visualstudio.com`) or an Azure DevOps Server collection URL. Returned without a trailing slash. */
function organizationUrl(value: string, path: string, problems: Problems): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.add(path, `is ${show(value)}, not a URL: ${ORG_URL_HINT}`);
    return undefined;
  }
  // Plain http only for a stand-in on this machine (the local demo and tests), never over a network.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname.toLowerCase());
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problems.add(path, `is ${show(`${url.protocol}//${url.host}${url.pathname}`)}: it must use https (the rotator sends a credential to it); ${ORG_URL_HINT}`);
    return undefined;
  }
  if (url.username || url.password) {
    problems.add(path, `must not carry a user name or password: the credential belongs in the SSM parameter named by credentialParameter; ${ORG_URL_HINT}`);
    return undefined;
  }
  if (url.search || url.hash) {
    problems.add(path, `is ${show(`${url.origin}${url.pathname}`)} with a query or fragment: ${ORG_URL_HINT}`);
    return undefined;
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (url.hostname.toLowerCase() === 'dev.azure.com' && segments.length !== 1) {
    problems.add(path, `is ${show(value)}: a dev.azure.com URL names exactly one organization; ${ORG_URL_HINT}`);
    return undefined;
  }
  if (url.hostname.toLowerCase() !== 'dev.azure.com' && !url.hostname.toLowerCase().endsWith('.visualstudio.com') && segments.length === 0) {
    problems.add(path, `is ${show(value)}: an Azure DevOps Server URL names its collection; ${ORG_URL_HINT}`);
    return undefined;
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function parseConnection(value: unknown, path: string, problems: Problems): RotationTarget['connection'] | undefined {
  if (value === undefined) {
    problems.add(path, 'is missing: give { organizationUrl, project, connectionName, credentialParameter }');
    return undefined;
  }
  if (!isObject(value)) {
    problems.add(path, `is ${typeOf(value)}, not an object: give { organizationUrl, project, connectionName, credentialParameter }`);
    return undefined;
  }
  unknownFields(value, CONNECTION_FIELDS, path, problems);
  const rawUrl = requiredString(value, 'organizationUrl', path, problems, ORG_URL_HINT);
  const url = rawUrl === undefined ? undefined : organizationUrl(rawUrl, `${path}.organizationUrl`, problems);
  const project = requiredString(value, 'project', path, problems, 'the Azure DevOps project (name or id) that owns the service connection');
  const connectionName = requiredString(value, 'connectionName', path, problems, 'the service connection name, as shown in Project settings > Service connections');
  const credential = parseConnectionCredential(value, path, problems);
  const rawParameter = credential.needsParameter
    ? requiredString(
        value,
        'credentialParameter',
        path,
        problems,
        'the name of the SSM SecureString parameter holding the Azure DevOps PAT (scope: Service Connections, read & manage), or give federatedCredential instead',
      )
    : undefined;
  const credentialParameter = rawParameter === undefined ? undefined : parameterName(rawParameter, `${path}.credentialParameter`, problems, 'the Azure DevOps PAT');
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

function parseTarget(value: unknown, path: string, problems: Problems): RotationTarget | undefined {
  if (!isObject(value)) {
    problems.add(path, `is ${typeOf(value)}, not an object: give { name, iamUserName, secretId, connection }`);
    return undefined;
  }
  unknownFields(value, TARGET_FIELDS, path, problems);

  let name = requiredString(value, 'name', path, problems, 'a unique name for logs, metrics and reports (letters, digits, ".", "_", ":", "-")');
  if (name !== undefined && !TARGET_NAME.test(name)) {
    problems.add(`${path}.name`, `is ${show(name)}: use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit`);
    name = undefined;
  }
  let iamUserName = requiredString(value, 'iamUserName', path, problems, 'the IAM user whose access key the connection holds');
  if (iamUserName !== undefined && !IAM_USER_NAME.test(iamUserName)) {
    problems.add(`${path}.iamUserName`, `is ${show(iamUserName)}, not an IAM user name: use 1-64 letters, digits or +=,.@_-`);
    iamUserName = undefined;
  }
  let secretId = requiredString(value, 'secretId', path, problems, 'the Secrets Manager secret name (or ARN) that mirrors the key');
  if (secretId !== undefined) {
    if (secretId.startsWith('arn:')) {
      if (!SECRET_ARN.test(secretId)) {
        problems.add(`${path}.secretId`, `is ${show(secretId)}, not a Secrets Manager secret ARN (arn:aws:secretsmanager:{region}:{account}:secret:{name})`);
        secretId = undefined;
      }
    } else if (!SECRET_NAME.test(secretId)) {
      problems.add(`${path}.secretId`, `is ${show(secretId)}, not a secret name: use 1-512 letters, digits or /_+=.@-`);
      secretId = undefined;
    }
  }
  const connection = parseConnection(value.connection, `${path}.connection`, problems);
  if (name === undefined || iamUserName === undefined || secretId === undefined || connection === undefined) return undefined;
  return { name, iamUserName, secretId, connection };
}

function integerIn(value: unknown, path: string, min: number, max: number, problems: Problems, what: string): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    problems.add(path, `is ${show(value)}, not a whole number: ${what}`);
    return undefined;
  }
  if (value < min || value > max) {
    problems.add(path, `is ${value}: it must be between ${min} and ${max} (${what})`);
    return undefined;
  }
  return value;
}

function parseSettings(value: unknown, problems: Problems): RotationSettings {
  if (value === undefined) return { ...DEFAULT_SETTINGS };
  if (!isObject(value)) {
    problems.add('settings', `is ${typeOf(value)}, not an object: give { minKeyAgeDays, gracePeriodDays, inProgressTimeoutMinutes } or leave it out`);
    return { ...DEFAULT_SETTINGS };
  }
  unknownFields(value, SETTINGS_FIELDS, 'settings', problems);
  const pick = (field: keyof RotationSettings, min: number, max: number, what: string): number =>
    value[field] === undefined ? DEFAULT_SETTINGS[field] : (integerIn(value[field], `settings.${field}`, min, max, problems, what) ?? DEFAULT_SETTINGS[field]);
  return {
    minKeyAgeDays: pick('minKeyAgeDays', 0, 365, 'days a key is kept before it is rotated'),
    gracePeriodDays: pick('gracePeriodDays', 0, 90, 'days a retired key stays inactive before it is deleted'),
    inProgressTimeoutMinutes: pick('inProgressTimeoutMinutes', 5, 10_080, 'minutes after which a pending secret version counts as abandoned'),
  };
}

/** The fields of an EventBridge Scheduler cron: minutes hours day-of-month month day-of-week year. */
function checkCron(body: string, path: string, problems: Problems): boolean {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    problems.add(path, `is "cron(${body})" with ${fields.length} fields: EventBridge Scheduler takes 6 (minutes hours day-of-month month day-of-week year), e.g. "cron(0 3 ? * SUN *)"`);
    return false;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    problems.add(path, `is "cron(${body})": exactly one of day-of-month and day-of-week must be "?", e.g. "cron(0 3 ? * SUN *)"`);
    return false;
  }
  return true;
}

function isTimeZone(zone: string, lookUp: boolean): boolean {
  if (!IANA_ZONE.test(zone)) return false;
  if (!lookUp) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parseSchedule(value: unknown, problems: Problems, lookUpTimeZone: boolean): ScheduleConfig {
  if (value === undefined) return { ...DEFAULT_SCHEDULE };
  if (!isObject(value)) {
    problems.add('schedule', `is ${typeOf(value)}, not an object: give { expression, timeZone } or leave it out for ${DEFAULT_SCHEDULE.expression} ${DEFAULT_SCHEDULE.timeZone}`);
    return { ...DEFAULT_SCHEDULE };
  }
  unknownFields(value, SCHEDULE_FIELDS, 'schedule', problems);
  let expression = DEFAULT_SCHEDULE.expression;
  if (value.expression !== undefined) {
    const raw = value.expression;
    const cron = typeof raw === 'string' ? CRON.exec(raw.trim()) : null;
    if (typeof raw !== 'string') {
      problems.add('schedule.expression', `is ${typeOf(raw)}, not a string: e.g. "cron(0 3 ? * SUN *)"`);
    } else if (cron) {
      if (checkCron(cron[1] as string, 'schedule.expression', problems)) expression = raw.trim();
    } else if (RATE.test(raw.trim())) {
      expression = raw.trim();
    } else {
      problems.add('schedule.expression', `is ${show(raw)}: use an EventBridge Scheduler cron(...) or rate(...) expression, e.g. "cron(0 3 ? * SUN *)" or "rate(7 days)"`);
    }
  }
  let timeZone = DEFAULT_SCHEDULE.timeZone;
  if (value.timeZone !== undefined) {
    if (typeof value.timeZone === 'string' && isTimeZone(value.timeZone, lookUpTimeZone)) timeZone = value.timeZone;
    else problems.add('schedule.timeZone', `is ${show(value.timeZone)}, not an IANA time zone name: e.g. "Etc/UTC" or "Europe/Berlin"`);
  }
  return { expression, timeZone };
}

/**
 * Validates a rotation configuration (parsed JSON) and returns it typed, with defaults applied.
 * Throws `ConfigurationError` listing every problem, each naming its field path
 * (`targets[1].connection.organizationUrl is "foo", not a URL: ...`).
 */
export interface ParseOptions {
  /**
   * Look the schedule's time zone up in ICU's database (default). The Lambdas, which never use the
   * schedule and run a configuration `cdk synth` already checked, skip it: loading the time-zone
   * data costs about 25 ms of every cold start.
   */
  lookUpTimeZone?: boolean;
}

export function parseRotationConfig(raw: unknown, options: ParseOptions = {}): RotationConfig {
  const problems = new Problems();
  if (!isObject(raw)) {
    throw new ConfigurationError(`The rotation configuration is ${typeOf(raw)}, not an object: give { "targets": [...] } (see rotation.config.schema.json)`, {
      context: { field: '(root)' },
    });
  }
  unknownFields(raw, ROOT_FIELDS, '', problems);

  const targets: RotationTarget[] = [];
  if (raw.targets === undefined) {
    problems.add('targets', 'is missing: list at least one target { name, iamUserName, secretId, connection }');
  } else if (!Array.isArray(raw.targets)) {
    problems.add('targets', `is ${typeOf(raw.targets)}, not a list: list at least one target { name, iamUserName, secretId, connection }`);
  } else if (raw.targets.length === 0) {
    problems.add('targets', 'is empty: list at least one target { name, iamUserName, secretId, connection }');
  } else {
    const firstIndexByName = new Map<string, number>();
    for (const [i, item] of raw.targets.entries()) {
      const target = parseTarget(item, `targets[${i}]`, problems);
      const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
      if (name !== undefined) {
        const first = firstIndexByName.get(name);
        if (first !== undefined) problems.add(`targets[${i}].name`, `is ${show(name)}, already the name of targets[${first}]: target names must be unique`);
        else firstIndexByName.set(name, i);
      }
      if (target) targets.push(target);
    }
  }

  const settings = parseSettings(raw.settings, problems);
  const schedule = parseSchedule(raw.schedule, problems, options.lookUpTimeZone ?? true);

  const config: RotationConfig = { targets, settings, schedule, maxConcurrency: DEFAULT_MAX_CONCURRENCY };
  if (raw.maxConcurrency !== undefined) {
    config.maxConcurrency = integerIn(raw.maxConcurrency, 'maxConcurrency', 1, MAX_CONCURRENCY_LIMIT, problems, 'how many targets rotate at once') ?? DEFAULT_MAX_CONCURRENCY;
  }
  if (raw.slackWebhookParameter !== undefined) {
    if (typeof raw.slackWebhookParameter !== 'string') {
      problems.add('slackWebhookParameter', `is ${typeOf(raw.slackWebhookParameter)}, not a string: name the SSM SecureString parameter holding the Slack webhook URL`);
    } else {
      const name = parameterName(raw.slackWebhookParameter, 'slackWebhookParameter', problems, 'the Slack webhook URL');
      if (name !== undefined) config.slackWebhookParameter = name;
    }
  }
  if (raw.alarmEmail !== undefined) {
    if (typeof raw.alarmEmail === 'string' && EMAIL.test(raw.alarmEmail)) config.alarmEmail = raw.alarmEmail;
    else problems.add('alarmEmail', `is ${show(raw.alarmEmail)}, not an e-mail address: alarms are sent there (or leave it out)`);
  }

  const [first] = problems.list;
  if (first) {
    const message =
      problems.list.length === 1
        ? `Invalid rotation configuration: ${first.message}`
        : `Invalid rotation configuration (${problems.list.length} problems):\n${problems.list.map((p) => `  - ${p.message}`).join('\n')}`;
    throw new ConfigurationError(message, { context: { field: first.path, problems: problems.list.length } });
  }
  return config;
}
