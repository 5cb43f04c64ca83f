// `npm run test:faults -- --runs 100000 [--seed N]`: the fault-injection property with more schedules.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string' } } });
const env = { ...process.env, FAULT_RUNS: values.runs, ...(values.seed ? { FAULT_SEED: values.seed } : {}) };
const result = spawnSync('vitest', ['run', 'test/reliability/fault-injection.test.ts', '--testTimeout', '0'], {
  stdio: 'inherit',
  env,
  shell: false,
});
process.exit(result.status ?? 1);
