/**
 * Bundles each Lambda handler the way the CDK stack deploys it (esbuild, ESM, Node 22, arm64-neutral
 * JavaScript, AWS SDK bundled, class names kept because error names are the state machine's contract).
 *
 *   npm run build            → dist/handlers/<step>.mjs (+ .meta.json for size analysis)
 *
 * The bundle test and the benchmarks use `bundleHandlers()` directly.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { LAMBDA_STEPS, type LambdaStep } from '../infra/steps.js';

/** One handler per state-machine task (src/handlers/<name>.ts). */
export const HANDLER_NAMES = LAMBDA_STEPS;
export type HandlerName = LambdaStep;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The esbuild options shared with infra/ (NodejsFunction bundling mirrors them). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  keepNames: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  // Middy and Powertools are ESM; some SDK internals still `require` Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'none',
  // Lambda hands the function its role's credentials in the environment: the SDK's full provider
  // chain (profiles, SSO, web identity, instance metadata, and the nested clients they load) is
  // replaced by src/adapters/aws/lambda-credentials.ts.
  alias: { '@aws-sdk/credential-provider-node': path.join(ROOT, 'src', 'adapters', 'aws', 'lambda-credentials.ts') },
} as const;

export interface BundleResult {
  name: HandlerName;
  file: string;
  metafile: Metafile;
}

export async function bundleHandlers(outDir = path.join(ROOT, 'dist', 'handlers'), names: readonly HandlerName[] = HANDLER_NAMES): Promise<BundleResult[]> {
  await mkdir(outDir, { recursive: true });
  const results: BundleResult[] = [];
  for (const name of names) {
    const file = path.join(outDir, `${name}.mjs`);
    const result = await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      entryPoints: [path.join(ROOT, 'src', 'handlers', `${name}.ts`)],
      outfile: file,
      metafile: true,
      logLevel: 'warning',
    });
    results.push({ name, file, metafile: result.metafile });
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const results = await bundleHandlers();
  for (const r of results) console.log(`${r.name.padEnd(15)} ${path.relative(ROOT, r.file)}`);
}
