import { createContainer } from '../composition-root.js';
import { ALL_WIRING } from '../wiring/index.js';
import { keylessWiring } from '../wiring/keyless.wiring.js';
import { type CommandIo, context, type GlobalOptions } from './context.js';
import { cliLogger, cliLogLevel, NO_METRICS } from './quiet.js';
import { TOKENS } from '../ports/tokens.js';

/**
 * The containers of `migrate-to-oidc` and `discover`, loaded only when one of them runs (main.ts
 * parses arguments without the SDK). They take every slice plus the keyless one (IAM identity,
 * Azure DevOps inventory).
 */

/** `migrate-to-oidc`: the configuration, its path, and every port. */
export function keylessContext(opts: GlobalOptions, io: CommandIo) {
  return { ...context(opts, io, [...ALL_WIRING, keylessWiring]), configPath: opts.config };
}

/** `discover`: every port and no configuration (discovery is how one is drafted). */
export function discoveryContext(opts: GlobalOptions, io: CommandIo) {
  const overrides = new Map<symbol, unknown>([
    // A quiet terminal, as every command (src/cli/quiet.ts).
    [TOKENS.Logger, cliLogger(io.stderr, cliLogLevel(opts.verbose === true, io.env ?? process.env))],
    [TOKENS.Metrics, NO_METRICS],
    ...(io.overrides ?? new Map()),
  ]);
  return { json: opts.json === true, container: createContainer([...ALL_WIRING, keylessWiring], overrides) };
}
