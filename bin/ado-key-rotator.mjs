#!/usr/bin/env node
// Operator CLI entry: `ado-key-rotator plan|rotate|status`. Runs the TypeScript sources through tsx.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`ado-key-rotator needs Node.js 22 or later (this is ${process.versions.node}); run it through \`npx ado-key-rotator\` after \`npm ci\`.`);
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
