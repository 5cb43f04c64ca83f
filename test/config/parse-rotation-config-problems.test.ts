/**
 * Over 300 lines on purpose: one row per configuration rule and boundary, read as one table.
 *
 * parseRotationConfig's rules pinned problem by problem, with their exact wording and at their
 * boundaries (the longest value quoted in full, the smallest and largest numbers accepted, each
 * URL shape, each cron rule), and the configuration it returns. Added from the mutants Stryker
 * found surviving in config.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { DEFAULT_RESOURCE_PREFIXES, DEFAULT_SCHEDULE, type RotationConfig } from '../../src/domain/config.js';
import { ConfigurationError } from '../../src/domain/errors.js';
import { DEFAULT_SETTINGS } from '../../src/domain/model.js';

const HINT = 'use https://dev.azure.com/{org} or https://host/tfs/{collection}';
type Json = Record<string, unknown>;

const target = (extra: Json = {}, connection: Json = {}): Json => ({
  name: 'app-prod',
  iamUserName: 'ado-app-prod',
  secretId: 'ado-key-rotator/app-prod',
  connection: {
    organizationUrl: 'https://dev.azure.com/contoso',
    project: 'payments',
    connectionName: 'aws-prod',
    credentialParameter: '/ado-key-rotator/ado/pat',
    ...connection,
  },
  ...extra,
});
const config = (extra: Json = {}): Json => ({ targets: [target()], ...extra });

/** Every problem's message, in order (one line each). */
function problemsOf(raw: unknown): string[] {
  try {
    parseRotationConfig(raw);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const single = /^Invalid rotation configuration: (.*)$/s.exec(error.message);
    if (single) return [single[1] as string];
    return error.message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^ {2}- /, ''));
  }
  return [];
}
const urlProblems = (organizationUrl: unknown) => problemsOf(config({ targets: [target({}, { organizationUrl })] }));

