import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inject, injectable } from 'inversify';
import { type ParseOptions, parseRotationConfig } from '../../config/parse-rotation-config.js';
import type { RotationConfig } from '../../domain/config.js';
import { ConfigurationError, UnknownTargetError } from '../../domain/errors.js';
import type { RotationSettings, RotationTarget } from '../../domain/model.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/**
 * Binds the parsed `RotationConfig`: a Lambda loads it with `loadRotationConfigFromEnv` (the file bundled next to
 * its code), the CLI with `loadRotationConfigFile`, tests and the demo pass it directly.
 */
// Its token lives with the other adapter tokens, next to the wiring (src/wiring/tokens.ts).
export const ROTATION_CONFIG = ADAPTER_TOKENS.RotationConfig;

/** An environment variable that may hold the parsed configuration as JSON (local runs and tests). */
export const CONFIG_ENV_VAR = 'ROTATOR_CONFIG';

/** The file the CDK stack puts next to each bundled handler (in `LAMBDA_TASK_ROOT`). */
export const CONFIG_FILE_NAME = 'rotation.config.json';

/** `TargetsPort` over the parsed configuration: targets and settings are fixed for the life of a Lambda instance. */
@injectable()
export class ConfigTargetsAdapter implements TargetsPort {
  private readonly byName: ReadonlyMap<string, RotationTarget>;

  constructor(@inject(ROTATION_CONFIG) private readonly config: RotationConfig) {
    this.byName = new Map(config.targets.map((t) => [t.name, t]));
  }

  async listTargets(): Promise<RotationTarget[]> {
    return structuredClone(this.config.targets);
  }

  async getTarget(name: string): Promise<RotationTarget> {
    const target = this.byName.get(name);
    if (!target) {
      const known = [...this.byName.keys()].join(', ') || 'none';
      throw new UnknownTargetError(
        `no target named "${name}" in the configuration (known: ${known}); add it to rotation.config.json and redeploy`,
        {
          context: { target: name },
        },
      );
    }
    return structuredClone(target);
  }

  async getSettings(): Promise<RotationSettings> {
    return { ...this.config.settings };
  }
}

/**
 * The configuration a Lambda runs with: `rotation.config.json` next to the handler (the CDK stack
 * bundles it with the code: Lambda environments hold only 4 KB), or `ROTATOR_CONFIG` when set
 * (local runs and tests). Validated again, so a hand-edited file fails loudly and early.
 */
export function loadRotationConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RotationConfig {
  const text = env[CONFIG_ENV_VAR];
  // The Lambdas never use the schedule: skip the time-zone lookup (ICU data, ~25 ms of a cold start).
  const runtime = { lookUpTimeZone: false };
  if (text !== undefined && text.trim() !== '')
    return parseJson(text, `the ${CONFIG_ENV_VAR} environment variable`, runtime);
  if (env.LAMBDA_TASK_ROOT) return loadRotationConfigFile(path.join(env.LAMBDA_TASK_ROOT, CONFIG_FILE_NAME), runtime);
  throw new ConfigurationError(
    `no configuration: ${CONFIG_FILE_NAME} is bundled next to each handler by the CDK stack; outside Lambda ` +
      `set ${CONFIG_ENV_VAR} to the configuration as JSON (the CLI takes --config <file> instead)`,
    { context: { field: CONFIG_ENV_VAR } },
  );
}

/** Reads and validates a configuration file (the CLI, `cdk synth`, the demo). */
export function loadRotationConfigFile(path: string, options: ParseOptions = {}): RotationConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : `cannot be read (${typeof code === 'string' ? code : 'unknown error'})`;
    throw new ConfigurationError(`configuration file ${path} ${why}: pass the path of a rotation.config.json`, {
      context: { field: '(file)', path },
    });
  }
  return parseJson(text, path, options);
}

function parseJson(text: string, source: string, options: ParseOptions = {}): RotationConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // V8 quotes a piece of the text in its message: keep the position, drop the quote (it could be anything).
    const detail = error instanceof SyntaxError ? error.message.replace(/"(?:[^"\\]|\\.)*"/g, '…') : 'not JSON';
    throw new ConfigurationError(`${source} is not valid JSON (${detail})`, { context: { field: '(root)' } });
  }
  try {
    return parseRotationConfig(raw, options);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      throw new ConfigurationError(`${source}: ${error.message}`, { context: error.context });
    }
    throw error;
  }
}
