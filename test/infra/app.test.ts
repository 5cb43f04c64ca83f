import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, DEFAULT_CONFIG_PATH } from '../../infra/stack.js';
import { loadRotationConfigFile } from '../../src/adapters/config/config-targets.adapter.js';
import { ConfigurationError } from '../../src/domain/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-app-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const example = loadRotationConfigFile(DEFAULT_CONFIG_PATH);
const writeConfig = (name: string, config: unknown) => {
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
};
// No bundling: these tests are about which configuration the app reads.
const appProps = (context: Record<string, unknown> = {}) => ({
  outdir: mkdtempSync(path.join(tmp, 'out-')),
  context: { 'aws:cdk:bundling-stacks': [], ...context },
});

describe('App: infra/app.ts', () => {
  it('reads rotation.config.json at the repository root by default', () => {
    const { stack, configPath } = createApp({ appProps: appProps() });
    expect(configPath).toBe(path.join(ROOT, 'rotation.config.json'));
    expect(stack.rotator.config).toEqual(example);
  });

  it('reads the file given with `cdk synth -c config=<path>`', () => {
    const file = writeConfig('one-target.json', { targets: [example.targets[0]], maxConcurrency: 1 });
    const { stack, configPath } = createApp({ appProps: appProps({ config: file }) });
    expect(configPath).toBe(file);
    expect(stack.rotator.config.targets.map((t) => t.name)).toEqual([example.targets[0]?.name]);
    expect(stack.rotator.config.maxConcurrency).toBe(1);
  });

  it('fails with a ConfigurationError naming the field when the configuration is invalid', () => {
    const file = writeConfig('bad.json', {
      targets: [{ ...example.targets[0], connection: { ...example.targets[0]?.connection, organizationUrl: 'foo' } }],
    });
    expect(() => createApp({ appProps: appProps({ config: file }) })).toThrow(ConfigurationError);
    expect(() => createApp({ appProps: appProps({ config: file }) })).toThrow(
      /targets\[0\]\.connection\.organizationUrl is not a URL/,
    );
  });

  it('ends `cdk synth` with the message, not a stack trace, when the configuration is invalid', () => {
    const file = writeConfig('bad-synth.json', { targets: [{ ...example.targets[0], iamUserName: undefined }] });
    // What the CDK CLI runs (cdk.json "app"), with the context it passes.
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ config: file }),
        CDK_OUTDIR: mkdtempSync(path.join(tmp, 'out-')),
      },
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('targets[0].iamUserName is missing');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
