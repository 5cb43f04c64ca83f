/**
 * `npm run synth`: synthesizes the app in-process, exactly as `cdk synth` does (esbuild bundles
 * of src/handlers, cdk-nag checks; offline, no Docker), into cdk.out, then prints the stack's
 * resources. Takes the same `-c config=<path>` as cdk (or `--config <path>`).
 */
import path from 'node:path';
import { ConfigurationError } from '../src/domain/errors.js';
import { createApp, REPO_ROOT } from './stack.js';

function configArg(argv: string[]): string | undefined {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--config' || arg === '-c') {
      const value = argv[i + 1] ?? '';
      return value.startsWith('config=') ? value.slice('config='.length) : value;
    }
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

try {
  const started = Date.now();
  const outdir = path.join(REPO_ROOT, 'cdk.out');
  const configPath = configArg(process.argv.slice(2));
  const { app, stack, configPath: used } = createApp({ appProps: { outdir }, ...(configPath ? { configPath } : {}) });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string }> };

  const rows = Object.entries(template.Resources)
    .map(([logicalId, r]) => [r.Type, logicalId] as const)
    .sort(([a, x], [b, y]) => a.localeCompare(b) || x.localeCompare(y));
  const width = Math.max(...rows.map(([type]) => type.length));
  console.log(
    `Stack ${stack.stackName} from ${path.relative(process.cwd(), used) || used}: ${rows.length} resources\n`,
  );
  for (const [type, logicalId] of rows) console.log(`  ${type.padEnd(width)}  ${logicalId}`);
  console.log(
    `\ncdk-nag AwsSolutions: no unacknowledged finding. Cloud assembly in ` +
      `${path.relative(process.cwd(), outdir)}/ (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`\n✖ ${error.message}\n`);
  process.exit(1);
}
