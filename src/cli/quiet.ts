import type { MetricsPort } from '../ports/metrics.port.js';

/**
 * What the CLI prints besides its own lines: nothing, unless asked.
 *
 * In Lambda the adapters log JSON lines for CloudWatch and publish metrics as CloudWatch EMF
 * documents on stdout; in a terminal both are noise between the CLI's own lines (and would
 * break `--json`). So the CLI binds its own logger, which writes the same JSON lines to stderr
 * only with `--verbose` or `LOG_LEVEL`, and a metrics port that records nothing. The Lambda
 * handlers keep the Powertools Logger and Metrics (src/composition-root.ts, src/wiring).
 */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CliLogger {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

/**
 * The level the CLI logs at: `LOG_LEVEL` when it names a level, else INFO with `--verbose`,
 * else none at all (`undefined`).
 */
export function cliLogLevel(verbose: boolean, env: Readonly<Record<string, string | undefined>>): LogLevel | undefined {
  const fromEnv = env.LOG_LEVEL?.trim().toUpperCase();
  if (fromEnv && (LOG_LEVELS as readonly string[]).includes(fromEnv)) return fromEnv as LogLevel;
  return verbose ? 'INFO' : undefined;
}

/** JSON lines on `write` (stderr) at `level` and above; silent when `level` is undefined. */
export function cliLogger(write: (text: string) => void, level: LogLevel | undefined): CliLogger {
  const threshold = level === undefined ? Number.POSITIVE_INFINITY : LOG_LEVELS.indexOf(level);
  const at =
    (lineLevel: LogLevel) =>
    (message: string, ...extra: unknown[]) => {
      if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
      // Attributes are safe by construction: secrets are SecretValues, which serialise as [REDACTED].
      const attributes = Object.assign({}, ...extra.filter((e): e is object => typeof e === 'object' && e !== null));
      write(`${JSON.stringify({ level: lineLevel, message, timestamp: new Date().toISOString(), ...attributes })}\n`);
    };
  return { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/** The CLI's metrics: none (CloudWatch gets the Lambdas' metrics; a person at a terminal gets the summary). */
export const NO_METRICS: MetricsPort = {
  recordOutcome: () => undefined,
  recordNotificationFailure: () => undefined,
  flush: async () => undefined,
};
