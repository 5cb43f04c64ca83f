import { describe, expect, it } from 'vitest';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_SCHEDULE } from '../../src/domain/config.js';
import { ConfigurationError } from '../../src/domain/errors.js';
import { DEFAULT_SETTINGS } from '../../src/domain/model.js';

/** A valid configuration with two targets; each case below breaks one thing in a fresh copy. */
const valid = () => ({
  $schema: './rotation.config.schema.json',
  targets: [
    {
      name: 'app-prod',
      iamUserName: 'ado-app-prod',
      secretId: 'ado-key-rotator/app-prod',
      connection: {
        organizationUrl: 'https://dev.azure.com/contoso',
        project: 'payments',
        connectionName: 'aws-prod',
        credentialParameter: '/ado-key-rotator/ado/pat',
      },
    },
    {
      name: 'app-test',
      iamUserName: 'ado-app-test',
      secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ado-key-rotator/app-test-AbCdEf',
      connection: {
        organizationUrl: 'https://tfs.contoso.internal/tfs/DefaultCollection',
        project: 'payments',
        connectionName: 'aws-test',
        credentialParameter: '/ado-key-rotator/ado-server/pat',
      },
    },
  ],
  azureDevOpsServerHosts: ['tfs.contoso.internal'],
});

type Config = ReturnType<typeof valid> & Record<string, unknown>;
type Target = Config['targets'][number] & Record<string, unknown>;

