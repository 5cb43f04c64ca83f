/**
 * The esbuild options every Lambda bundle is built with: owned here, in infra/, and read by the
 * construct (NodejsFunction bundling), scripts/bundle.ts (npm run build) and bench/. A module of its
 * own so that the construct (infra/key-rotator.ts) can read them without loading esbuild: the construct is also
 * shipped compiled in the npm package, where esbuild is not installed (it deploys the prebuilt
 * bundles of dist/handlers instead).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The oldest Node.js the project runs on: package.json `engines`, the Lambda runtime, the CLI and the demo follow it.
 */
export const NODE_MAJOR = 22;

/**
 * ESM, Node 22, arm64-neutral JavaScript, AWS SDK bundled, class names kept because error names
 * are the state machine's contract. infra/ (NodejsFunction bundling) mirrors them.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: `node${NODE_MAJOR}`,
  minify: true,
  keepNames: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  // Middy and Powertools are ESM; some SDK internals still `require` Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: 'none',
  // Lambda hands the function its role's credentials in the environment: the SDK's full provider
  // chain (profiles, SSO, web identity, instance metadata, and the nested clients they load) is
  // replaced by src/adapters/aws/lambda-credentials.ts.
  // `node:http` through `require` (scripts/shims/node-http.cjs): its ESM facade would load all of undici.
  alias: {
    '@aws-sdk/credential-provider-node': path.join(ROOT, 'src', 'adapters', 'aws', 'lambda-credentials.ts'),
    'node:http': path.join(ROOT, 'scripts', 'shims', 'node-http.cjs'),
  },
} as const;
