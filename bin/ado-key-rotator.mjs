#!/usr/bin/env node
// Operator CLI entry: `ado-key-rotator plan|rotate|status`. Runs the built CLI (dist/cli/main.mjs,
// plain JavaScript: `npm run build`, and `npm pack` runs it first); in a clone that has not been
// built yet, it falls back to the TypeScript sources through tsx (a devDependency).
import { existsSync } from 'node:fs';

// The one Node rule (package.json engines, the Lambda runtime, the demo): Node.js 22 or later.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`ado-key-rotator needs Node.js 22 or later (this is ${process.versions.node}).`);
  process.exit(2);
}
const built = new URL('../dist/cli/main.mjs', import.meta.url);
let runCli;
if (existsSync(built)) {
  ({ runCli } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/main.ts'));
}
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