describe('Function: parseRotationConfig (exact problems)', () => {
  it('says what the whole configuration is when it is not an object', () => {
    for (const [raw, what] of [
      [null, 'null'],
      [[], 'a list'],
      ['x', 'a string'],
      [3, 'a number'],
      [true, 'a boolean'],
    ] as const) {
      let error: unknown;
      try {
        parseRotationConfig(raw);
      } catch (caught) {
        error = caught;
      }
      expect((error as ConfigurationError).message).toBe(
        `The rotation configuration is ${what}, not an object: give { "targets": [...] } (see ` +
          `rotation.config.schema.json)`,
      );
      expect((error as ConfigurationError).context).toEqual({ field: '(root)' });
    }
  });

  it('lists every problem at once, counted, each on its own line, with the first one as the field', () => {
    let error: unknown;
    try {
      parseRotationConfig({ targets: [], maxConcurrency: 0 });
    } catch (caught) {
      error = caught;
    }

    expect((error as ConfigurationError).message).toBe(
      'Invalid rotation configuration (2 problems):\n' +
        '  - targets is empty: list at least one target { name, iamUserName, secretId, connection }\n' +
        '  - maxConcurrency is 0: it must be between 1 and 40 (how many targets rotate at once)',
    );
    expect((error as ConfigurationError).context).toEqual({ field: 'targets', problems: 2 });
  });

  it('names unknown fields at every level, listing the known ones (without $schema)', () => {
    expect(problemsOf({ ...config(), $schema: 'x', extra: 1 })).toEqual([
      'extra is not a known field: expected only targets, settings, schedule, slackWebhookParameter, ' +
        'alarmEmail, maxConcurrency, azureDevOpsServerHosts, slackWebhookHosts, allowLoopbackHttp, resourcePrefixes',
    ]);
    expect(problemsOf(config({ targets: [target({ note: 1 }, { region: 'x' })] }))).toEqual([
      'targets[0].note is not a known field: expected only name, iamUserName, iamUserPath, iamUserArn, ' +
        'assumeRole, secretId, connection, connections, otherConnections, variableGroups, canary',
      'targets[0].connection.region is not a known field: expected only organizationUrl, project, ' +
        'connectionName, credentialParameter, federatedCredential, credentialExpiresOn',
    ]);
    expect(problemsOf(config({ settings: { days: 1 }, schedule: { cron: 'x' } }))).toEqual([
      'settings.days is not a known field: expected only minKeyAgeDays, gracePeriodDays, ' +
        'inProgressTimeoutMinutes, oldKeyUsedAfterPublish',
      'schedule.cron is not a known field: expected only expression, timeZone',
    ]);
  });

  it('says what type a wrong value is', () => {
    expect(problemsOf({ targets: {} })).toEqual([
      'targets is an object, not a list: list at least one target { name, iamUserName, secretId, connection }',
    ]);
    expect(problemsOf({ targets: null })).toEqual([
      'targets is null, not a list: list at least one target { name, iamUserName, secretId, connection }',
    ]);
    expect(problemsOf({ targets: [[]] })).toEqual([
      'targets[0] is a list, not an object: give { name, iamUserName, secretId, connection }',
    ]);
    expect(problemsOf(config({ targets: [target({ name: true })] }))).toEqual([
      'targets[0].name is a boolean, not a string: a unique name for logs, metrics and reports (letters, ' +
        'digits, ".", "_", ":", "-")',
    ]);
  });

  it('reports each missing or empty field of a target and of its connection, all at once', () => {
    const problems = problemsOf({ targets: [{ connection: { organizationUrl: ' ' } }] });

    expect(problems).toEqual([
      'targets[0].name is missing: a unique name for logs, metrics and reports (letters, digits, ".", "_", ":", "-")',
      'targets[0].iamUserName is missing: the IAM user whose access key the connection holds',
      'targets[0].secretId is missing: the Secrets Manager secret name (or ARN) that mirrors the key',
      `targets[0].connection.organizationUrl is empty: ${HINT}`,
      'targets[0].connection.project is missing: the Azure DevOps project (name or id) that owns the service ' +
        'connection',
      'targets[0].connection.connectionName is missing: the service connection name, as shown in Project ' +
        'settings > Service connections',
      'targets[0].connection.credentialParameter is missing: the name of the SSM SecureString parameter ' +
        'holding the Azure DevOps PAT (scope: Service Connections, read & manage), or give federatedCredential instead',
    ]);
  });

  it('checks the shape of each target field', () => {
    expect(problemsOf(config({ targets: [target({ name: '-app' })] }))).toEqual([
      'targets[0].name is "-app": use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
    ]);
    expect(problemsOf(config({ targets: [target({ iamUserName: 'ado app' })] }))).toEqual([
      'targets[0].iamUserName is "ado app", not an IAM user name: use 1-64 letters, digits or +=,.@_-',
    ]);
    expect(problemsOf(config({ targets: [target({ secretId: 'rotator app' })] }))).toEqual([
      'targets[0].secretId is "rotator app", not a secret name: use 1-512 letters, digits or /_+=.@-',
    ]);
    expect(problemsOf(config({ targets: [target({ secretId: 'arn:aws:s3:::bucket' })] }))).toEqual([
      'targets[0].secretId is "arn:aws:s3:::bucket", not a Secrets Manager secret ARN ' +
        '(arn:aws:secretsmanager:{region}:{account}:secret:{name})',
    ]);
  });

  it('quotes a value of up to 80 characters in full, and a longer one cut to 77 and "..."', () => {
    const fits = 'a'.repeat(78); // quoted: 80 characters
    const long = 'b'.repeat(79); // quoted: 81 characters

    expect(problemsOf(config({ targets: [target({ iamUserName: fits })] }))).toEqual([
      `targets[0].iamUserName is "${fits}", not an IAM user name: use 1-64 letters, digits or +=,.@_-`,
    ]);
    expect(problemsOf(config({ targets: [target({ iamUserName: long })] }))).toEqual([
      `targets[0].iamUserName is "${'b'.repeat(76)}..., not an IAM user name: use 1-64 letters, digits or +=,.@_-`,
    ]);
  });

  it('rejects a duplicate target name, naming both', () => {
    expect(problemsOf({ targets: [target(), target({ iamUserName: 'other' }), target({ name: 'app-test' })] })).toEqual(
      ['targets[1].name is "app-prod", already the name of targets[0]: target names must be unique'],
    );
  });

  it('accepts targets in order, dropping none', () => {
    const parsed = parseRotationConfig({ targets: [target(), target({ name: 'app-test' })] });
    expect(parsed.targets.map((t) => t.name)).toEqual(['app-prod', 'app-test']);
  });
});

