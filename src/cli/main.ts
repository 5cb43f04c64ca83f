import { randomUUID } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { loadRotationConfigFile, ROTATION_CONFIG } from '../adapters/config/config-targets.adapter.js';
import { createContainer, type Overrides } from '../composition-root.js';
import { ALL_WIRING } from '../wiring/index.js';
import type { RotationConfig } from '../domain/config.js';
import { RotationError, UnknownTargetError } from '../domain/errors.js';
import type { RotationMode } from '../domain/model.js';
import type { RunSummary } from '../domain/report.js';
import type { RotationRunner } from '../domain/runner.js';
import type { DescribeTarget, TargetStatus } from '../domain/use-cases/describe-target.js';
import { TOKENS } from '../ports/tokens.js';
import { formatStatus, formatSummary, progressPrinter } from './format.js';
import { cliLogger, cliLogLevel, NO_METRICS } from './quiet.js';

/** Exit codes, so scripts can tell a partial failure from bad input. */
export const EXIT = { ok: 0, partialFailure: 1, badInput: 2, unexpected: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Extra bindings (tests bind fakes and the local Azure DevOps stand-in here). */
  overrides?: Overrides;
  /** Where `LOG_LEVEL` is read (process.env by default). */
  env?: Readonly<Record<string, string | undefined>>;
}

const BAD_INPUT_ERRORS = new Set(['ConfigurationError', 'UnknownTargetError', 'InvalidStepInputError']);

/**
 * The operator CLI: `plan`, `rotate`, `status` against real AWS (standard credential chain,
 * `AWS_ENDPOINT_URL_*` honoured) and real Azure DevOps, with the same configuration file as the
 * infrastructure and the same use cases as the Lambdas, run in-process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name('ado-key-rotator')
    .description('Rotate the AWS access keys behind Azure DevOps AWS service connections, in place.')
    .option('-c, --config <path>', 'rotation configuration file', 'rotation.config.json')
    .option('--json', 'print JSON for scripts instead of text')
    .option('-v, --verbose', 'log JSON lines to stderr (LOG_LEVEL=DEBUG|INFO|WARN|ERROR does too, at that level)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const context = () => {
    const opts = program.opts<{ config: string; json?: boolean; verbose?: boolean }>();
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
  };
  const selectTargets = (config: RotationConfig, name: string | undefined): string[] => {
    if (!name) return config.targets.map((t) => t.name);
    if (!config.targets.some((t) => t.name === name)) {
      throw new UnknownTargetError(
        `no target named "${name}" in the configuration (known: ${config.targets.map((t) => t.name).join(', ')}); check --target or add it to ${program.opts<{ config: string }>().config}`,
        { context: { target: name } },
      );
    }
    return [name];
  };
  const run = async (mode: RotationMode, target: string | undefined) => {
    const { config, json, container } = context();
    const runner = container.get<RotationRunner>(TOKENS.Runner);
    const { summary } = await runner.run({
      mode,
      targetNames: selectTargets(config, target),
      newRotationId: randomUUID,
      concurrency: config.maxConcurrency,
      onEvent: progressPrinter(json ? io.stderr : io.stdout, mode),
    });
    io.stdout(json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    exitCode = exitCodeOf(summary);
  };

  program
    .command('plan')
    .description('dry run: what a rotation would do for each target, changing nothing')
    .option('-t, --target <name>', 'only this target')
    .action(async (opts: { target?: string }) => run('dry-run', opts.target));

  program
    .command('rotate')
    .description('rotate now, with the same steps, checks and rollbacks as the state machine')
    .option('-t, --target <name>', 'only this target')
    .addOption(new Option('--emergency', 'rotate even a young key and delete the old key at once (a leaked key)'))
    .action(async (opts: { target?: string; emergency?: boolean }) => run(opts.emergency ? 'emergency' : 'rotate', opts.target));

  program
    .command('status')
    .description("each target's keys (age, status, last use), the key its connection holds, whether the secret matches")
    .option('-t, --target <name>', 'only this target')
    .action(async (opts: { target?: string }) => {
      const { config, json, container } = context();
      const describe = container.get<DescribeTarget>(TOKENS.DescribeTarget);
      const statuses: TargetStatus[] = [];
      for (const name of selectTargets(config, opts.target)) statuses.push(await describe.execute(name));
      io.stdout(json ? `${JSON.stringify(statuses, null, 2)}\n` : formatStatus(statuses));
      exitCode = statuses.some((s) => s.attention.length > 0) ? EXIT.partialFailure : EXIT.ok;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`✖ ${name}: ${message}\n`);
    if (BAD_INPUT_ERRORS.has(name)) return EXIT.badInput;
    return error instanceof RotationError && error.kind === 'refusal' ? EXIT.badInput : EXIT.unexpected;
  }
}

/** 0 when every target rotated, was skipped, planned or repaired; 1 when any was refused, rolled back or failed. */
export function exitCodeOf(summary: RunSummary): number {
  const bad = summary.targets.some((t) => t.outcome === 'refused' || t.outcome === 'rolled-back' || t.outcome === 'failed');
  return bad ? EXIT.partialFailure : EXIT.ok;
}
