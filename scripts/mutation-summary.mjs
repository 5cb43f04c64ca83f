#!/usr/bin/env node
/**
 * Combines Stryker JSON reports (reports/mutation/*.json, or incremental files: the same schema) into one per-file
 * table and a total, the way Stryker scores: (killed + timeout) / (killed + timeout + survived + no coverage);
 * ignored (static) mutants do not count. A file in several reports takes its figures from the last one named, so
 * targeted runs of disjoint file groups add up to the whole.
 *
 *   node scripts/mutation-summary.mjs reports/mutation/group-a.json reports/mutation/group-b.json
 */
import { readFileSync } from 'node:fs';

const STATUSES = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored'];
const perFile = new Map();
for (const report of process.argv.slice(2)) {
  for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, mutants.filter((m) => m.status === s).length]));
    perFile.set(file, counts);
  }
}
const score = (c) => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? '—' : `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(1)} %`;
};
const total = Object.fromEntries(STATUSES.map((s) => [s, 0]));
console.log('| file | score | killed | timeout | survived | no coverage | ignored (static) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [file, c] of [...perFile].sort(([a], [b]) => a.localeCompare(b))) {
  for (const s of STATUSES) total[s] += c[s];
  console.log(`| \`${file}\` | ${score(c)} | ${STATUSES.map((s) => c[s]).join(' | ')} |`);
}
console.log(`| **all** | **${score(total)}** | ${STATUSES.map((s) => total[s]).join(' | ')} |`);
