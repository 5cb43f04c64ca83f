#!/usr/bin/env node
/**
 * Rewrites relative import specifiers after files moved: each specifier that resolved to a moved file
 * (or was written in a file that itself moved) is recomputed from the file's current place.
 *
 *   node scripts/rewrite-moved-imports.mjs [files...]   (default: every .ts/.mjs under the code folders)
 *
 * The moves are listed below, old path → new path (a folder ends in "/"). Run it on a branch that
 * still has files written against the old layout, after merging the commit that moved them.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MOVES = [
  ['test/support/', 'local/'],
  ['infra/local-run.ts', 'local/local-run.ts'],
  ['test/adapters/slack/fixtures.ts', 'local/slack-fixtures.ts'],
  ['test/domain/errors.hardening.test.ts', 'test/domain/errors.test.ts'],
  ['test/domain/report.hardening.test.ts', 'test/domain/report.test.ts'],
  ['test/domain/rotation-state.hardening.test.ts', 'test/domain/rotation-state.test.ts'],
  ['test/domain/runner.hardening.test.ts', 'test/domain/runner.test.ts'],
  ['scripts/bundle-options.ts', 'infra/bundle-options.ts'],
  ['test/domain/use-cases.hardening.test.ts', 'test/domain/use-cases.test.ts'],
  ['test/domain/plan.hardening.test.ts', 'test/domain/plan-whole-plans.test.ts'],
  ['test/config/config.hardening.test.ts', 'test/config/parse-rotation-config-problems.test.ts'],
];
const FOLDERS = ['src', 'test', 'infra', 'scripts', 'bench', 'bin', 'local'];

/** Where `file` went by `table` (the longest matching entry wins: a file's own move before its folder's). */
const moved = (file, table) => {
  const matches = table.filter(([from]) => (from.endsWith('/') ? file.startsWith(from) : file === from));
  const [from, to] = matches.sort((a, b) => b[0].length - a[0].length)[0] ?? [];
  return from === undefined ? undefined : to + file.slice(from.length);
};
const reversed = MOVES.map(([from, to]) => [to, from]);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    return statSync(full).isDirectory() ? walk(full) : /\.(ts|mjs)$/.test(name) ? [full] : [];
  });
}

const SPECIFIER = /(from\s+|import\s*\(\s*|import\s+|vi\.mock\(\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;

function rewrite(file) {
  const self = file.split(path.sep).join('/');
  // A file that moved was written against its old place: resolve its specifiers from there.
  const writtenAt = moved(self, reversed) ?? self;
  const text = readFileSync(file, 'utf8');
  const next = text.replace(SPECIFIER, (whole, lead, quote, spec) => {
    // Already right (it resolves from where the file is now): leave it, so running twice changes nothing.
    const here = path.posix.join(path.posix.dirname(self), spec);
    if (existsSync(here) || existsSync(here.replace(/\.js$/, '.ts'))) return whole;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(writtenAt), spec));
    const source = target.replace(/\.js$/, '.ts');
    const newSource = moved(source, MOVES) ?? moved(target, MOVES)?.replace(/\.ts$/, '.js') ?? undefined;
    const newTarget = newSource ? (target.endsWith('.js') ? newSource.replace(/\.ts$/, '.js') : newSource) : target;
    if (newTarget === target && writtenAt === self) return whole;
    let relative = path.posix.relative(path.posix.dirname(self), newTarget);
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return `${lead}${quote}${relative}${quote}`;
  });
  if (next !== text) {
    writeFileSync(file, next);
    console.log(`rewrote ${self}`);
  }
}

const files = process.argv.slice(2);
for (const file of files.length > 0 ? files : FOLDERS.flatMap(walk)) rewrite(file);