function problemOf(mutate: (c: Config) => void): ConfigurationError {
  const config = valid() as Config;
  mutate(config);
  try {
    parseRotationConfig(config);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('parseRotationConfig accepted an invalid configuration');
}

const target = (c: Config, i: number) => c.targets[i] as Target;
const connection = (c: Config, i: number) => target(c, i).connection as Record<string, unknown>;

describe('Config: parseRotationConfig', () => {
  it('accepts a valid configuration and applies the defaults', () => {
    const config = parseRotationConfig(valid());
    expect(config.targets.map((t) => t.name)).toEqual(['app-prod', 'app-test']);
    expect(config.settings).toEqual(DEFAULT_SETTINGS);
    expect(config.schedule).toEqual({ expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' });
    expect(config.schedule).toEqual(DEFAULT_SCHEDULE);
    expect(config.maxConcurrency).toBe(DEFAULT_MAX_CONCURRENCY);
    expect(config.maxConcurrency).toBe(5);
    expect(config).not.toHaveProperty('slackWebhookParameter');
    expect(config).not.toHaveProperty('alarmEmail');
  });

  it('keeps the optional fields and explicit settings it is given', () => {
    const config = parseRotationConfig({
      ...valid(),
      settings: { minKeyAgeDays: 13, gracePeriodDays: 2 },
      schedule: { expression: 'rate(7 days)', timeZone: 'Europe/Berlin' },
      slackWebhookParameter: '/ado-key-rotator/slack/webhook',
      alarmEmail: 'oncall@example.com',
      maxConcurrency: 2,
    });
    expect(config.settings).toEqual({
      minKeyAgeDays: 13,
      gracePeriodDays: 2,
      inProgressTimeoutMinutes: DEFAULT_SETTINGS.inProgressTimeoutMinutes,
    });
    expect(config.schedule).toEqual({ expression: 'rate(7 days)', timeZone: 'Europe/Berlin' });
    expect(config.slackWebhookParameter).toBe('/ado-key-rotator/slack/webhook');
    expect(config.alarmEmail).toBe('oncall@example.com');
    expect(config.maxConcurrency).toBe(2);
  });

  it('drops a trailing slash from the organization URL', () => {
    const config = valid();
    config.targets[0]!.connection.organizationUrl = 'https://dev.azure.com/contoso/';
    expect(parseRotationConfig(config).targets[0]?.connection.organizationUrl).toBe('https://dev.azure.com/contoso');
  });

  it('returns a configuration that parses to itself (the stack hands the parsed form to the Lambdas)', () => {
    const once = parseRotationConfig({
      ...valid(),
      slackWebhookParameter: '/ado-key-rotator/s/w',
      alarmEmail: 'a@b.co',
    });
    expect(parseRotationConfig(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('rejects a configuration that is not an object', () => {
    for (const raw of [null, 'targets', 42, []]) {
      expect(() => parseRotationConfig(raw)).toThrow(ConfigurationError);
    }
  });

  describe('names the field of each missing required field', () => {
    const cases: Array<[string, (c: Config) => void]> = [
      ['targets', (c) => delete (c as Partial<Config>).targets],
      ['targets[0].name', (c) => delete (target(c, 0) as Partial<Target>).name],
      ['targets[1].iamUserName', (c) => delete (target(c, 1) as Partial<Target>).iamUserName],
      ['targets[0].secretId', (c) => delete (target(c, 0) as Partial<Target>).secretId],
      ['targets[1].connection', (c) => delete (target(c, 1) as Partial<Target>).connection],
      ['targets[0].connection.organizationUrl', (c) => delete connection(c, 0).organizationUrl],
      ['targets[1].connection.project', (c) => delete connection(c, 1).project],
      ['targets[0].connection.connectionName', (c) => delete connection(c, 0).connectionName],
      ['targets[1].connection.credentialParameter', (c) => delete connection(c, 1).credentialParameter],
    ];
    it.each(cases)('%s', (field, mutate) => {
      const error = problemOf(mutate);
      expect(error.message).toContain(`${field} is missing`);
      expect(error.context.field).toBe(field);
    });
  });

  describe('names the field of each value of the wrong type', () => {
    const cases: Array<[string, (c: Config) => void, string]> = [
      ['targets', (c) => Object.assign(c, { targets: { name: 'x' } }), 'not a list'],
      ['targets[0]', (c) => Object.assign(c.targets, { 0: 'app-prod' }), 'not an object'],
      ['targets[0].name', (c) => Object.assign(target(c, 0), { name: 7 }), 'not a string'],
      ['targets[1].iamUserName', (c) => Object.assign(target(c, 1), { iamUserName: ['a'] }), 'not a string'],
      [
        'targets[0].connection',
        (c) => Object.assign(target(c, 0), { connection: 'https://dev.azure.com/x' }),
        'not an object',
      ],
      ['targets[1].connection.project', (c) => Object.assign(connection(c, 1), { project: null }), 'not a string'],
      ['settings', (c) => Object.assign(c, { settings: [] }), 'not an object'],
      ['settings.minKeyAgeDays', (c) => Object.assign(c, { settings: { minKeyAgeDays: '6' } }), 'not a whole number'],
      [
        'settings.gracePeriodDays',
        (c) => Object.assign(c, { settings: { gracePeriodDays: 1.5 } }),
        'not a whole number',
      ],
      ['schedule', (c) => Object.assign(c, { schedule: 'weekly' }), 'not an object'],
      ['schedule.expression', (c) => Object.assign(c, { schedule: { expression: 5 } }), 'not a string'],
      ['maxConcurrency', (c) => Object.assign(c, { maxConcurrency: '5' }), 'not a whole number'],
      ['slackWebhookParameter', (c) => Object.assign(c, { slackWebhookParameter: true }), 'not a string'],
    ];
    it.each(cases)('%s', (field, mutate, problem) => {
      const error = problemOf(mutate);
      expect(error.message).toContain(`${field} is`);
      expect(error.message).toContain(problem);
      expect(error.context.field).toBe(field);
    });
  });

  describe('names the field of each invalid value', () => {
    const cases: Array<[string, (c: Config) => void, string]> = [
      ['targets', (c) => Object.assign(c, { targets: [] }), 'is empty'],
      ['targets[0].name', (c) => Object.assign(target(c, 0), { name: 'has space' }), 'letters, digits'],
      [
        'targets[0].iamUserName',
        (c) => Object.assign(target(c, 0), { iamUserName: 'user/with/slash' }),
        'not an IAM user name',
      ],
      ['targets[0].secretId', (c) => Object.assign(target(c, 0), { secretId: 'bad secret name' }), 'not a secret name'],
      [
        'targets[1].secretId',
        (c) => Object.assign(target(c, 1), { secretId: 'arn:aws:s3:::bucket' }),
        'not a Secrets Manager secret ARN',
      ],
      [
        'targets[1].connection.organizationUrl',
        (c) => Object.assign(connection(c, 1), { organizationUrl: 'foo' }),
        'not a URL',
      ],
      [
        'targets[0].connection.organizationUrl',
        (c) => Object.assign(connection(c, 0), { organizationUrl: 'http://dev.azure.com/contoso' }),
        'must use https',
      ],
      [
        'targets[0].connection.organizationUrl',
        (c) => Object.assign(connection(c, 0), { organizationUrl: 'https://dev.azure.com' }),
        'exactly one organization',
      ],
      [
        'targets[0].connection.organizationUrl',
        (c) => Object.assign(connection(c, 0), { organizationUrl: 'https://me:pat@dev.azure.com/contoso' }),
        'user name or password',
      ],
      [
        'targets[1].connection.organizationUrl',
        (c) => Object.assign(connection(c, 1), { organizationUrl: 'https://tfs.contoso.internal' }),
        'names its collection',
      ],
      [
        'targets[0].connection.credentialParameter',
        (c) => Object.assign(connection(c, 0), { credentialParameter: 'ado-key-rotator/ado/pat' }),
        'must start with "/"',
      ],
      ['targets[0].connection.project', (c) => Object.assign(connection(c, 0), { project: '  ' }), 'is empty'],
      ['settings.minKeyAgeDays', (c) => Object.assign(c, { settings: { minKeyAgeDays: -1 } }), 'between 0 and 365'],
      [
        'settings.inProgressTimeoutMinutes',
        (c) => Object.assign(c, { settings: { inProgressTimeoutMinutes: 1 } }),
        'between 5 and 10080',
      ],
      [
        'schedule.expression',
        (c) => Object.assign(c, { schedule: { expression: '0 3 * * 0' } }),
        'cron(...) or rate(...)',
      ],
      ['schedule.expression', (c) => Object.assign(c, { schedule: { expression: 'cron(0 3 * * SUN)' } }), 'takes 6'],
      [
        'schedule.expression',
        (c) => Object.assign(c, { schedule: { expression: 'cron(0 3 * * SUN *)' } }),
        'exactly one of day-of-month and day-of-week',
      ],
      [
        'schedule.timeZone',
        (c) => Object.assign(c, { schedule: { timeZone: 'Mars/Olympus_Mons' } }),
        'not an IANA time zone',
      ],
      ['schedule.timeZone', (c) => Object.assign(c, { schedule: { timeZone: '+02:00' } }), 'not an IANA time zone'],
      ['maxConcurrency', (c) => Object.assign(c, { maxConcurrency: 0 }), 'between 1 and 40'],
      ['alarmEmail', (c) => Object.assign(c, { alarmEmail: 'oncall' }), 'not an e-mail address'],
      ['slackWebhookParameter', (c) => Object.assign(c, { slackWebhookParameter: 'slack' }), 'must start with "/"'],
      ['targets[0].connection.typo', (c) => Object.assign(connection(c, 0), { typo: 1 }), 'not a known field'],
      ['shedule', (c) => Object.assign(c, { shedule: {} }), 'not a known field'],
    ];
    it.each(cases)('%s (%s)', (field, mutate, problem) => {
      const error = problemOf(mutate);
      expect(error.message).toContain(field);
      expect(error.message).toContain(problem);
      expect(error.context.field).toBe(field);
    });
  });

  it('says what a non-URL organization URL should look like', () => {
    const error = problemOf((c) => Object.assign(connection(c, 1), { organizationUrl: 'foo' }));
    expect(error.message).toContain(
      'targets[1].connection.organizationUrl is not a URL: use https://dev.azure.com/{org} or ' +
        'https://host/tfs/{collection}',
    );
  });

  it('rejects duplicate target names, naming the second one and the first', () => {
    const error = problemOf((c) => {
      target(c, 1).name = 'app-prod';
    });
    expect(error.message).toContain(
      'targets[1].name is "app-prod", already the name of targets[0]: target names must be unique',
    );
    expect(error.context.field).toBe('targets[1].name');
  });

  it('never quotes a webhook URL or a PAT pasted where a parameter name belongs', () => {
    const webhook = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX';
    const pat = 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop';
    const error = problemOf((c) => {
      Object.assign(c, { slackWebhookParameter: webhook });
      Object.assign(connection(c, 0), { credentialParameter: pat });
    });
    expect(error.message).toContain('slackWebhookParameter looks like a URL');
    expect(error.message).toContain('targets[0].connection.credentialParameter is not an SSM parameter name');
    expect(error.message).not.toContain('hooks.slack.com');
    expect(error.message).not.toContain(pat);
  });

  it('lists every problem at once', () => {
    const error = problemOf((c) => {
      delete (target(c, 0) as Partial<Target>).iamUserName;
      Object.assign(connection(c, 1), { organizationUrl: 'foo' });
      Object.assign(c, { maxConcurrency: 99 });
    });
    expect(error.message).toMatch(/3 problems/);
    expect(error.message).toContain('targets[0].iamUserName is missing');
    expect(error.message).toContain('targets[1].connection.organizationUrl is not a URL');
    expect(error.message).toContain('maxConcurrency is 99');
    expect(error.context.field).toBe('targets[0].iamUserName');
  });
});
