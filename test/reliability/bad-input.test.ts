/**
 * Bad input, one row per mistake an operator (or a broken state machine) can make. Each row
 * expects one specific error class, a message that names the connection, field or parameter
 * and says what to do, and no change anywhere: IAM, the secret and the service connection are
 * compared before and after, and no call that changes something may have been made.
 */
import { ALL_WIRING } from '../../src/wiring/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROTATION_CONFIG } from '../../src/adapters/config/config-targets.adapter.js';
import { logger } from '../../src/adapters/observability/logger.js';
import { EXIT, runCli } from '../../src/cli/main.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { ConfigurationError, InvalidStepInputError, RotationError } from '../../src/domain/errors.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { localTaskHandlers, type TaskName, worldOverrides } from '../../local/local-handlers.js';
import { PAT_PARAMETER as RIG_PAT_PARAMETER, type Rig, type RigOptions, startRig, TARGET } from './support/rig.js';
import '../cli/support/load-commands.js';

beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => logger.setLogLevel('INFO'));

// ------------------------------------------------------------------------------------------ configuration

/** A valid configuration; each row breaks one thing in a fresh copy. */
const validConfig = () => ({
  targets: [
    {
      name: 'app-prod',
      iamUserName: 'ado-app-prod',
      secretId: 'rotator/app-prod',
      connection: {
        organizationUrl: 'https://dev.azure.com/contoso',
        project: 'payments',
        connectionName: 'aws-app-prod',
        credentialParameter: '/rotator/azure-devops/pat',
      },
    },
  ],
  resourcePrefixes: { secrets: 'rotator/', parameters: '/rotator/' },
});
type Json = Record<string, unknown>;
const firstTarget = (c: Json) => (c.targets as Json[])[0] as Json;
const firstConnection = (c: Json) => firstTarget(c).connection as Json;
const PASTED_PAT = 'q7pasted2pat4value6that8must0never1be3echoed5back7x';
const PASTED_WEBHOOK = 'https://hooks.slack.com/services/T0PASTED/B0PASTED/pastedWebhookSecret0000';

interface ConfigRow {
  mistake: string;
  break: (c: Json) => void;
  /** `context.field` of the error: the first problem's path. */
  field: string;
  /** Parts of the message: the field path and what to do. */
  says: string[];
  /** Values that must not be echoed (a secret pasted into the wrong field). */
  neverEchoes?: string[];
}

