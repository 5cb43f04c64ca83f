import { readFileSync, writeFileSync } from 'node:fs';
import { parseRotationConfig } from '../../config/parse-rotation-config.js';
import { ConfigurationError } from '../../domain/errors.js';

/**
 * Takes a target out of a configuration file once its connection no longer holds a key
 * (`migrate-to-oidc`): the file is rewritten only if what is left still validates. Returns a
 * sentence for the report; never throws (the migration itself is done by then).
 */
export function removeTargetFromConfigFile(configPath: string, name: string): string {
  try {
    const raw = JSON.parse(readFileSync(configPath, 'utf8')) as { targets?: Array<{ name?: string }> };
    const next = { ...raw, targets: (raw.targets ?? []).filter((t) => t.name !== name) };
    parseRotationConfig(next);
    writeFileSync(configPath, `${JSON.stringify(next, null, 2)}\n`);
    return `removed ${name} from ${configPath}: redeploy (npx cdk deploy) so the schedule stops rotating it`;
  } catch (error) {
    return `could not remove ${name} from ${configPath} (${(error as Error).message}): remove it by hand and redeploy`;
  }
}

/**
 * Writes a configuration that `discover` drafted, after validating it as the CLI and the Lambdas
 * will. Throws `ConfigurationError` (nothing written) when it does not validate.
 */
export function writeConfigFile(configPath: string, config: Record<string, unknown>): void {
  parseRotationConfig(config);
  try {
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === 'EEXIST'
        ? 'exists already (it is never overwritten): choose another path or delete it'
        : `cannot be written (${String(code)})`;
    throw new ConfigurationError(`--config-out ${configPath} ${why}`, { context: { field: '--config-out' } });
  }
}
