/**
 * Bundles each Lambda handler the way the CDK stack deploys it (esbuild, ESM, Node 22, arm64-neutral
 * JavaScript, AWS SDK bundled, class names kept because error names are the state machine's contract),
 * and the operator CLI.
 *
 *   npm run build            → dist/handlers/<step>.mjs, dist/cli/main.mjs (+ its chunks),
 *                              then dist/lib (the construct, compiled by tsc -p tsconfig.build.json)
 *
 * The bundle test and the benchmarks use `bundleHandlers()` and `bundleCli()` directly.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { LAMBDA_STEPS, type LambdaStep } from '../infra/steps.js';
import { BUNDLE_OPTIONS } from '../infra/bundle-options.js';
import { handlerEntrySource } from '../infra/handler-entries.js';

/** One handler per state-machine task, its entry generated from the step catalog (infra/handler-entries.ts). */
export const HANDLER_NAMES = LAMBDA_STEPS;
export type HandlerName = LambdaStep;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export { BUNDLE_OPTIONS, NODE_MAJOR } from '../infra/bundle-options.js';

export interface BundleResult {
  name: HandlerName;
  file: string;
  metafile: Metafile;
}

export async function bundleHandlers(
  outDir = path.join(ROOT, 'dist', 'handlers'),
  names: readonly HandlerName[] = HANDLER_NAMES,
): Promise<BundleResult[]> {
  await mkdir(outDir, { recursive: true });
  const results: BundleResult[] = [];
  for (const name of names) {
    const file = path.join(outDir, `${name}.mjs`);
    const result = await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      stdin: { contents: handlerEntrySource(name, ROOT), resolveDir: ROOT, sourcefile: `${name}.ts`, loader: 'ts' },
      outfile: file,
      metafile: true,
      logLevel: 'warning',
    });
    results.push({ name, file, metafile: result.metafile });
  }
  return results;
}

/**
 * The operator CLI as plain JavaScript (the `bin` entry runs it with no loader). Everything is
 * bundled, so an install resolves no module at start-up; the SDK keeps its full credential chain
 * (profiles, SSO...) since the CLI runs on an operator's machine. Code splitting keeps what the
 * commands load (src/cli/commands.ts: the SDK, the composition root) out of the entry chunk, so
 * `--help` parses only the argument parser.
 */
export async function bundleCli(
  outDir = path.join(ROOT, 'dist', 'cli'),
): Promise<{ file: string; metafile: Metafile }> {
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    ...BUNDLE_OPTIONS,
    // The SDK's full credential chain (an operator's profiles, SSO...); node:http without its ESM facade.
    alias: { 'node:http': BUNDLE_OPTIONS.alias['node:http'] },
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    entryPoints: { main: path.join(ROOT, 'src', 'cli', 'main.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  return { file: path.join(outDir, 'main.mjs'), metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const results = await bundleHandlers();
  for (const r of results) console.log(`${r.name.padEnd(15)} ${path.relative(ROOT, r.file)}`);
  const cli = await bundleCli();
  console.log(`${'cli'.padEnd(15)} ${path.relative(ROOT, cli.file)}`);
}
