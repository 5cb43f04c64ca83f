/**
 * The package as a platform team gets it: `npm pack` (which builds first, through `prepack`), the
 * tarball installed into an empty folder, the CLI run from there with no loader, and a three-line
 * CDK app that imports `AdoKeyRotator` from the package and synthesizes.
 *
 * The install uses `--prefer-offline`: dependencies already in npm's cache are not fetched again,
 * anything missing comes from the registry. It is the slowest test in the suite (a build, an
 * install, a synth): about a minute on 2 cores.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_MAJOR } from '../../infra/bundle-options.js';
import { LAMBDA_STEPS } from '../../infra/steps.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

const CDK_APP = `import { App, Stack } from 'aws-cdk-lib';
import { AdoKeyRotator, loadRotationConfigFile } from 'ado-key-rotator';
const app = new App({ outdir: 'cdk.out' });
new AdoKeyRotator(new Stack(app, 'KeyRotation'), 'Rotator', loadRotationConfigFile('rotation.config.json'));
app.synth();
`;

describe('Package: npm pack → npm install → CLI and construct', () => {
  let work: string;
  let consumer: string;
  let tarballFiles: string[];

  beforeAll(async () => {
    // Prepare: pack (prepack builds dist/), then install the tarball into an empty folder.
    work = await mkdtemp(path.join(tmpdir(), 'rotator-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work, ...NPM_QUIET], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const packed = JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    tarballFiles = packed[0]?.files.map((f) => f.path) ?? [];
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack left no tarball in ${work}`);
    consumer = path.join(work, 'consumer');
    await run('mkdir', [consumer]);
    await writeFile(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'platform-infra', private: true, type: 'module' }),
    );
    await run('npm', ['install', path.join(work, tarball), '--prefer-offline', ...NPM_QUIET], {
      cwd: consumer,
      maxBuffer: 64 * 1024 * 1024,
    });
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships the built CLI, the prebuilt handlers and the compiled construct with its types, not the sources', () => {
    expect(tarballFiles).toContain('bin/ado-key-rotator.mjs');
    expect(tarballFiles).toContain('dist/cli/main.mjs');
    expect(tarballFiles).toContain('dist/handlers/plan.mjs');
    expect(tarballFiles).toContain('dist/lib/infra/index.js');
    expect(tarballFiles).toContain('dist/lib/infra/index.d.ts');
    expect(
      tarballFiles.filter(
        (f) => f.startsWith('src/') || f.startsWith('test/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      ),
    ).toEqual([]);
  });

  it('npx ado-key-rotator --help answers from the installed package, with no TypeScript loader', async () => {
    // Act
    const { stdout } = await run('npx', ['ado-key-rotator', '--help'], { cwd: consumer });

    // Assess
    expect(stdout).toContain('Usage: ado-key-rotator');
    expect(stdout).toMatch(/status \[options\]/);
    expect(existsSync(path.join(consumer, 'node_modules', 'tsx'))).toBe(false);
  }, 60_000);

  it('a three-line CDK app importing AdoKeyRotator from the package synthesizes, deploying the prebuilt ' +
    'bundles', async () => {
    // Prepare
    await copyFile(path.join(ROOT, 'rotation.config.json'), path.join(consumer, 'rotation.config.json'));
    await writeFile(path.join(consumer, 'app.mjs'), CDK_APP);

    // Act
    await run(process.execPath, ['app.mjs'], { cwd: consumer, maxBuffer: 64 * 1024 * 1024 });

    // Assess: one function per catalog step (13) on the one Node rule, each asset an index.mjs next to the
    // configuration.
    const template = JSON.parse(
      await readFile(path.join(consumer, 'cdk.out', 'KeyRotation.template.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string; Properties: { Runtime?: string; Handler?: string } }>;
    };
    // Node functions only: CDK's BucketDeployment handler (Python) writes the target list to the run-data bucket.
    const functions = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Properties.Handler === 'index.handler' &&
        String(r.Properties.Runtime).startsWith('nodejs'),
    );
    expect(functions).toHaveLength(LAMBDA_STEPS.length);
    expect(new Set(functions.map((f) => f.Properties.Runtime))).toEqual(new Set([`nodejs${NODE_MAJOR}.x`]));
    expect(Object.values(template.Resources).some((r) => r.Type === 'AWS::StepFunctions::StateMachine')).toBe(true);
    const assets = (await readdir(path.join(consumer, 'cdk.out'))).filter((d) => d.startsWith('asset.'));
    const withBundle = assets.filter(
      (d) =>
        existsSync(path.join(consumer, 'cdk.out', d, 'index.mjs')) &&
        existsSync(path.join(consumer, 'cdk.out', d, 'rotation.config.json')),
    );
    expect(withBundle.length).toBeGreaterThanOrEqual(LAMBDA_STEPS.length);
  }, 120_000);
});
