import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

describe('docs/slack-examples.md', () => {
  it(
    'is what `npx tsx scripts/render-slack-examples.ts` prints (regenerate it after changing the ' + 'message)',
    async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(root, 'scripts', 'render-slack-examples.ts')],
        { cwd: root },
      );

      expect(await readFile(join(root, 'docs', 'slack-examples.md'), 'utf8')).toBe(stdout);
    },
  );
});
