import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli/main.js';
import type { RotationConfig } from '../../src/domain/config.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { type AdoStandIn, startAdoStandIn } from '../../local/ado-stand-in/index.js';
import { FakeWorld, PAT_PARAMETER } from '../../local/fakes/world.js';
import { captureOutput } from '../../local/capture-output.js';
import { worldOverrides } from '../../local/local-handlers.js';
import './support/load-commands.js';

const PAT = 'cli-test-pat-00000000000000000000000000000000000000';

/**
 * The CLI against the in-memory AWS fakes and the local Azure DevOps stand-in (the real adapter
 * over HTTP), reading a real configuration file.
 */
describe('CLI: ado-key-rotator', () => {
  let ado: AdoStandIn;
  let world: FakeWorld;
  let configPath: string;
  let connectionIds: Map<string, string>;

  beforeEach(async () => {
    ado = await startAdoStandIn({ pat: PAT, organizations: ['contoso'] });
    world = new FakeWorld({ targets: 0 });
    world.parameters.set(PAT_PARAMETER, PAT);
    connectionIds = new Map();
    const config: RotationConfig = {
      targets: ['web', 'api'].map((name) => ({
        name,
        iamUserName: `ado-${name}`,
        secretId: `rotator/${name}`,
        connection: {
          organizationUrl: ado.organizationUrl('contoso'),
          project: 'payments',
          connectionName: `aws-${name}`,
          credentialParameter: PAT_PARAMETER,
        },
      })),
      settings: world.targets.settings,
      schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
      maxConcurrency: 5,
      // The Azure DevOps stand-in listens on http://127.0.0.1: a local run, opted in.
      allowLoopbackHttp: true,
      // The FakeWorld keeps its secrets and parameters under rotator/ (WORLD_PREFIXES).
      resourcePrefixes: { secrets: 'rotator/', parameters: '/rotator/' },
    };
    for (const target of config.targets) {
      world.targets.add(target);
      const key = world.iam.seedKey(target.iamUserName, {
        createdAt: new Date(world.clock.now().getTime() - 8 * 86_400_000),
      });
      world.secrets.seed(target.secretId, { ...key, iamUserName: target.iamUserName });
      connectionIds.set(
        target.name,
        ado.seedConnection(
          { ...target.connection },
          { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
        ),
      );
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'rotator-cli-'));
    configPath = path.join(dir, 'rotation.config.json');
    await writeFile(configPath, JSON.stringify(config));
  });

  afterEach(async () => {
    await ado.close();
  });

  async function cli(...args: string[]) {
    return cliWith({}, ...args);
  }

  /**
   * `keepReal`: ports left to the CLI's own binding (Azure DevOps always is: the real adapter against the stand-in).
   */
  async function cliWith(options: { keepReal?: symbol[]; env?: Record<string, string> }, ...args: string[]) {
    let stdout = '';
    let stderr = '';
    // AWS in memory; Azure DevOps is the real adapter (not overridden) talking to the stand-in.
    const overrides = worldOverrides(world, [], [TOKENS.AzureDevOps, ...(options.keepReal ?? [])]);
    overrides.delete(Symbol.for('rotator.RotationConfig'));
    const code = await runCli(['--config', configPath, ...args], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      overrides,
      env: options.env ?? {},
    });
    return { code, stdout, stderr };
  }

  describe('a quiet terminal', () => {
    it('prints only its own lines: no JSON log line, no CloudWatch EMF document, on stdout or stderr', async () => {
      // Prepare: a throttled request makes the Azure DevOps adapter log a warning; metrics are the CLI's own.
      ado.throttleNext(1, 0);

      // Act
      const { result, lines } = await captureOutput(() =>
        cliWith({ keepReal: [TOKENS.Metrics] }, 'rotate', '--target', 'web'),
      );

      // Assess
      expect(result?.code).toBe(EXIT.ok);
      expect(result?.stdout).toContain('rotated');
      expect(result?.stdout).not.toContain('{"');
      expect(result?.stderr).toBe('');
      expect(lines.filter((l) => l.includes('"_aws"') || l.includes('"level"'))).toEqual([]);
    });

    it('--verbose: the log lines go to stderr, never to stdout', async () => {
      ado.throttleNext(1, 0);

      const { code, stdout, stderr } = await cliWith({}, '--verbose', '--json', 'rotate', '--target', 'web');

      expect(code).toBe(EXIT.ok);
      expect(JSON.parse(stdout)).toHaveProperty('targets');
      expect(stderr).toContain('"level":"WARN"');
      expect(stderr).toContain('will be retried');
    });

    it('LOG_LEVEL logs without --verbose, at that level and above only', async () => {
      ado.throttleNext(1, 0);
      const warn = await cliWith({ env: { LOG_LEVEL: 'WARN' } }, 'rotate', '--target', 'web');
      ado.throttleNext(1, 0);
      const error = await cliWith({ env: { LOG_LEVEL: 'ERROR' } }, 'rotate', '--target', 'api');

      expect(warn.stderr).toContain('"level":"WARN"');
      expect(warn.stdout).not.toContain('"level"');
      expect(error.code).toBe(EXIT.ok);
      expect(error.stderr).toBe('');
    });
  });

  it('plan: says what would happen and changes nothing', async () => {
    const before = ado.connections().map((c) => c.accessKeyId);

    const { code, stdout } = await cli('plan');

    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('would rotate');
    expect(ado.connections().map((c) => c.accessKeyId)).toEqual(before);
    expect(world.iam.keys('ado-web')).toHaveLength(1);
  });

  it('rotate --target: rotates that target only, in place', async () => {
    const { code, stdout } = await cli('rotate', '--target', 'web');

    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('rotated');
    const web = ado.connection(connectionIds.get('web') as string);
    const api = ado.connection(connectionIds.get('api') as string);
    expect(web?.accessKeyId).toBe(world.secrets.keyIdAt('rotator/web', 'AWSCURRENT'));
    expect(world.iam.keys('ado-web')).toHaveLength(2);
    expect(api?.accessKeyId).toBe(world.iam.keys('ado-api')[0]?.accessKeyId);
  });

  it('rotate --json: prints the run summary as JSON with ids only', async () => {
    const { code, stdout } = await cli('--json', 'rotate');

    expect(code).toBe(EXIT.ok);
    const summary = JSON.parse(stdout) as { targets: Array<{ outcome: string }> };
    expect(summary.targets.map((t) => t.outcome)).toEqual(['rotated', 'rotated']);
    for (const secret of [...world.iam.issuedSecrets, PAT]) expect(stdout).not.toContain(secret);
  });

  it('rotate --emergency: deletes the old key at once', async () => {
    const oldKey = world.iam.keys('ado-web')[0]?.accessKeyId;

    const { code } = await cli('rotate', '--target', 'web', '--emergency');

    expect(code).toBe(EXIT.ok);
    expect(world.iam.keys('ado-web').map((k) => k.accessKeyId)).not.toContain(oldKey);
  });

  it('status --json: per target, the keys, the held key, whether the secret matches', async () => {
    const { code, stdout } = await cli('--json', 'status');

    expect(code).toBe(EXIT.ok);
    const statuses = JSON.parse(stdout) as Array<{
      targetName: string;
      secretMatchesConnection: boolean;
      connectionId: string;
      couldMoveToOidc: boolean;
    }>;
    expect(statuses.map((s) => s.targetName)).toEqual(['web', 'api']);
    expect(statuses[0]?.secretMatchesConnection).toBe(true);
    expect(statuses[0]?.connectionId).toBe(connectionIds.get('web'));
    expect(statuses[0]?.couldMoveToOidc).toBe(true);
  });

  it('exits 1 (partial failure) when the PAT is rejected, naming the parameter, with nothing changed', async () => {
    ado.setPat('another-pat');

    const { code, stdout } = await cli('rotate');

    expect(code).toBe(EXIT.partialFailure);
    expect(stdout).toContain('AzureDevOpsCredentialRejected');
    expect(world.iam.keys('ado-web')).toHaveLength(1);
  });

  it('exits 2 (bad input) for an unknown target', async () => {
    const { code, stderr } = await cli('rotate', '--target', 'nope');

    expect(code).toBe(EXIT.badInput);
    expect(stderr).toContain('no target named "nope"');
  });

  it('exits 2 (bad input) for a configuration file that does not validate, naming the field', async () => {
    await writeFile(configPath, JSON.stringify({ targets: [{ name: 'x' }] }));

    const { code, stderr } = await cli('plan');

    expect(code).toBe(EXIT.badInput);
    expect(stderr).toContain('targets[0]');
  });

  it.each(['plan', 'status'])(
    'exits 2 (bad input) from %s for a file naming no prefixes and a parameter outside /ado-key-rotator/',
    async (command) => {
      // Prepare: the same file without its prefixes: the defaults hold, and the world's names are outside them.
      const file = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
      delete file.resourcePrefixes;
      await writeFile(configPath, JSON.stringify(file));
      ado.resetRequests();

      // Act
      const { code, stderr, stdout } = await cli(command);

      // Assess: the field and the prefix named, what to do said, the parameter's name not quoted, nothing read.
      expect(code).toBe(EXIT.badInput);
      expect(stderr).toContain(
        'targets[0].connection.credentialParameter is not under resourcePrefixes.parameters ("/ado-key-rotator/"): ' +
          'the rotator may read SSM parameters only there; move it under "/ado-key-rotator/", or set ' +
          'resourcePrefixes.parameters to the prefix it is under',
      );
      expect(stderr + stdout).not.toContain(PAT_PARAMETER);
      expect(ado.requestCount()).toBe(0);
    },
  );
});
