/**
 * scripts/mutation-summary.mjs, which adds up Stryker reports of disjoint file groups into the score
 * docs/mutation-score.md gives: Stryker's formula, static mutants left out, the last report winning for a file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.join(import.meta.dirname, '..', '..', 'scripts', 'mutation-summary.mjs');
const report = (files: Record<string, string[]>) => ({
  files: Object.fromEntries(
    Object.entries(files).map(([file, statuses]) => [file, { mutants: statuses.map((status) => ({ status })) }]),
  ),
});

describe('Script: mutation-summary', () => {
  it('scores (killed + timeout) / (killed + timeout + survived + no coverage), per file and in total', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'mutation-summary-'));
    const first = path.join(dir, 'a.json');
    const second = path.join(dir, 'b.json');
    await writeFile(first, JSON.stringify(report({ 'src/a.ts': ['Survived', 'Survived'], 'src/b.ts': ['Killed'] })));
    await writeFile(
      second,
      JSON.stringify(report({ 'src/a.ts': ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'Ignored'] })),
    );

    // Act
    const out = execFileSync(process.execPath, [SCRIPT, first, second], { encoding: 'utf8' });

    // Assess
    expect(out.split('\n')).toEqual([
      '| file | score | killed | timeout | survived | no coverage | ignored (static) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| `src/a.ts` | 50.0 % | 1 | 1 | 1 | 1 | 2 |',
      '| `src/b.ts` | 100.0 % | 1 | 0 | 0 | 0 | 0 |',
      '| **all** | **60.0 %** | 2 | 1 | 1 | 1 | 2 |',
      '',
    ]);
  });
});