const configRows: ConfigRow[] = [
  {
    mistake: 'the targets list is missing',
    break: (c) => delete c.targets,
    field: 'targets',
    says: ['targets is missing', 'list at least one target'],
  },
  {
    mistake: 'the targets list is empty',
    break: (c) => (c.targets = []),
    field: 'targets',
    says: ['targets is empty', 'list at least one target'],
  },
  {
    mistake: 'targets is an object, not a list',
    break: (c) => (c.targets = {}),
    field: 'targets',
    says: ['targets is an object, not a list'],
  },
  ...(['name', 'iamUserName', 'secretId', 'connection'] as const).map(
    (field): ConfigRow => ({
      mistake: `a target's ${field} is missing`,
      break: (c) => delete firstTarget(c)[field],
      field: `targets[0].${field}`,
      says: [
        `targets[0].${field} is missing`,
        field === 'connection' ? 'give { organizationUrl, project, connectionName, credentialParameter }' : ': ',
      ],
    }),
  ),
  ...(['organizationUrl', 'project', 'connectionName', 'credentialParameter'] as const).map(
    (field): ConfigRow => ({
      mistake: `the connection's ${field} is missing`,
      break: (c) => delete firstConnection(c)[field],
      field: `targets[0].connection.${field}`,
      says: [`targets[0].connection.${field} is missing: `],
    }),
  ),
  {
    mistake: 'a target name is a number',
    break: (c) => (firstTarget(c).name = 42),
    field: 'targets[0].name',
    says: ['targets[0].name is a number, not a string', 'a unique name'],
  },
  {
    mistake: 'the connection is a string',
    break: (c) => (firstTarget(c).connection = 'aws-app-prod'),
    field: 'targets[0].connection',
    says: [
      'targets[0].connection is a string, not an object',
      'give { organizationUrl, project, connectionName, credentialParameter }',
    ],
  },
  {
    mistake: 'a setting is a string',
    break: (c) => (c.settings = { minKeyAgeDays: '6' }),
    field: 'settings.minKeyAgeDays',
    says: ['settings.minKeyAgeDays is "6", not a whole number', 'days a key is kept before it is rotated'],
  },
  {
    mistake: 'the organization URL is not a URL',
    break: (c) => (firstConnection(c).organizationUrl = 'contoso'),
    field: 'targets[0].connection.organizationUrl',
    says: [
      'targets[0].connection.organizationUrl is not a URL',
      'use https://dev.azure.com/{org} or https://host/tfs/{collection}',
    ],
    neverEchoes: ['contoso'],
  },
  {
    mistake: 'the organization URL is plain http',
    break: (c) => (firstConnection(c).organizationUrl = 'http://dev.azure.com/contoso'),
    field: 'targets[0].connection.organizationUrl',
    says: ['targets[0].connection.organizationUrl', 'must use https'],
  },
  {
    mistake: 'the PAT itself is pasted where its parameter name belongs',
    break: (c) => (firstConnection(c).credentialParameter = PASTED_PAT),
    field: 'targets[0].connection.credentialParameter',
    says: ['targets[0].connection.credentialParameter is not an SSM parameter name', 'must start with "/"'],
    neverEchoes: [PASTED_PAT],
  },
  {
    mistake: 'the Slack webhook URL is pasted where its parameter name belongs',
    break: (c) => (c.slackWebhookParameter = PASTED_WEBHOOK),
    field: 'slackWebhookParameter',
    says: [
      'slackWebhookParameter looks like a URL',
      'the name of an SSM SecureString parameter holding the Slack webhook URL',
    ],
    neverEchoes: [PASTED_WEBHOOK, 'pastedWebhookSecret'],
  },
  {
    mistake: 'the organization URL names a server that is not Azure DevOps (the credential would go there)',
    break: (c) => (firstConnection(c).organizationUrl = 'https://collector.attacker.example/tfs/c'),
    field: 'targets[0].connection.organizationUrl',
    says: [
      'targets[0].connection.organizationUrl names a host that is neither dev.azure.com',
      'azureDevOpsServerHosts',
    ],
    neverEchoes: ['attacker'],
  },
  {
    mistake: 'a misspelt field',
    break: (c) => (firstTarget(c).iamUser = 'x'),
    field: 'targets[0].iamUser',
    says: [
      'targets[0].iamUser is not a known field',
      'expected only name, iamUserName, iamUserPath, iamUserArn, assumeRole, secretId, connection',
    ],
  },
];

describe('Bad input: the rotation configuration', () => {
  for (const row of configRows) {
    it(`throws ConfigurationError naming the field, and leaves its input as it was, when ${row.mistake}`, () => {
      // Arrange
      const config = validConfig() as Json;
      row.break(config);
      const before = structuredClone(config);

      // Act
      const act = () => parseRotationConfig(config);

      // Assert
      expect(act).toThrow(ConfigurationError);
      const error = catchError(act);
      expect(error.name).toBe('ConfigurationError');
      expect(error.context.field).toBe(row.field);
      for (const part of row.says) expect(error.message).toContain(part);
      for (const secret of row.neverEchoes ?? []) expect(JSON.stringify(error)).not.toContain(secret);
      expect(config).toEqual(before);
    });
  }

  it('accepts the unbroken configuration (the rows above break one thing each)', () => {
    expect(parseRotationConfig(validConfig()).targets).toHaveLength(1);
  });
});