describe('Function: parseRotationConfig (organization URL)', () => {
  const SERVER = { azureDevOpsServerHosts: ['tfs.contoso.internal'] };
  const LOCAL = { allowLoopbackHttp: true };
  it.each([
    ['https://dev.azure.com/contoso', 'https://dev.azure.com/contoso', {}],
    ['https://dev.azure.com/contoso//', 'https://dev.azure.com/contoso', {}],
    ['https://DEV.AZURE.COM/contoso', 'https://dev.azure.com/contoso', {}],
    ['https://contoso.visualstudio.com', 'https://contoso.visualstudio.com', {}],
    ['https://CONTOSO.VisualStudio.com/', 'https://contoso.visualstudio.com', {}],
    [
      'https://tfs.contoso.internal/tfs/DefaultCollection/',
      'https://tfs.contoso.internal/tfs/DefaultCollection',
      SERVER,
    ],
    [
      'https://TFS.contoso.internal/tfs/DefaultCollection',
      'https://tfs.contoso.internal/tfs/DefaultCollection',
      SERVER,
    ],
    ['http://127.0.0.1:8080/contoso', 'http://127.0.0.1:8080/contoso', LOCAL],
    ['http://localhost:8080/contoso', 'http://localhost:8080/contoso', LOCAL],
    ['http://LOCALHOST:8080/contoso', 'http://localhost:8080/contoso', LOCAL],
    ['http://[::1]:8080/contoso', 'http://[::1]:8080/contoso', LOCAL],
  ])('accepts %s as %s', (raw, expected, extra) => {
    expect(
      parseRotationConfig(config({ targets: [target({}, { organizationUrl: raw })], ...extra })).targets[0]?.connection
        .organizationUrl,
    ).toBe(expected);
  });

  const OUTSIDE =
    'names a host that is neither dev.azure.com, {org}.visualstudio.com nor one of azureDevOpsServerHosts: the ' +
    'rotator sends a credential only to Azure DevOps; list an Azure DevOps Server host in azureDevOpsServerHosts';
  it.each([
    ['contoso', `targets[0].connection.organizationUrl is not a URL: ${HINT}`],
    [
      'http://dev.azure.com/contoso',
      `targets[0].connection.organizationUrl must use https (the rotator sends a credential to it); ${HINT}`,
    ],
    [
      'http://10.0.0.1/tfs/c',
      `targets[0].connection.organizationUrl must use https (the rotator sends a credential to it); ${HINT}`,
    ],
    [
      'ftp://localhost/contoso',
      `targets[0].connection.organizationUrl must use https (the rotator sends a credential to it); ${HINT}`,
    ],
    [
      'http://127.0.0.1:8080/contoso',
      `targets[0].connection.organizationUrl must use https (the rotator sends a credential to it) (plain http ` +
        `to this machine only with allowLoopbackHttp, for local runs); ${HINT}`,
    ],
    [
      'https://me@dev.azure.com/contoso',
      `targets[0].connection.organizationUrl must not carry a user name or password: the credential belongs in ` +
        `the SSM parameter named by credentialParameter; ${HINT}`,
    ],
    [
      'https://:pat@dev.azure.com/contoso',
      `targets[0].connection.organizationUrl must not carry a user name or password: the credential belongs in ` +
        `the SSM parameter named by credentialParameter; ${HINT}`,
    ],
    ['https://dev.azure.com/contoso?x=1', `targets[0].connection.organizationUrl has a query or fragment: ${HINT}`],
    ['https://dev.azure.com/contoso#top', `targets[0].connection.organizationUrl has a query or fragment: ${HINT}`],
    [
      'https://dev.azure.com/',
      `targets[0].connection.organizationUrl names 0 path segments: a dev.azure.com URL names exactly one ` +
        `organization; ${HINT}`,
    ],
    [
      'https://dev.azure.com/contoso/payments',
      `targets[0].connection.organizationUrl names 2 path segments: a dev.azure.com URL names exactly one ` +
        `organization; ${HINT}`,
    ],
    ['https://tfs.contoso.internal/tfs/DefaultCollection', `targets[0].connection.organizationUrl ${OUTSIDE}`],
    ['https://attacker.example/collect', `targets[0].connection.organizationUrl ${OUTSIDE}`],
    ['https://dev.azure.com.attacker.example/contoso', `targets[0].connection.organizationUrl ${OUTSIDE}`],
    ['https://contoso.visualstudio.com.attacker.example/', `targets[0].connection.organizationUrl ${OUTSIDE}`],
  ])('refuses %s', (raw, problem) => {
    expect(urlProblems(raw)).toEqual([problem]);
  });

  it('refuses an Azure DevOps Server URL without its collection, once its host is listed', () => {
    expect(
      problemsOf(config({ targets: [target({}, { organizationUrl: 'https://tfs.contoso.internal/' })], ...SERVER })),
    ).toEqual([
      `targets[0].connection.organizationUrl has no path: an Azure DevOps Server URL names its collection; ${HINT}`,
    ]);
  });

  it('never quotes what the field holds: a PAT pasted into it stays out of the error', () => {
    const pat = 'z7qxw4vbn2m5k8j3h6g9f1d4s7a0p2o5i8u1y4t7r3e6w9q2lkjh';
    for (const raw of [
      pat,
      `https://${pat}.example/`,
      `https://dev.azure.com/${pat}/x`,
      `https://:${pat}@dev.azure.com/contoso`,
    ]) {
      const problems = urlProblems(raw);
      expect(problems).toHaveLength(1);
      expect(problems.join(' ')).not.toContain(pat.slice(0, 12));
    }
  });

  it('reports a URL that is not a string by its type', () => {
    expect(urlProblems(42)).toEqual([`targets[0].connection.organizationUrl is a number, not a string: ${HINT}`]);
  });

  it('checks the lists it is given: host names only, and a true/false flag', () => {
    expect(
      problemsOf(
        config({ azureDevOpsServerHosts: ['https://tfs.contoso.internal', 'tfs.ok'], allowLoopbackHttp: 'yes' }),
      ),
    ).toEqual([
      'azureDevOpsServerHosts[0] is not a host name: give the name alone, without scheme, port or path (e.g. ' +
        '"tfs.contoso.internal")',
      'allowLoopbackHttp is "yes", not true or false: set it only for local runs against stand-ins',
    ]);
    expect(problemsOf(config({ slackWebhookHosts: 'hooks.slack.com' }))).toEqual([
      'slackWebhookHosts is a string, not a list: give host names, e.g. ["tfs.contoso.internal"]',
    ]);
  });
});

