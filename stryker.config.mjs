// @ts-check
/**
 * Mutation testing (`npm run test:mutation` = `stryker run`): Stryker changes the domain and the
 * adapters one small mutation at a time and runs the tests that cover each change; a mutant no
 * test notices ("survived") is behaviour nobody checks.
 *
 * The domain alone (the goal there is at least 95%; `npm run test:mutation:domain`, domain and config: about
 * 5,300 mutants, an estimated 30–40 minutes on an idle 2-core machine). A targeted run on a few files takes
 * minutes, and
 * `node scripts/mutation-summary.mjs <reports>` adds up runs of disjoint file groups (docs/mutation-score.md):
 *   npx stryker run --mutate 'src/domain/plan.ts,src/domain/use-cases/roll-back.ts'
 * Adapters are in `npm run test:mutation` (the `mutate` list below); docs/mutation-score.md says which were last
 * measured.
 * Re-runs after a change: add --incremental (only mutants whose code or covering tests changed run again).
 * Reports: reports/mutation/mutation.html (open in a browser) and reports/mutation/mutation.json.
 */

// The Azure DevOps specs the adapter tests read live in test/fixtures/ado-spec, so Stryker's copy of the
// repository under .stryker-tmp/ carries them: nothing to pin.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.config.ts',
    // Only the test files that import (directly or not) the mutated file.
    related: true,
  },
  // Left out: test/infra (CDK synthesis), test/bundle (esbuild bundles, not the instrumented sources),
  // test/demo and test/bench (whole programs), the secret-canary sweep (it asserts that nothing leaks,
  // not what the code decides, and would multiply each mutant's run time), and the random fault-schedule
  // property (a random verdict per mutant; the domain's own tests must kill its mutants).
  testFiles: [
    'test/{adapters,cli,config,contracts,domain,handlers}/**/*.test.ts',
    'test/reliability/{bad-input,overlapping-runs}.test.ts',
  ],
  mutate: [
    'src/domain/**/*.ts',
    'src/config/**/*.ts',
    'src/adapters/**/*.ts',
    // Re-export barrels: no behaviour of their own.
    '!src/adapters/**/index.ts',
  ],
  // Each mutant runs only the tests that executed it during the initial run.
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants and patterns, a quarter of the domain's) would each reload the
  // modules and run every test: about two hours more on 2 cores. Their behaviour is pinned by the exact
  // messages and boundaries the tests assert; `STRYKER_STATIC=1 npx stryker run` tests them too.
  ignoreStatic: process.env.STRYKER_STATIC !== '1',
  concurrency: 2,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
  ignorePatterns: ['dist', 'cdk.out', 'reports', 'coverage', '.ci'],
};

export default config;