function catchError(act: () => unknown): RotationError {
  try {
    act();
  } catch (error) {
    if (error instanceof RotationError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

// ------------------------------------------------------------------------------------------ CLI

describe('Bad input: the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rotator-bad-input-'));
  const file = (name: string, content: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, content);
    return at;
  };
  const worldConfigJson = (world: FakeWorld) =>
    JSON.stringify({
      targets: world.targets.targets,
      resourcePrefixes: { secrets: 'rotator/', parameters: '/rotator/' },
    });

  /** The CLI over a FakeWorld: the configuration comes from the file, every port from the world. */
  async function cli(world: FakeWorld, argv: string[]) {
    const overrides = worldOverrides(world);
    overrides.delete(ROTATION_CONFIG);
    overrides.delete(TOKENS.Targets);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), overrides });
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  const rows: Array<{ mistake: string; argv: (world: FakeWorld) => string[]; says: string[] }> = [
    {
      mistake: 'rotate names a target that is not configured',
      argv: (w) => ['--config', file('ok.json', worldConfigJson(w)), 'rotate', '--target', 'nope'],
      says: ['UnknownTargetError', 'no target named "nope"', 'known: target-1'],
    },
    {
      mistake: 'plan names a target that is not configured',
      argv: (w) => ['--config', file('ok.json', worldConfigJson(w)), 'plan', '--target', 'nope'],
      says: ['UnknownTargetError', 'no target named "nope"', 'known: target-1'],
    },
    {
      mistake: 'status names a target that is not configured',
      argv: (w) => ['--config', file('ok.json', worldConfigJson(w)), 'status', '--target', 'nope'],
      says: ['UnknownTargetError', 'no target named "nope"'],
    },
    {
      mistake: "the configuration's organization URL is not a URL",
      argv: () => {
        const config = validConfig() as Json;
        firstConnection(config).organizationUrl = 'contoso';
        return ['--config', file('bad-url.json', JSON.stringify(config)), 'rotate'];
      },
      says: [
        'ConfigurationError',
        'bad-url.json',
        'targets[0].connection.organizationUrl is not a URL',
        'use https://dev.azure.com/{org}',
      ],
    },
    {
      mistake: 'the configuration file does not exist',
      argv: () => ['--config', path.join(dir, 'missing.json'), 'rotate'],
      says: ['ConfigurationError', 'missing.json does not exist', 'pass the path of a rotation.config.json'],
    },
    {
      mistake: 'the configuration file is not JSON',
      argv: () => ['--config', file('broken.json', '{ "targets": [ '), 'rotate'],
      says: ['ConfigurationError', 'broken.json is not valid JSON'],
    },
  ];

  for (const row of rows) {
    it(`exits 2 with the error on stderr and calls no port when ${row.mistake}`, async () => {
      // Arrange
      const world = new FakeWorld();
      const before = world.snapshot();

      // Act
      const result = await cli(world, row.argv(world));

      // Assert
      expect(result.code).toBe(EXIT.badInput);
      for (const part of row.says) expect(result.stderr).toContain(part);
      expect(world.faults.calls).toEqual([]);
      expect(world.snapshot()).toEqual(before);
    });
  }

  it('exits 2 and calls no port on an unknown option', async () => {
    const world = new FakeWorld();

    const result = await cli(world, ['--config', file('ok.json', worldConfigJson(world)), 'rotate', '--emergancy']);

    expect(result.code).toBe(EXIT.badInput);
    expect(result.stderr).toContain("unknown option '--emergancy'");
    expect(world.faults.calls).toEqual([]);
  });

  it(
    'rotates with the same arguments and a configured target (the rows above fail for their ' + 'mistake only)',
    async () => {
      const world = new FakeWorld();
      const before = world.snapshot();

      const result = await cli(world, [
        '--config',
        file('ok.json', worldConfigJson(world)),
        'rotate',
        '--target',
        'target-1',
      ]);

      expect(result.code).toBe(EXIT.ok);
      expect(world.snapshot().connectionKeyId).not.toBe(before.connectionKeyId);
    },
  );
});

// ------------------------------------------------------------------------------------------ unknown target, handlers
// and use cases

