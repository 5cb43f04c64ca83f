import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Container } from 'inversify';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFIG_ENV_VAR,
  ConfigTargetsAdapter,
  loadRotationConfigFile,
  loadRotationConfigFromEnv,
  ROTATION_CONFIG,
} from '../../src/adapters/config/config-targets.adapter.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import type { RotationConfig } from '../../src/domain/config.js';
import { ConfigurationError, UnknownTargetError } from '../../src/domain/errors.js';
import { TOKENS } from '../../src/ports/tokens.js';
import type { TargetsPort } from '../../src/ports/targets.port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = path.join(ROOT, 'rotation.config.json');
const SCHEMA = path.join(ROOT, 'rotation.config.schema.json');

const tmp = mkdtempSync(path.join(tmpdir(), 'rotator-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const writeTmp = (name: string, text: string) => {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
};

describe('Config: the example rotation.config.json', () => {
  it('parses, with two targets', () => {
    const config = loadRotationConfigFile(EXAMPLE);
    expect(config.targets).toHaveLength(2);
    expect(config.schedule.expression).toBe('cron(0 3 ? * SUN *)');
  });

  it('validates against rotation.config.schema.json, which points editors at it', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(schema);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(example.$schema).toBe('./rotation.config.schema.json');
    // The schema and the parser agree on what a broken target is.
    const broken = structuredClone(example);
    delete broken.targets[0].connection.credentialParameter;
    expect(validate(broken)).toBe(false);
    expect(() => parseRotationConfig(broken)).toThrow(ConfigurationError);
  });
});

describe('Config: loadRotationConfigFile', () => {
  it('names a missing file', () => {
    expect(() => loadRotationConfigFile(path.join(tmp, 'nope.json'))).toThrow(/nope\.json does not exist/);
  });

  it('names a file that is not JSON, without quoting it', () => {
    const file = writeTmp('bad.json', '{ "targets": [ secret-looking-text ] }');
    let error: unknown;
    try {
      loadRotationConfigFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('bad.json is not valid JSON');
    expect((error as Error).message).not.toContain('secret-looking-text');
  });

  it('prefixes validation problems with the file name', () => {
    const file = writeTmp('invalid.json', JSON.stringify({ targets: [] }));
    expect(() => loadRotationConfigFile(file)).toThrow(
      /invalid\.json: Invalid rotation configuration: targets is empty/,
    );
  });
});

describe('Config: loadRotationConfigFromEnv', () => {
  const config = loadRotationConfigFile(EXAMPLE);

  it(`reads the parsed configuration from ${CONFIG_ENV_VAR} when it is set (local runs)`, () => {
    expect(loadRotationConfigFromEnv({ [CONFIG_ENV_VAR]: JSON.stringify(config) })).toEqual(config);
  });

  it('reads rotation.config.json from LAMBDA_TASK_ROOT, where the stack bundles it next to the handler', () => {
    const file = writeTmp('rotation.config.json', JSON.stringify(config));
    expect(loadRotationConfigFromEnv({ LAMBDA_TASK_ROOT: path.dirname(file) })).toEqual(config);
  });

  it('says where the configuration comes from when it is missing', () => {
    expect(() => loadRotationConfigFromEnv({})).toThrow(/no configuration/);
  });

  it(
    'skips only the time-zone database lookup at run time (the schedule is checked at synth; ICU data costs a ' +
      'cold start)',
    () => {
      const unknownZone = { ...config, schedule: { ...config.schedule, timeZone: 'Mars/Olympus_Mons' } };
      const file = writeTmp('unknown-zone.json', JSON.stringify(unknownZone));
      expect(() => loadRotationConfigFile(file)).toThrow(/schedule\.timeZone/);
      expect(loadRotationConfigFromEnv({ [CONFIG_ENV_VAR]: JSON.stringify(unknownZone) }).schedule.timeZone).toBe(
        'Mars/Olympus_Mons',
      );
      expect(() =>
        loadRotationConfigFromEnv({
          [CONFIG_ENV_VAR]: JSON.stringify({ ...config, schedule: { ...config.schedule, timeZone: 'not a zone' } }),
        }),
      ).toThrow(/schedule\.timeZone/);
    },
  );

  it('validates the environment like a file', () => {
    const broken = { ...config, maxConcurrency: 0 };
    expect(() => loadRotationConfigFromEnv({ [CONFIG_ENV_VAR]: JSON.stringify(broken) })).toThrow(
      /maxConcurrency is 0/,
    );
    expect(() => loadRotationConfigFromEnv({ [CONFIG_ENV_VAR]: '{' })).toThrow(ConfigurationError);
  });
});

describe('Adapter: ConfigTargetsAdapter', () => {
  const config: RotationConfig = loadRotationConfigFile(EXAMPLE);
  const container = new Container();
  container.bind(ROTATION_CONFIG).toConstantValue(config);
  container.bind(TOKENS.Targets).to(ConfigTargetsAdapter);
  const targets = container.get<TargetsPort>(TOKENS.Targets);

  it('is built by the container from the ROTATION_CONFIG token', () => {
    expect(targets).toBeInstanceOf(ConfigTargetsAdapter);
    expect(ROTATION_CONFIG).toBe(Symbol.for('rotator.RotationConfig'));
  });

  it('lists the configured targets and settings', async () => {
    expect((await targets.listTargets()).map((t) => t.name)).toEqual(config.targets.map((t) => t.name));
    expect(await targets.getSettings()).toEqual(config.settings);
  });

  it('finds a target by name, as a copy the caller cannot corrupt', async () => {
    const name = config.targets[1]!.name;
    const found = await targets.getTarget(name);
    expect(found).toEqual(config.targets[1]);
    found.iamUserName = 'changed';
    expect((await targets.getTarget(name)).iamUserName).toBe(config.targets[1]!.iamUserName);
  });

  it('throws UnknownTargetError naming the known targets', async () => {
    await expect(targets.getTarget('nope')).rejects.toBeInstanceOf(UnknownTargetError);
    await expect(targets.getTarget('nope')).rejects.toThrow(config.targets[0]!.name);
  });
});
