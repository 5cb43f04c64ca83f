import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FOLDERS = ['src', 'infra', 'local', 'scripts', 'bench'];

/** Every source file under the folders (TypeScript and plain JavaScript modules). */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(rel);
    return /\.(ts|mjs|cjs)$/.test(entry.name) ? [rel] : [];
  });
}

describe('Source files', () => {
  it('are at most 300 lines, or say at their top why they are longer', () => {
    // Prepare
    const files = FOLDERS.flatMap(sources);

    // Act
    const unexplained = files.filter((file) => {
      const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
      const length = lines.at(-1) === '' ? lines.length - 1 : lines.length;
      return length > 300 && !/over 300 lines/i.test(lines.slice(0, 30).join('\n'));
    });

    // Assess
    expect(files.length).toBeGreaterThan(100);
    // A file listed here: split it, or write at its top why it is longer ("Over 300 lines: ...").
    expect(unexplained).toEqual([]);
  });
});
