import { randomUUID } from 'node:crypto';
import { loadRotationConfigFile, ROTATION_CONFIG } from '../adapters/config/config-targets.adapter.js';
import { createContainer, type Overrides } from '../composition-root.js';
import type { RotationConfig } from '../domain/config.js';
import { UnknownTargetError } from '../domain/errors.js';
import type { RotationMode } from '../domain/model.js';
import type { RotationRunner } from '../domain/runner.js';
import type { DescribeTarget, TargetStatus } from '../domain/use-cases/describe-target.js';
import { TOKENS } from '../ports/tokens.js';
import { ALL_WIRING } from '../wiring/index.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { formatStatus, formatSummary, progressPrinter } from './format.js';
import { cliLogger, cliLogLevel, NO_METRICS } from './quiet.js';

/**
 * What the CLI's commands do, behind the argument parsing of main.ts. A module of its own, loaded
 * only when a command runs: `--help` and bad arguments never load the AWS SDK, the composition
 * root or the configuration (the built CLI keeps this module in a separate chunk).
 */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  overrides?: Overrides;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface GlobalOptions {
  config: string;
  json?: boolean;
  verbose?: boolean;
}

function context(opts: GlobalOptions, io: CommandIo) {
  const config = loadRotationConfigFile(opts.config);
  const logger = cliLogger(io.stderr, cliLogLevel(opts.verbose === true, io.env ?? process.env));
  const overrides = new Map<symbol, unknown>([
    [ROTATION_CONFIG, config],
    // A quiet terminal: no Lambda JSON logs on stdout, no CloudWatch EMF documents (src/cli/quiet.ts).
    [TOKENS.Logger, logger],
    [TOKENS.Metrics, NO_METRICS],
    ...(io.overrides ?? new Map()),
  ]);
  return { config, json: opts.json === true, container: createContainer(ALL_WIRING, overrides) };
}

function selectTargets(config: RotationConfig, name: string | undefined, configPath: string): string[] {
  if (!name) return config.targets.map((t) => t.name);
  if (!config.targets.some((t) => t.name === name)) {
    throw new UnknownTargetError(
      `no target named "${name}" in the configuration (known: ${config.targets.map((t) => t.name).join(', ')}); check --target or add it to ${configPath}`,
      { context: { target: name } },
    );
  }
  return [name];
}

/** `plan` (mode dry-run), `rotate` and `rotate --emergency`: the runner, with a progress line per target. */
export async function runRotation(mode: RotationMode, target: string | undefined, opts: GlobalOptions, io: CommandIo): Promise<number> {
  const { config, json, container } = context(opts, io);
  const runner = container.get<RotationRunner>(TOKENS.Runner);
  const { summary } = await runner.run({
    mode,
    targetNames: selectTargets(config, target, opts.config),
    newRotationId: randomUUID,
    concurrency: config.maxConcurrency,
    onEvent: progressPrinter(json ? io.stderr : io.stdout, mode),
  });
  io.stdout(json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  return exitCodeOf(summary);
}

/** `status`: each target's keys, the key its connection holds, whether the secret matches. */
export async function showStatus(target: string | undefined, opts: GlobalOptions, io: CommandIo): Promise<number> {
  const { config, json, container } = context(opts, io);
  const describe = container.get<DescribeTarget>(TOKENS.DescribeTarget);
  const statuses: TargetStatus[] = [];
  for (const name of selectTargets(config, target, opts.config)) statuses.push(await describe.execute(name));
  io.stdout(json ? `${JSON.stringify(statuses, null, 2)}\n` : formatStatus(statuses));
  return statuses.some((s) => s.attention.length > 0) ? EXIT.partialFailure : EXIT.ok;
}
