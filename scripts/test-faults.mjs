// `npm run test:faults -- --runs 100000 [--wire-runs N] [--seed N] [--only in-process|wire]`: the fault
// properties with more schedules. Both run by default: the in-process one (fakes, `--runs`, default 10,000)
// and the wire-level one (wire stubs, the Azure DevOps stand-in behind a fault proxy, the synthesized state
// machine; `--wire-runs`, default a fiftieth of `--runs`, at least 20: it is about 200 times slower per schedule).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    'wire-runs': { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
  },
});
if (values.only && !['in-process', 'wire'].includes(values.only)) {
  console.error(`--only must be in-process or wire, not ${values.only}`);
  process.exit(2);
}
const wireRuns = values['wire-runs'] ?? String(Math.max(20, Math.floor(Number(values.runs) / 50)));
const files = [
  ...(values.only === 'wire' ? [] : ['test/reliability/fault-injection.test.ts']),
  ...(values.only === 'in-process' ? [] : ['test/reliability/wire-faults.test.ts']),
];
const env = {
  ...process.env,
  FAULT_RUNS: values.runs,
  WIRE_FAULT_RUNS: wireRuns,
  ...(values.seed ? { FAULT_SEED: values.seed } : {}),
};
const result = spawnSync('vitest', ['run', ...files, '--testTimeout', '0'], { stdio: 'inherit', env, shell: false });
process.exit(result.status ?? 1);
