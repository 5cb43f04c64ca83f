/**
 * The operator CLI as a person runs it: the built CLI (`bundleCli()`, what `npm pack` ships and the
 * `bin` entry runs, no loader), in a fresh `node` per run, timed from spawn() to exit:
 * - `--help`: argument parsing only (target: median < 200 ms);
 * - `status` for one target: the AWS wire stubs on loopback (AWS_ENDPOINT_URL_<SERVICE>, static
 *   credentials in the environment) and the Azure DevOps stand-in (target: median < 400 ms);
 * - a bare `node -e 0`, interleaved with both, so every figure is also given as a ratio to what no
 *   program can go below on this machine at that moment.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleCli } from '../scripts/bundle.js';
import { BENCH_AWS_ENV } from './aws-wire-server.js';
import { startBundleWorld } from './bundle-world.js';
import { round, type Summary, summarize } from './stats.js';

export const CLI_HELP_TARGET_MS = 200;
export const CLI_STATUS_TARGET_MS = 400;

export interface CliStartResult {
  method: string;
  runs: number;
  help: Summary;
  status: Summary;
  bareNode: Summary;
  /** Median over median bare `node -e 0`. */
  helpRatio: number;
  statusRatio: number;
  /** Bytes of the entry chunk `--help` loads, and of everything the commands load on top. */
  entryBytes: number;
  totalBytes: number;
  targets: { helpMs: number; statusMs: number };
  helpUnderTarget: boolean;
  statusUnderTarget: boolean;
}

export async function measureCliStart(options: { runs: number }): Promise<CliStartResult> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'rotator-bench-cli-'));
  const world = await startBundleWorld(1);
  try {
    const cli = await bundleCli(outDir);
    const outputs = Object.entries(cli.metafile.outputs);
    const entryBytes = outputs.find(([file]) => file.endsWith('main.mjs'))?.[1].bytes ?? 0;
    const totalBytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
    // The same little runner as bin/ado-key-rotator.mjs, pointed at the bundle under test.
    const runner = path.join(outDir, 'run.mjs');
    await writeFile(
      runner,
      `const { runCli } = await import(${JSON.stringify(pathToFileURL(cli.file).href)});\n` +
        'process.exitCode = await runCli(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), ' +
        'stderr: (t) => process.stderr.write(t) });\n',
    );
    const configFile = path.join(world.taskRoot, 'rotation.config.json');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: outDir,
      ...BENCH_AWS_ENV,
      ...world.aws.endpointEnv,
      AWS_MAX_ATTEMPTS: '1',
    };
    const target = world.config.targets[0]?.name as string;
    const help = () => timeToExit([runner, '--help'], env, (out) => out.includes('Usage: ado-key-rotator'));
    const status = () =>
      timeToExit([runner, '--config', configFile, 'status', '--target', target], env, (out) => out.includes(target));
    const bare = () => timeToExit(['-e', '0'], env, () => true);

    await help(); // warm-up runs, discarded: the binary and the chunks into the page cache
    await status();
    await bare();
    const samples = { help: [] as number[], status: [] as number[], bare: [] as number[] };
    for (let i = 0; i < options.runs; i++) {
      samples.bare.push(await bare());
      samples.help.push(await help());
      samples.status.push(await status());
    }
    const result = {
      help: summarize(samples.help),
      status: summarize(samples.status),
      bareNode: summarize(samples.bare),
    };
    return {
      method:
        'the built CLI (esbuild, code-split) in a fresh `node` per run, spawn() to exit; status over the AWS ' +
        'wire stubs and the Azure DevOps stand-in on loopback; bare `node -e 0` interleaved',
      runs: options.runs,
      ...result,
      helpRatio: round(result.help.median / result.bareNode.median, 1),
      statusRatio: round(result.status.median / result.bareNode.median, 1),
      entryBytes,
      totalBytes,
      targets: { helpMs: CLI_HELP_TARGET_MS, statusMs: CLI_STATUS_TARGET_MS },
      helpUnderTarget: result.help.median < CLI_HELP_TARGET_MS,
      statusUnderTarget: result.status.median < CLI_STATUS_TARGET_MS,
    };
  } finally {
    await world.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Spawns `node args`, resolves with the time from spawn() to exit; rejects if `ok(stdout)` is false. */
function timeToExit(args: string[], env: Record<string, string>, ok: (stdout: string) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      if (!ok(stdout))
        reject(
          new Error(
            `node ${args.slice(1).join(' ')} exited ${code} without its answer:\n${stderr.slice(-2000)}` +
              `${stdout.slice(-2000)}`,
          ),
        );
      else resolve(elapsed);
    });
  });
}
