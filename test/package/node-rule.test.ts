import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, NODE_MAJOR } from '../../infra/bundle-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** One rule for the supported Node versions, stated wherever a Node runs this code. */
describe('Package: one Node.js rule', () => {
  it(
    'package.json engines, the bundles, the Lambda runtime, the CLI and the scripts all say Node.js 22 ' + 'or later',
    () => {
      const manifest = JSON.parse(read('package.json')) as {
        engines: { node: string };
        devDependencies: Record<string, string>;
      };

      expect(manifest.engines.node).toBe(`>=${NODE_MAJOR}`);
      expect(BUNDLE_OPTIONS.target).toBe(`node${NODE_MAJOR}`);
      expect(read('infra/key-rotator.ts')).toContain(`lambda.Runtime.NODEJS_${NODE_MAJOR}_X`);
      expect(read('infra/key-rotator.ts')).not.toMatch(/Runtime\.NODEJS_(?!22_X)\d+/);
      expect(read('bin/ado-key-rotator.mjs')).toContain(`if (major < ${NODE_MAJOR})`);
      expect(read('scripts/check-node.mjs')).toContain(`if (major < ${NODE_MAJOR})`);
      // The toolchain the scripts run on (the `node` devDependency) is that major version.
      expect(manifest.devDependencies.node?.split('.')[0]).toBe(String(NODE_MAJOR));
    },
  );
});
