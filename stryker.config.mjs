// @ts-check
/**
 * Mutation testing (`npm run test:mutation` = `stryker run`): Stryker changes the domain and the
 * adapters one small mutation at a time and runs the tests that cover each change; a mutant no
 * test notices ("survived") is behaviour nobody checks.
 *
 * The domain alone (the goal there is at least 85%):
 *   npx stryker run --mutate 'src/domain/**\/*.ts'
 * Reports: reports/mutation/mutation.html (open in a browser) and reports/mutation/mutation.json.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
// Tests run in a copy of the repository under .stryker-tmp/, where `{repoRoot}/../shared/ado-spec`
// (the Azure DevOps REST spec the adapter tests read) would resolve to nothing: pin it here.
process.env.ADO_SPEC_DIR ??= path.resolve(root, '../shared/ado-spec');
// The random-fault-schedule property (test/reliability/fault-injection.test.ts) runs 1000
// schedules under `npm test`; per mutant, 60 are plenty, and keep the run within hours, not days.
process.env.FAULT_RUNS ??= '60';

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
  // The CDK synthesis tests exercise infra/, not the domain or the adapters, and take most of a run's time.
  testFiles: ['test/{adapters,config,domain,reliability,contracts}/**/*.test.ts'],
  mutate: [
    'src/domain/**/*.ts',
    'src/adapters/**/*.ts',
    // Re-export barrels: no behaviour of their own.
    '!src/adapters/**/index.ts',
  ],
  // Each mutant runs only the tests that executed it during the initial run.
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) force a full reload and every test: not worth it here.
  ignoreStatic: true,
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