describe('Function: parseRotationConfig (resource prefixes and IAM paths)', () => {
  const outside = (field: string, kind: 'secrets' | 'parameters', prefix: string) =>
    `${field} is not under resourcePrefixes.${kind} ("${prefix}"): the rotator may ` +
    `${kind === 'secrets' ? 'touch secrets' : 'read SSM parameters'} only there; move it under "${prefix}", or ` +
    `set resourcePrefixes.${kind} to the prefix it is under`;
  const DB = { secretId: 'prod/payments/db' };
  const DB_PASSWORD = { credentialParameter: '/prod/payments/db-password' };

  it('enforces the default prefixes when the file names none, and records them', () => {
    // Act
    const parsed = parseRotationConfig(config({ slackWebhookParameter: '/ado-key-rotator/slack' }));

    // Assess
    expect(parsed.resourcePrefixes).toEqual({ secrets: 'ado-key-rotator/', parameters: '/ado-key-rotator/' });
  });

  it("refuses, without prefixes, every name outside the defaults (a database password, another team's secret)", () => {
    // Prepare: each place a configuration names a secret or an SSM parameter.
    const crafted = config({
      targets: [
        target(DB, DB_PASSWORD),
        target({
          name: 'other',
          connections: [{ ...(target().connection as Json) }, { connectionName: 'aws-2', ...DB_PASSWORD }],
          connection: undefined,
          variableGroups: [{ groupName: 'aws', ...DB_PASSWORD }],
          canary: { pipelineId: 7, ...DB_PASSWORD },
        }),
        target({ name: 'arn', secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf' }),
      ],
      slackWebhookParameter: '/prod/slack',
    });

    // Act
    const problems = problemsOf(crafted);

    // Assess: each field named, the default prefix and what to do said, no name quoted.
    expect(problems).toEqual([
      outside('targets[0].secretId', 'secrets', 'ado-key-rotator/'),
      outside('targets[0].connection.credentialParameter', 'parameters', '/ado-key-rotator/'),
      outside('targets[1].connections[1].credentialParameter', 'parameters', '/ado-key-rotator/'),
      outside('targets[1].variableGroups[0].credentialParameter', 'parameters', '/ado-key-rotator/'),
      outside('targets[1].canary.credentialParameter', 'parameters', '/ado-key-rotator/'),
      outside('targets[2].secretId', 'secrets', 'ado-key-rotator/'),
      outside('slackWebhookParameter', 'parameters', '/ado-key-rotator/'),
    ]);
    expect(problems.join('\n')).not.toMatch(/prod\//);
  });

  it("accepts a holder that inherits the connection's parameter, which is under the prefix", () => {
    // Act
    const parsed = parseRotationConfig(config({ targets: [target({ variableGroups: [{ groupName: 'aws' }] })] }));

    // Assess
    expect(parsed.targets[0]?.variableGroups?.[0]?.credentialParameter).toBe('/ado-key-rotator/ado/pat');
  });

  it('holds the names to the prefixes the file gives instead, each key separately', () => {
    // Prepare
    const own = { resourcePrefixes: { secrets: 'ci/ado/', parameters: '/ci/ado/' } };
    const underOwn = target({ secretId: 'ci/ado/app' }, { credentialParameter: '/ci/ado/pat' });

    // Act
    const parsed = parseRotationConfig(config({ targets: [underOwn], ...own }));
    const defaultsNow = problemsOf(config(own));
    const secretsOnly = problemsOf(config({ targets: [target(DB, DB_PASSWORD)], resourcePrefixes: { secrets: 'p' } }));

    // Assess: the names under them accepted, the defaults no longer, a missing key from the defaults.
    expect(parsed.resourcePrefixes).toEqual(own.resourcePrefixes);
    expect(defaultsNow).toEqual([
      outside('targets[0].secretId', 'secrets', 'ci/ado/'),
      outside('targets[0].connection.credentialParameter', 'parameters', '/ci/ado/'),
    ]);
    expect(secretsOnly).toEqual([
      outside('targets[0].connection.credentialParameter', 'parameters', '/ado-key-rotator/'),
    ]);
  });

  it('takes an IAM user path of 512 characters at most, and only a string', () => {
    // Prepare: the longest path IAM takes, one character more, and a list whose text is a path.
    const longest = `/${'a'.repeat(510)}/`;
    const tooLong = `/${'a'.repeat(511)}/`;

    // Act
    const kept = parseRotationConfig(config({ targets: [target({ iamUserPath: longest })] })).targets[0]?.iamUserPath;
    const refused = [tooLong, ['/ci/']].map((iamUserPath) =>
      problemsOf(config({ targets: [target({ iamUserPath })] })),
    );

    // Assess
    expect(kept).toBe(longest);
    expect(refused.map((problems) => problems.length)).toEqual([1, 1]);
    expect(refused[1]).toEqual([
      'targets[0].iamUserPath is ["/ci/"], not an IAM path: use "/" or segments between slashes, e.g. "/ci/" ' +
        "(see the user's ARN)",
    ]);
  });

  it('keeps an IAM user path, and refuses one that is not a path', () => {
    expect(parseRotationConfig(config({ targets: [target({ iamUserPath: '/ci/' })] })).targets[0]?.iamUserPath).toBe(
      '/ci/',
    );
    expect(
      parseRotationConfig(config({ targets: [target({ iamUserPath: '/' })] })).targets[0]?.iamUserPath,
    ).toBeUndefined();
    expect(problemsOf(config({ targets: [target({ iamUserPath: 'ci' })] }))).toEqual([
      'targets[0].iamUserPath is "ci", not an IAM path: use "/" or segments between slashes, e.g. "/ci/" (see ' +
        "the user's ARN)",
    ]);
  });
});

describe('Function: parseRotationConfig (SSM parameter names)', () => {
  it.each([
    [
      'https://hooks.slack.com/services/T/B/x',
      'looks like a URL: it takes the name of an SSM SecureString parameter holding the Azure DevOps PAT (e.g. ' +
        '"/ado-key-rotator/..."), not the value itself',
    ],
    [
      'HTTP://example.com/x',
      'looks like a URL: it takes the name of an SSM SecureString parameter holding the Azure DevOps PAT (e.g. ' +
        '"/ado-key-rotator/..."), not the value itself',
    ],
    [
      'ado-key-rotator/pat',
      'is not an SSM parameter name: it must start with "/" and name the SecureString parameter holding the ' +
        'Azure DevOps PAT',
    ],
    [
      'see https://example.com',
      'is not an SSM parameter name: it must start with "/" and name the SecureString parameter holding the ' +
        'Azure DevOps PAT',
    ],
    [
      '/ado-key-rotator/my pat',
      'is not a valid SSM parameter name: use letters, digits, "_", ".", "-" and "/" (at most 1011 characters)',
    ],
    ['/', 'is not a valid SSM parameter name: use letters, digits, "_", ".", "-" and "/" (at most 1011 characters)'],
  ])('refuses credentialParameter %j without quoting it', (value, problem) => {
    expect(problemsOf(config({ targets: [target({}, { credentialParameter: value })] }))).toEqual([
      `targets[0].connection.credentialParameter ${problem}`,
    ]);
  });

  it('checks slackWebhookParameter the same way, and its type', () => {
    expect(problemsOf(config({ slackWebhookParameter: 'slack' }))).toEqual([
      'slackWebhookParameter is not an SSM parameter name: it must start with "/" and name the SecureString ' +
        'parameter holding the Slack webhook URL',
    ]);
    expect(problemsOf(config({ slackWebhookParameter: 5 }))).toEqual([
      'slackWebhookParameter is a number, not a string: name the SSM SecureString parameter holding the Slack ' +
        'webhook URL',
    ]);
  });
});

describe('Function: parseRotationConfig (settings, schedule, concurrency, e-mail)', () => {
  it('applies every default when the optional parts are left out', () => {
    const parsed = parseRotationConfig(config());

    expect(parsed).toEqual({
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
      ],
      settings: DEFAULT_SETTINGS,
      schedule: DEFAULT_SCHEDULE,
      maxConcurrency: 5,
      resourcePrefixes: DEFAULT_RESOURCE_PREFIXES,
    } satisfies RotationConfig);
  });

  it('keeps every optional part it is given', () => {
    const parsed = parseRotationConfig(
      config({
        settings: { minKeyAgeDays: 0, gracePeriodDays: 90, inProgressTimeoutMinutes: 5 },
        schedule: { expression: ' rate(7 days) ', timeZone: 'Europe/Berlin' },
        maxConcurrency: 40,
        slackWebhookParameter: '/ado-key-rotator/slack',
        alarmEmail: 'ops@contoso.com',
      }),
    );

    expect(parsed).toMatchObject({
      settings: { minKeyAgeDays: 0, gracePeriodDays: 90, inProgressTimeoutMinutes: 5 },
      schedule: { expression: 'rate(7 days)', timeZone: 'Europe/Berlin' },
      maxConcurrency: 40,
      slackWebhookParameter: '/ado-key-rotator/slack',
      alarmEmail: 'ops@contoso.com',
    });
  });

  it('fills the settings left out with their defaults, and keeps the defaults out of reach', () => {
    const first = parseRotationConfig(config({ settings: { minKeyAgeDays: 10 } }));
    first.settings.gracePeriodDays = 1;
    const second = parseRotationConfig(config());

    expect(first.settings).toEqual({ ...DEFAULT_SETTINGS, minKeyAgeDays: 10, gracePeriodDays: 1 });
    expect(second.settings).toEqual(DEFAULT_SETTINGS);
    expect(second.schedule).not.toBe(DEFAULT_SCHEDULE);
  });

  it.each([
    [
      { minKeyAgeDays: -1 },
      'settings.minKeyAgeDays is -1: it must be between 0 and 365 (days a key is kept before it is rotated)',
    ],
    [
      { minKeyAgeDays: 366 },
      'settings.minKeyAgeDays is 366: it must be between 0 and 365 (days a key is kept before it is rotated)',
    ],
    [
      { minKeyAgeDays: 1.5 },
      'settings.minKeyAgeDays is 1.5, not a whole number: days a key is kept before it is rotated',
    ],
    [
      { gracePeriodDays: 91 },
      'settings.gracePeriodDays is 91: it must be between 0 and 90 (days a retired key stays inactive before ' +
        'it is deleted)',
    ],
    [
      { inProgressTimeoutMinutes: 4 },
      'settings.inProgressTimeoutMinutes is 4: it must be between 5 and 10080 (minutes after which a pending ' +
        'secret version counts as abandoned)',
    ],
    [
      { inProgressTimeoutMinutes: 10_081 },
      'settings.inProgressTimeoutMinutes is 10081: it must be between 5 and 10080 (minutes after which a ' +
        'pending secret version counts as abandoned)',
    ],
  ])('refuses settings %j', (settings, problem) => {
    expect(problemsOf(config({ settings }))).toEqual([problem]);
  });

  it('accepts the edge values of each setting', () => {
    expect(
      parseRotationConfig(
        config({ settings: { minKeyAgeDays: 365, gracePeriodDays: 0, inProgressTimeoutMinutes: 10_080 } }),
      ).settings,
    ).toEqual({
      minKeyAgeDays: 365,
      gracePeriodDays: 0,
      inProgressTimeoutMinutes: 10_080,
    });
  });

  it('refuses settings and a schedule that are not objects', () => {
    expect(problemsOf(config({ settings: 'weekly' }))).toEqual([
      'settings is a string, not an object: give { minKeyAgeDays, gracePeriodDays, inProgressTimeoutMinutes } ' +
        'or leave it out',
    ]);
    expect(problemsOf(config({ schedule: ['cron(0 3 ? * SUN *)'] }))).toEqual([
      'schedule is a list, not an object: give { expression, timeZone } or leave it out for cron(0 3 ? * SUN ' +
        '*) Etc/UTC',
    ]);
  });

  it.each([
    [
      'cron(0 3 * * SUN *)',
      'schedule.expression is "cron(0 3 * * SUN *)": exactly one of day-of-month and day-of-week must be "?", ' +
        'e.g. "cron(0 3 ? * SUN *)"',
    ],
    [
      'cron(0 3 ? * ? *)',
      'schedule.expression is "cron(0 3 ? * ? *)": exactly one of day-of-month and day-of-week must be "?", ' +
        'e.g. "cron(0 3 ? * SUN *)"',
    ],
    [
      'cron(0 3 ? * SUN)',
      'schedule.expression is "cron(0 3 ? * SUN)" with 5 fields: EventBridge Scheduler takes 6 (minutes hours ' +
        'day-of-month month day-of-week year), e.g. "cron(0 3 ? * SUN *)"',
    ],
    [
      'rate(0 days)',
      'schedule.expression is "rate(0 days)": use an EventBridge Scheduler cron(...) or rate(...) expression, ' +
        'e.g. "cron(0 3 ? * SUN *)" or "rate(7 days)"',
    ],
    [
      'weekly',
      'schedule.expression is "weekly": use an EventBridge Scheduler cron(...) or rate(...) expression, e.g. ' +
        '"cron(0 3 ? * SUN *)" or "rate(7 days)"',
    ],
  ])('refuses the schedule %s', (expression, problem) => {
    expect(problemsOf(config({ schedule: { expression } }))).toEqual([problem]);
  });

  it('refuses an expression that is not a string, and a time zone that is not one', () => {
    expect(problemsOf(config({ schedule: { expression: 7 } }))).toEqual([
      'schedule.expression is a number, not a string: e.g. "cron(0 3 ? * SUN *)"',
    ]);
    expect(problemsOf(config({ schedule: { timeZone: 'Mars/Olympus' } }))).toEqual([
      'schedule.timeZone is "Mars/Olympus", not an IANA time zone name: e.g. "Etc/UTC" or "Europe/Berlin"',
    ]);
    expect(problemsOf(config({ schedule: { timeZone: 'UTC; rm -rf' } }))).toHaveLength(1);
    expect(problemsOf(config({ schedule: { timeZone: 1 } }))).toEqual([
      'schedule.timeZone is 1, not an IANA time zone name: e.g. "Etc/UTC" or "Europe/Berlin"',
    ]);
    expect(problemsOf(config({ schedule: { timeZone: ['Etc/UTC'] } }))).toEqual([
      'schedule.timeZone is ["Etc/UTC"], not an IANA time zone name: e.g. "Etc/UTC" or "Europe/Berlin"',
    ]);
  });

  it('accepts a cron with spaces inside its parentheses', () => {
    expect(parseRotationConfig(config({ schedule: { expression: 'cron( 0 3 1 * ? * )' } })).schedule.expression).toBe(
      'cron( 0 3 1 * ? * )',
    );
  });

  it('accepts a cron with spaces around it and between its fields, trimmed', () => {
    expect(parseRotationConfig(config({ schedule: { expression: '  cron(0  3 1 * ? *)  ' } })).schedule).toEqual({
      expression: 'cron(0  3 1 * ? *)',
      timeZone: 'Etc/UTC',
    });
  });

  it('keeps the default schedule parts that are left out', () => {
    expect(parseRotationConfig(config({ schedule: { timeZone: 'Europe/Paris' } })).schedule).toEqual({
      expression: DEFAULT_SCHEDULE.expression,
      timeZone: 'Europe/Paris',
    });
    expect(parseRotationConfig(config({ schedule: { expression: 'rate(1 day)' } })).schedule).toEqual({
      expression: 'rate(1 day)',
      timeZone: 'Etc/UTC',
    });
  });

  it.each([
    [0, 'maxConcurrency is 0: it must be between 1 and 40 (how many targets rotate at once)'],
    [41, 'maxConcurrency is 41: it must be between 1 and 40 (how many targets rotate at once)'],
    ['5', 'maxConcurrency is "5", not a whole number: how many targets rotate at once'],
  ])('refuses maxConcurrency %j', (maxConcurrency, problem) => {
    expect(problemsOf(config({ maxConcurrency }))).toEqual([problem]);
  });

  it('accepts maxConcurrency 1', () => {
    expect(parseRotationConfig(config({ maxConcurrency: 1 })).maxConcurrency).toBe(1);
  });

  it('refuses an alarm e-mail that is not an address, quoting it', () => {
    expect(problemsOf(config({ alarmEmail: 'ops' }))).toEqual([
      'alarmEmail is "ops", not an e-mail address: alarms are sent there (or leave it out)',
    ]);
    expect(problemsOf(config({ alarmEmail: 5 }))).toEqual([
      'alarmEmail is 5, not an e-mail address: alarms are sent there (or leave it out)',
    ]);
    expect(problemsOf(config({ alarmEmail: ['ops@contoso.example'] }))).toEqual([
      'alarmEmail is ["ops@contoso.example"], not an e-mail address: alarms are sent there (or leave it out)',
    ]);
  });
});
