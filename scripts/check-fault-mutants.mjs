// `npm run test:faults:mutants`: proves the fault property (not only the example tests) kills the two
// mutations issue 17 names. For each one it changes the source in place, runs the in-process property, expects
// it to FAIL (printing fast-check's seed and counterexample), and puts the source back (also on Ctrl-C).
//   1. a first-rotation rollback that skips promoting the secret (roll-back.ts, rollForward);
//   2. a clean-up that promotes a pending version it should drop (clean-up-keys.ts, 'drop-pending').
// Options: --runs N (default 1000), --seed N.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' }, seed: { type: 'string' } } });

const MUTANTS = [
  {
    name: 'first-rotation rollback skips promoting the secret',
    file: 'src/domain/use-cases/roll-back.ts',
    from: 'await this.secrets.promote(target.secretId, state.pendingVersionId ?? state.rotationId);',
    to: '/* mutant: no promote */',
  },
  {
    name: 'clean-up promotes the pending version it should drop',
    file: 'src/domain/use-cases/clean-up-keys.ts',
    from: 'await this.secrets.dropPending(target.secretId, action.versionId);',
    to: 'await this.secrets.promote(target.secretId, action.versionId);',
  },
];

let restore;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    restore?.();
    process.exit(130);
  });
}

let survived = 0;
for (const mutant of MUTANTS) {
  const original = readFileSync(mutant.file, 'utf8');
  if (original.split(mutant.from).length !== 2) {
    console.error(`✖ ${mutant.file} no longer contains (exactly once): ${mutant.from}\n  update this script`);
    process.exit(2);
  }
  restore = () => writeFileSync(mutant.file, original);
  writeFileSync(mutant.file, original.replace(mutant.from, mutant.to));
  try {
    console.log(`::: mutant: ${mutant.name} (${mutant.file})`);
    const result = spawnSync(
      'vitest',
      ['run', 'test/reliability/fault-injection.test.ts', '-t', 'random fault schedules', '--reporter=dot'],
      {
        encoding: 'utf8',
        env: { ...process.env, FAULT_RUNS: values.runs, ...(values.seed ? { FAULT_SEED: values.seed } : {}) },
      },
    );
    const output = `${result.stdout}${result.stderr}`;
    const found = output.match(/\{ seed: (-?\d+), path: "([^"]*)"/);
    const example = output.match(/Counterexample: (.*)/);
    const broken = output.match(/broken invariants:\n([^\n]*)/);
    if (result.status !== 0 && found) {
      console.log(`  killed: seed ${found[1]}, path ${found[2]}`);
      if (broken) console.log(`  ${broken[1].trim()}`);
      if (example) console.log(`  counterexample: ${example[1].slice(0, 400)}`);
    } else {
      survived++;
      console.log(`  ✖ SURVIVED: the property passed with this mutant (status ${result.status})`);
    }
  } finally {
    restore();
    restore = undefined;
  }
}
process.exit(survived === 0 ? 0 : 1);
