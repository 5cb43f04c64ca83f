#!/usr/bin/env node
/**
 * Fails when a source line is longer than the Biome formatter's line width (biome.json), which the
 * formatter itself cannot enforce for long strings and comments. Inline snapshots are exempt: they are
 * the exact text under test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const width = JSON.parse(readFileSync('biome.json', 'utf8')).formatter.lineWidth;
const lsFiles = ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.cjs'];
const files = execFileSync('git', lsFiles, { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.startsWith('node_modules/') && !f.startsWith('test/fixtures/'));

const long = [];
for (const file of files) {
  let inSnapshot = false;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/toMatchInlineSnapshot\(/.test(line)) inSnapshot = true;
      if (!inSnapshot && line.length > width) long.push(`${file}:${i + 1}: ${line.length} characters`);
      if (inSnapshot && /`\)/.test(line)) inSnapshot = false;
    });
}
if (long.length) {
  console.error(`${long.length} lines are longer than ${width} characters (biome.json formatter.lineWidth):`);
  console.error(long.join('\n'));
  process.exit(1);
}
console.log(`no line over ${width} characters in ${files.length} files`);
