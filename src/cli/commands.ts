import { randomUUID } from 'node:crypto';
import type { RotationMode } from '../domain/model.js';
import type { RotationRunner } from '../domain/runner.js';
import { TOKENS } from '../ports/tokens.js';
import { ALL_WIRING } from '../wiring/index.js';
import { type CommandIo, context, type GlobalOptions, selectTargets } from './context.js';
import { exitCodeOf } from './exit-codes.js';
import { formatSummary, progressPrinter } from './format.js';

/**
 * `plan` and `rotate`, behind the argument parsing of main.ts: loaded only when one of them runs
 * (`--help` and bad arguments never load the AWS SDK). They run every step, so they take every
 * wiring slice; `status` (status.ts) takes only the clients it reads with.
 */
/** `plan` (mode dry-run), `rotate` and `rotate --emergency`: the runner, with a progress line per target. */
export async function runRotation(
  mode: RotationMode,
  target: string | undefined,
  opts: GlobalOptions,
  io: CommandIo,
): Promise<number> {
  const { config, json, container } = context(opts, io, ALL_WIRING);
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