describe('Bad input: an unknown target name in the steps', () => {
  const state = (world: FakeWorld, targetName: string): RotationState => ({
    rotationId: world.newRotationId(),
    targetName,
    mode: 'rotate',
    startedAt: world.clock.now().toISOString(),
    completed: [],
    warnings: [],
  });

  it(
    'plans a refusal with code UnknownTargetError and changes nothing when the plan handler gets an ' +
      'unknown target',
    async () => {
      // Arrange
      const world = new FakeWorld();
      const handlers = localTaskHandlers(world);
      const before = world.snapshot();

      // Act
      const output = (await handlers.plan(state(world, 'nope'))) as RotationState;

      // Assert
      expect(output.plan).toMatchObject({ action: 'refuse', code: 'UnknownTargetError' });
      expect(output.plan?.reason).toContain('no target named "nope"');
      expect(output.plan?.reason).toContain('known: target-1');
      expect(world.faults.calls).toEqual([]);
      expect(world.snapshot()).toEqual(before);
    },
  );

  it('throws UnknownTargetError and changes nothing when the create handler gets an unknown target', async () => {
    const world = new FakeWorld();
    const handlers = localTaskHandlers(world);
    const before = world.snapshot();

    const act = handlers.create({ ...state(world, 'nope'), plan: { action: 'rotate', reason: 'r', cleanup: [] } });

    await expect(act).rejects.toMatchObject({
      name: 'UnknownTargetError',
      message: expect.stringContaining('no target named "nope"'),
    });
    expect(world.faults.calls).toEqual([]);
    expect(world.snapshot()).toEqual(before);
  });

  it(
    'reports the target as refused with reason UnknownTargetError, and changes nothing, when the runner is ' +
      'given an unknown target',
    async () => {
      const world = new FakeWorld();
      const before = world.snapshot();

      const { summary } = await world
        .runner()
        .run({ mode: 'rotate', targetNames: ['nope'], newRotationId: () => world.newRotationId() });

      expect(summary.targets[0]).toMatchObject({
        targetName: 'nope',
        outcome: 'refused',
        reasonCode: 'UnknownTargetError',
        connectionName: '(unknown target)',
      });
      expect(world.faults.calls.filter((c) => !c.startsWith('notifier.'))).toEqual([]);
      expect(world.snapshot()).toEqual(before);
    },
  );

  it('names the configuration file to fix when the deployed targets adapter does not know the target', async () => {
    // The composition root's ConfigTargetsAdapter (not the fake) over the deployed configuration.
    const world = new FakeWorld();
    const { configureContainer } = await import('../../src/composition-root.js');
    const overrides = worldOverrides(world);
    overrides.delete(TOKENS.Targets);
    const container = configureContainer(ALL_WIRING, overrides);
    const planRotation = container.get<{ execute(s: RotationState): Promise<RotationState> }>(TOKENS.PlanRotation);

    const output = await planRotation.execute(state(world, 'nope'));

    expect(output.plan?.code).toBe('UnknownTargetError');
    expect(output.plan?.reason).toContain('add it to rotation.config.json and redeploy');
    expect(world.faults.calls).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------ targets the plan refuses

interface RefusalRow {
  mistake: string;
  rig?: RigOptions;
  /** Breaks something after the rig is seeded. */
  arrange?: (rig: Rig) => void;
  code: string;
  /** Parts of the reason: which connection/user/secret/parameter, and what to do. */
  says: string[];
}

const refusalRows: RefusalRow[] = [
  {
    mistake: 'Azure DevOps answers the PAT with its 203 sign-in page (expired or revoked PAT)',
    rig: { acceptedPat: 'the-pat-azure-devops-accepts-now-0000000000000000' },
    code: 'AzureDevOpsCredentialRejectedError',
    says: [
      `parameter ${RIG_PAT_PARAMETER}`,
      `"${TARGET.connectionName}"`,
      'answered 203 with a sign-in page',
      'renew it and update the parameter',
    ],
  },
  {
    mistake: 'the PAT lacks the Service Connections scope (401)',
    arrange: (rig) => rig.ado.failNext('GET', { status: 401 }),
    code: 'AzureDevOpsNotAuthorizedError',
    says: [
      'HTTP 401',
      `parameter ${RIG_PAT_PARAMETER}`,
      'needs the "Service Connections (Read, query & manage)" scope',
    ],
  },
  {
    mistake: 'the PAT may not see the connection (403)',
    arrange: (rig) => rig.ado.failNext('GET', { status: 403 }),
    code: 'AzureDevOpsNotAuthorizedError',
    says: ['HTTP 403', `"${TARGET.connectionName}"`, 'the Administrator role on the connection'],
  },
  {
    mistake: 'the PAT parameter does not exist',
    arrange: (rig) => rig.world.parameters.set(RIG_PAT_PARAMETER, undefined as unknown as string),
    code: 'ParameterNotFoundError',
    says: [`SSM parameter ${RIG_PAT_PARAMETER} does not exist`, 'create a SecureString parameter'],
  },
  {
    mistake: 'no service connection has the configured name',
    rig: { configure: (t) => ({ ...t, connection: { ...t.connection, connectionName: 'aws-app-prd' } }) },
    code: 'ConnectionNotFoundError',
    says: ['no service connection named "aws-app-prd"', `project "${'payments'}"`, "check the target's connectionName"],
  },
  {
    mistake: 'the project does not exist',
    rig: { configure: (t) => ({ ...t, connection: { ...t.connection, project: 'paymnets' } }) },
    code: 'ConnectionNotFoundError',
    says: ['project "paymnets"', 'the project was not found', "check the target's organizationUrl and project"],
  },
  {
    mistake: 'two service connections have the configured name',
    arrange: (rig) =>
      rig.ado.seedConnection(rig.target.connection, {
        accessKeyId: 'AKIAANOTHERKEY000001',
        secretAccessKey: 'another/secret/0000000000000000000000000',
      }),
    code: 'ConnectionAmbiguousError',
    says: [`2 service connections are named "${TARGET.connectionName}"`, 'rename all but one'],
  },
  {
    mistake: 'the connection is not an AWS connection',
    rig: { connection: { type: 'AzureRM' } },
    code: 'ConnectionNotAwsError',
    says: [
      `connection "${TARGET.connectionName}"`,
      'is of type "AzureRM", not AWS',
      "check the target's connectionName",
    ],
  },
  {
    mistake: 'the connection uses OIDC',
    rig: { connection: { usesOidc: true } },
    code: 'ConnectionUsesOidcError',
    says: [`connection "${TARGET.connectionName}"`, 'uses OIDC', 'nothing to rotate', 'remove it from the targets'],
  },
  {
    mistake: "the target's IAM user does not exist",
    rig: { configure: (t) => ({ ...t, iamUserName: 'ado-app-prd' }) },
    code: 'IamUserNotFoundError',
    says: ['IAM user ado-app-prd does not exist', "fix the target's iamUserName"],
  },
  {
    mistake: 'the IAM user has a second active key of unknown origin that is in use',
    arrange: (rig) =>
      rig.world.iam.seedKey(rig.target.iamUserName, {
        accessKeyId: 'AKIAUNKNOWNORIGIN001',
        lastUsedAt: rig.world.clock.now(),
      }),
    code: 'UnknownActiveKeyError',
    says: ['active key AKIAUNKNOWNORIGIN001', 'neither the connection nor the secret holds', 'find out who uses it'],
  },
  {
    mistake: 'the connection holds a key the IAM user does not have',
    rig: { connection: { accessKeyId: 'AKIANOTTHISUSERS0001' } },
    code: 'HeldKeyUnknownError',
    says: [
      `connection "${TARGET.connectionName}"`,
      'access key AKIANOTTHISUSERS0001',
      "not one of the IAM user's keys",
      'set the connection to a valid key by hand',
    ],
  },
  {
    mistake: 'the connection holds an inactive key',
    rig: { oldKeyStatus: 'Inactive' },
    code: 'HeldKeyInactiveError',
    says: [
      `connection "${TARGET.connectionName}"`,
      'which is inactive',
      'reactivate the key or fix the connection by hand',
    ],
  },
  {
    mistake: 'the secret is not JSON',
    rig: { secrets: 'wire', secretSeed: { kind: 'raw', value: 'AKIAOLD:not-json-at-all' } },
    code: 'SecretMalformedError',
    says: [`secret ${TARGET.secretId}`, 'is not the JSON the rotator writes', 'fix the value or delete the secret'],
  },
  {
    mistake: 'the secret holds a key id IAM does not know',
    rig: {
      secrets: 'wire',
      secretSeed: {
        kind: 'raw',
        value: JSON.stringify({
          accessKeyId: 'AKIAFORGOTTEN0000001',
          secretAccessKey: 'forgotten/0000000000000000000000000000',
          iamUserName: 'ado-app-prod',
        }),
      },
    },
    code: 'SecretHoldsUnknownKeyError',
    says: [
      'holds access key AKIAFORGOTTEN0000001',
      'which the IAM user does not have',
      "put the connection's key",
      'or delete the secret',
    ],
  },
  {
    mistake: 'the secret is scheduled for deletion',
    rig: { secrets: 'wire', secretSeed: { kind: 'scheduled-for-deletion' } },
    code: 'SecretNotFoundError',
    says: [`secret ${TARGET.secretId} is scheduled for deletion`, 'restore it (RestoreSecret)'],
  },
];

describe('Bad input: targets the plan refuses (real Azure DevOps adapter over the stand-in)', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  for (const row of refusalRows) {
    it(`refuses with ${row.code} and changes nothing when ${row.mistake}`, async () => {
      // Arrange
      rig = await startRig({ secrets: 'fake', ...row.rig });
      row.arrange?.(rig);
      const before = rig.snapshot();

      // Act
      const { report, summary } = await rig.run('rotate');

      // Assert: the refusal, its code and a reason that says where and what to do.
      expect(report.outcome).toBe('refused');
      expect(report.reasonCode).toBe(row.code);
      for (const part of row.says) expect(report.summary).toContain(part);
      expect(report.newAccessKeyId).toBeNull();
      // Nothing changed, and nothing was even attempted.
      expect(rig.mutations()).toEqual([]);
      expect(rig.snapshot()).toEqual(before);
      // People hear about it.
      expect(rig.world.notifier.sent.map((s) => s.targets[0]?.reasonCode)).toEqual([row.code]);
      expect(summary.targets).toHaveLength(1);
    });
  }

  it('rotates the same rig when nothing is wrong (the rows fail for their mistake only)', async () => {
    rig = await startRig({ secrets: 'wire' });
    const before = rig.snapshot();

    const { report } = await rig.run('rotate');

    expect(report.outcome).toBe('rotated');
    expect(rig.snapshot()).not.toEqual(before);
    expect(rig.ado.connection(rig.connectionId)?.accessKeyId).toBe(report.newAccessKeyId);
  });
});

describe('Bad input: a secret that is missing and may not be created', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  // The product creates a missing secret on the first rotation (the plan only warns), so a missing
  // secret is not bad input by itself. It is when the rotator's role may not create it: that is
  // only known when CreateSecret answers, after the new key exists, so the key is deleted again.
  it('throws SecretCreateDeniedError at create, deletes the new key, and leaves everything as it was', async () => {
    // Arrange
    rig = await startRig({ secrets: 'wire', secretSeed: { kind: 'none' } });
    rig.wire?.failNext('CreateSecret', {
      code: 'AccessDeniedException',
      status: 400,
      message: 'not authorized to perform: secretsmanager:CreateSecret',
    });
    const before = rig.snapshot();

    // Act
    const { report } = await rig.run('rotate');

    // Assert
    expect(report.outcome).toBe('rolled-back');
    expect(report.failure).toMatchObject({ step: 'create', name: 'SecretCreateDeniedError' });
    expect(report.failure?.message).toContain(
      `secret ${TARGET.secretId} does not exist and the rotator may not create it`,
    );
    expect(report.failure?.message).toContain("allow the rotator's role secretsmanager:CreateSecret");
    expect(report.warnings.join(' ')).toContain(`secret ${TARGET.secretId} does not exist yet`);
    expect(rig.snapshot()).toEqual(before);
    expect(rig.ado.requestCount({ method: 'PUT' })).toBe(0);
  });

  it('creates the secret with the new key when the role may create it', async () => {
    rig = await startRig({ secrets: 'wire', secretSeed: { kind: 'none' } });

    const { report } = await rig.run('rotate');

    expect(report.outcome).toBe('rotated');
    expect(rig.wire?.versions(TARGET.secretId).find((v) => v.stages.includes('AWSCURRENT'))?.value).toContain(
      report.newAccessKeyId,
    );
  });
});

// ------------------------------------------------------------------------------------------ step input

const ROTATION_ID = '6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const SMUGGLED = 'smuggled/Secret+Value0000000000000000000';
const goodState = (world: FakeWorld): RotationState => ({
  rotationId: ROTATION_ID,
  targetName: 'target-1',
  mode: 'rotate',
  startedAt: world.clock.now().toISOString(),
  completed: ['plan', 'cleanup'],
  warnings: [],
  plan: { action: 'rotate', reason: 'due', cleanup: [] },
  connectionId: world.connectionIds.get('target-1') as string,
  oldAccessKeyId: world.snapshot().connectionKeyId as string,
  oldVersionId: world.snapshot().secretVersions[0]?.versionId as string,
});

interface StepInputRow {
  mistake: string;
  task: TaskName;
  input: (good: RotationState) => unknown;
  field: string;
  says: string[];
}

const stepInputRows: StepInputRow[] = [
  {
    mistake: 'the input is not an object',
    task: 'plan',
    input: () => null,
    field: '(root)',
    says: ['Step input must be a JSON object'],
  },
  {
    mistake: 'rotationId is missing',
    task: 'plan',
    input: ({ rotationId: _, ...s }) => s,
    field: 'rotationId',
    says: ['"rotationId" is undefined', '32-64 letters, digits or dashes'],
  },
  {
    mistake: 'rotationId is too short',
    task: 'create',
    input: (s) => ({ ...s, rotationId: 'run-1' }),
    field: 'rotationId',
    says: ['"rotationId" is "run-1"', '(a UUID)'],
  },
  {
    mistake: 'targetName is missing',
    task: 'plan',
    input: ({ targetName: _, ...s }) => s,
    field: 'targetName',
    says: ['"targetName"', 'the name of a configured target'],
  },
  {
    mistake: 'mode is unknown',
    task: 'create',
    input: (s) => ({ ...s, mode: 'yolo' }),
    field: 'mode',
    says: ['"mode" is "yolo"', 'rotate, emergency, dry-run'],
  },
  {
    mistake: 'startedAt is not a timestamp',
    task: 'create',
    input: (s) => ({ ...s, startedAt: 'last tuesday' }),
    field: 'startedAt',
    says: ['"startedAt"', 'ISO-8601'],
  },
  {
    mistake: 'completed names an unknown step',
    task: 'create',
    input: (s) => ({ ...s, completed: ['plan', 'deploy'] }),
    field: 'completed',
    says: ['"completed"', 'a list of step names'],
  },
  {
    mistake: 'a field name is misspelt',
    task: 'publish',
    input: (s) => ({ ...s, connectionID: s.connectionId }),
    field: 'connectionID',
    says: ['"connectionID" is not a known field', 'expected only'],
  },
  {
    mistake: 'oldAccessKeyId is not an access key id',
    task: 'revoke',
    input: (s) => ({ ...s, oldAccessKeyId: 'akia-old' }),
    field: 'oldAccessKeyId',
    says: ['"oldAccessKeyId" is "akia-old"', 'an access key id'],
  },
  {
    mistake: 'plan.action is unknown',
    task: 'create',
    input: (s) => ({ ...s, plan: { action: 'launch', reason: 'r', cleanup: [] } }),
    field: 'plan.action',
    says: ['"plan.action" is "launch"', 'rotate, repair, skip or refuse'],
  },
  {
    mistake: 'a cleanup action is malformed',
    task: 'cleanup',
    input: (s) => ({
      ...s,
      plan: { action: 'rotate', reason: 'r', cleanup: [{ kind: 'delete-key', accessKeyId: 'me' }] },
    }),
    field: 'plan.cleanup[0]',
    says: ['"plan.cleanup[0]" is not a valid cleanup action'],
  },
  // Secret-bearing fields: refused by name, at any depth, without echoing the value.
  {
    mistake: 'it carries a secretAccessKey',
    task: 'publish',
    input: (s) => ({ ...s, secretAccessKey: SMUGGLED }),
    field: 'secretAccessKey',
    says: ['looks like it carries a secret', 'remove the field'],
  },
  {
    mistake: 'it carries a PAT',
    task: 'plan',
    input: (s) => ({ ...s, pat: SMUGGLED }),
    field: 'pat',
    says: ['looks like it carries a secret'],
  },
  {
    mistake: 'it carries a webhook URL',
    task: 'notify',
    input: (s) => ({ mode: s.mode, startedAt: s.startedAt, reports: [], slackWebhookUrl: SMUGGLED }),
    field: 'slackWebhookUrl',
    says: ['looks like it carries a secret'],
  },
  {
    mistake: 'the plan carries a credential',
    task: 'create',
    input: (s) => ({ ...s, plan: { ...s.plan, credential: { accessKeyId: 'AKIAX', secretAccessKey: SMUGGLED } } }),
    field: 'plan.credential',
    says: ['"plan.credential" looks like it carries a secret'],
  },
  {
    mistake: 'the failure carries a session token',
    task: 'rollback',
    input: (s) => ({ ...s, failure: { step: 'publish', name: 'X', message: 'm', sessionToken: SMUGGLED } }),
    field: 'failure.sessionToken',
    says: ['"failure.sessionToken" looks like it carries a secret'],
  },
  // A field the step needs, which an earlier step sets.
  {
    mistake: 'publish gets no connectionId',
    task: 'publish',
    input: ({ connectionId: _, ...s }) => ({
      ...s,
      newAccessKeyId: 'AKIANEW0000000000001',
      pendingVersionId: ROTATION_ID,
    }),
    field: 'connectionId',
    says: ['Step "publish" of target target-1 needs "connectionId"', 'is the state machine passing the whole state?'],
  },
  {
    mistake: 'verify-key gets no newAccessKeyId',
    task: 'verify-key',
    input: (s) => ({ ...s, pendingVersionId: ROTATION_ID }),
    field: 'newAccessKeyId',
    says: ['Step "verify-key" of target target-1 needs "newAccessKeyId"'],
  },
  {
    mistake: 'verify-publish gets no newAccessKeyId',
    task: 'verify-publish',
    input: (s) => s,
    field: 'newAccessKeyId',
    says: ['Step "verify-publish" of target target-1 needs "newAccessKeyId"'],
  },
  {
    mistake: 'promote gets no pendingVersionId',
    task: 'promote',
    input: (s) => s,
    field: 'pendingVersionId',
    says: ['Step "promote" of target target-1 needs "pendingVersionId"'],
  },
  {
    mistake: 'revoke gets no oldAccessKeyId',
    task: 'revoke',
    input: ({ oldAccessKeyId: _, ...s }) => ({ ...s, newAccessKeyId: 'AKIANEW0000000000001' }),
    field: 'oldAccessKeyId',
    says: ['Step "revoke" of target target-1 needs "oldAccessKeyId"'],
  },
  {
    mistake: 'notify gets no reports',
    task: 'notify',
    input: (s) => ({ mode: s.mode, startedAt: s.startedAt }),
    field: 'reports',
    says: ['Notify input field "reports"', 'the list of target reports from the Map'],
  },
  {
    mistake: 'notify gets an unknown mode',
    task: 'notify',
    input: (s) => ({ mode: 'fast', startedAt: s.startedAt, reports: [] }),
    field: 'mode',
    says: ['Notify input field "mode"', 'rotate, emergency, dry-run'],
  },
  {
    mistake: 'report gets an unknown field',
    task: 'report',
    input: (s) => ({ ...s, outcome: 'rotated' }),
    field: 'outcome',
    says: ['"outcome" is not a known field'],
  },
];

describe('Bad input: step input the Lambda handlers get', () => {
  for (const row of stepInputRows) {
    it(
      `the ${row.task} handler throws InvalidStepInputError naming the field and changes nothing when ` +
        `${row.mistake}`,
      async () => {
        // Arrange
        const world = new FakeWorld();
        const handlers = localTaskHandlers(world);
        const input = row.input(goodState(world));
        const before = world.snapshot();

        // Act
        const error = await handlers[row.task](input).then(
          () => undefined,
          (e: unknown) => e,
        );

        // Assert
        expect(error).toBeInstanceOf(InvalidStepInputError);
        const invalid = error as InvalidStepInputError;
        expect(invalid.name).toBe('InvalidStepInputError');
        expect(invalid.context.field).toBe(row.field);
        if (row.field !== '(root)') expect(invalid.message).toContain(`"${row.field}"`);
        for (const part of row.says) expect(invalid.message).toContain(part);
        expect(JSON.stringify(invalid)).not.toContain(SMUGGLED);
        expect(world.faults.calls).toEqual([]);
        expect(world.snapshot()).toEqual(before);
      },
    );
  }

  it('accepts the same well-formed input (the rows fail for their mistake only)', async () => {
    const world = new FakeWorld();
    const handlers = localTaskHandlers(world);

    const output = (await handlers.create(goodState(world))) as RotationState;

    expect(output.newAccessKeyId).toMatch(/^AKIA/);
    expect(world.snapshot().secretPendingKeyId).toBe(output.newAccessKeyId);
  });
});
