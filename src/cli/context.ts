import { loadRotationConfigFile, ROTATION_CONFIG } from '../adapters/config/config-targets.adapter.js';
import { createContainer, type Overrides } from '../composition-root.js';
import type { RotationConfig } from '../domain/config.js';
import { UnknownTargetError } from '../domain/errors.js';
import { TOKENS } from '../ports/tokens.js';
import type { Wiring } from '../wiring/wiring.js';
import { cliLogger, cliLogLevel, NO_METRICS } from './quiet.js';

/**
 * What every command starts from: the configuration file, the quiet logger, and a container built
 * from the wiring slices the command needs (each command module names its own, so that the built
 * CLI loads only the SDK clients of the command that runs).
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

export function context(opts: GlobalOptions, io: CommandIo, wiring: readonly Wiring[]) {
  const config = loadRotationConfigFile(opts.config);
  const logger = cliLogger(io.stderr, cliLogLevel(opts.verbose === true, io.env ?? process.env));
  const overrides = new Map<symbol, unknown>([
    [ROTATION_CONFIG, config],
    // A quiet terminal: no Lambda JSON logs on stdout, no CloudWatch EMF documents (src/cli/quiet.ts).
    [TOKENS.Logger, logger],
    [TOKENS.Metrics, NO_METRICS],
    ...(io.overrides ?? new Map()),
  ]);
  return { config, json: opts.json === true, container: createContainer(wiring, overrides) };
}

export function selectTargets(config: RotationConfig, name: string | undefined, configPath: string): string[] {
  if (!name) return config.targets.map((t) => t.name);
  if (!config.targets.some((t) => t.name === name)) {
    throw new UnknownTargetError(
      `no target named "${name}" in the configuration (known: ` +
        `${config.targets.map((t) => t.name).join(', ')}); check --target or add it to ${configPath}`,
      { context: { target: name } },
    );
  }
  return [name];
}
