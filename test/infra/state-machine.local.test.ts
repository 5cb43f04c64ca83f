import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../src/adapters/observability/logger.js';
import {
  AwsCallFailedError,
  AzureDevOpsRequestError,
  KeyVerificationFailedError,
  RollbackFailedError,
  type RotationError,
} from '../../src/domain/errors.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { FakeWorld } from '../../local/fakes/world.js';
import {
  type AslDefinition,
  allStates,
  runInWorld,
  runStateMachineLocally,
  worldDefinition,
} from '../../local/local-state-machine.js';

/** Calls that change IAM, a secret or a connection: a dry run makes none of them. */
const MUTATING_CALLS = [
  'iam.createKey',
  'iam.deleteKey',
  'iam.setKeyStatus',
  'secrets.putPending',
  'secrets.promote',
  'secrets.dropPending',
  'ado.updateCredential',
];

const daysAgo = (world: FakeWorld, days: number) => new Date(world.clock.now().getTime() - days * 86_400_000);

// The definition only names the targets it defaults to; every world below has target-1..target-3.
let definition: AslDefinition;
beforeAll(() => {
  definition = worldDefinition(new FakeWorld({ targets: 3 }));
  // The handlers log every step; the assertions below say what matters.
  logger.setLogLevel('SILENT');
});
afterAll(() => logger.setLogLevel('INFO'));

describe('State machine: run locally with the real handlers', () => {
  it('overrides every task, so nothing calls AWS (a task without a local handler is refused)', async () => {
    const tasks = allStates(definition)
      .filter(([, s]) => s.Type === 'Task')
      .map(([name]) => name)
      .sort();
    // `write given targets` is an S3 putObject the local run answers from its S3 stand-in.
    expect(tasks).toEqual([
      'canary',
      'check-canary',
      'cleanup',
      'create',
      'notify',
      'plan',
      'promote',
      'publish',
      'report',
      'revoke',
      'rollback',
      'verify-key',
      'verify-publish',
      'write given targets',
    ]);
    await expect(runStateMachineLocally({ definition, handlers: {}, input: { mode: 'dry-run' } })).rejects.toThrow(
      /no local handler for task state\(s\) plan/,
    );
  });

  it('rotates every configured target on the happy path and sends one summary', async () => {
    const world = new FakeWorld({ targets: 3 });
    const before = world.snapshot('target-2');
    const run = await runInWorld(world, { definition, input: { mode: 'rotate' } });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.reports.map((r) => [r.targetName, r.outcome])).toEqual([
      ['target-1', 'rotated'],
      ['target-2', 'rotated'],
      ['target-3', 'rotated'],
    ]);
    for (const name of ['target-1', 'target-2', 'target-3']) expect(world.violations(name)).toEqual([]);
    const after = world.snapshot('target-2');
    expect(after.connectionKeyId).toBe(run.report('target-2').newAccessKeyId);
    expect(after.connectionKeyId).not.toBe(before.connectionKeyId);
    expect(after.connectionId).toBe(before.connectionId);
    expect(world.notifier.sent).toHaveLength(1);
    expect(world.notifier.sent[0]?.targets.map((t) => t.outcome)).toEqual(['rotated', 'rotated', 'rotated']);
    expect(world.notifier.sent[0]?.executionId).toBe(run.executionId);
    expect(run.output).toMatchObject({ mode: 'rotate', notification: { notified: true } });
  });

  it('records the run as a timeline of entered, exited and retried states', async () => {
    const world = new FakeWorld({ targets: 1 });
    const run = await runInWorld(world, { definition, input: { mode: 'rotate', targets: ['target-1'] } });
    const exited = run.events.filter((e) => e.type === 'StateExited').map((e) => e.stateName);
    expect(exited).toEqual([
      'check input',
      'given targets',
      'write given targets',
      'plan',
      'rotate or repair?',
      'cleanup',
      'repair only?',
      'create',
      'verify-key',
      'publish',
      'verify-publish',
      // A target without a canary pipeline passes the choice and enters no canary state.
      'canary?',
      'promote',
      'revoke',
      'report',
      'rotate each target',
      'notify',
    ]);
    const plan = run.events.find((e) => e.type === 'StateExited' && e.stateName === 'plan');
    expect(plan).toMatchObject({ targetName: 'target-1', mapIndex: 0 });
    expect(plan?.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('retries verify-key until the new key authenticates on its third try', async () => {
    // 2 s pass between task invocations; the new key needs 5 s: tries at +2 s and +4 s fail, +6 s works.
    const world = new FakeWorld({ targets: 1, propagationMs: 5_000 });
    const run = await runInWorld(world, {
      definition,
      input: { mode: 'rotate', targets: ['target-1'] },
      secondsBetweenTasks: 2,
    });

    expect(run.report('target-1').outcome).toBe('rotated');
    expect(world.verifier.attempts).toBe(3);
    const retries = run.events.filter((e) => e.type === 'StateRetried');
    expect(retries.map((e) => [e.stateName, e.retryAttempt])).toEqual([
      ['verify-key', 1],
      ['verify-key', 2],
    ]);
    const failures = run.events.filter((e) => e.type === 'StateFailed').map((e) => e.error);
    expect(failures).toEqual(['KeyNotYetUsableError', 'KeyNotYetUsableError']);
  });

  describe('rolls back a failure at each mutating step and reports it', () => {
    const cases: Array<{ step: RotationState['completed'][number]; setup: (world: FakeWorld) => RotationError }> = [
      {
        step: 'cleanup',
        setup: (world) => {
          // A retired key past its grace period gives the cleanup something to delete.
          world.iam.seedKey(world.target().iamUserName, {
            status: 'Inactive',
            createdAt: daysAgo(world, 30),
            lastUsedAt: daysAgo(world, 20),
          });
          const error = new AwsCallFailedError('IAM answered 500 to DeleteAccessKey');
          world.faults.fail('iam.deleteKey', () => error);
          return error;
        },
      },
      {
        step: 'create',
        setup: (world) =>
          failNext(world, 'iam.createKey', new AwsCallFailedError('IAM answered 500 to CreateAccessKey')),
      },
      {
        step: 'verify-key',
        setup: (world) =>
          failNext(world, 'verifier.verify', new KeyVerificationFailedError('STS rejected the new key')),
      },
      {
        step: 'publish',
        setup: (world) =>
          failNext(world, 'ado.updateCredential', new AzureDevOpsRequestError('Azure DevOps answered 400')),
      },
      {
        step: 'verify-publish',
        setup: (world) =>
          failNext(world, 'ado.readConnection', new AzureDevOpsRequestError('Azure DevOps answered 400')),
      },
      {
        step: 'promote',
        setup: (world) => failNext(world, 'secrets.promote', new AwsCallFailedError('Secrets Manager answered 500')),
      },
    ];

    it.each(cases)('$step', async ({ step, setup }) => {
      const world = new FakeWorld({ targets: 1 });
      const before = world.snapshot();
      const error = setup(world);
      const run = await runInWorld(world, { definition, input: { mode: 'rotate', targets: ['target-1'] } });

      expect(run.status).toBe('SUCCEEDED');
      const report = run.report('target-1');
      expect(report.outcome).toBe('rolled-back');
      expect(report.failure).toMatchObject({ step, name: error.name });
      expect(report.failure?.message).toContain(error.message);
      expect(report.rolledBack.length).toBeGreaterThan(0);
      expect(
        run.events.some((e) => e.type === 'StateCaught' && e.stateName === step && e.caughtBy === `${step} failed`),
      ).toBe(true);
      expect(run.events.some((e) => e.type === 'StateExited' && e.stateName === 'rollback')).toBe(true);
      // Put back as it was: the connection and the secret hold the old key, which is active, and no new key is left.
      const after = world.snapshot();
      expect(after.connectionKeyId).toBe(before.connectionKeyId);
      expect(after.secretCurrentKeyId).toBe(before.connectionKeyId);
      expect(after.keys.filter((k) => k.status === 'Active').map((k) => k.accessKeyId)).toEqual([
        before.connectionKeyId,
      ]);
      expect(world.violations()).toEqual([]);
    });
  });

  it('keeps rotating the other targets when one fails', async () => {
    const world = new FakeWorld({ targets: 3 });
    const run = await runInWorld(world, {
      definition,
      input: { mode: 'rotate' },
      // target-2's publish Lambda fails; the others' run normally, in the same Map.
      wrap: (h) => ({
        publish: async (input) => {
          if ((input as RotationState).targetName === 'target-2')
            throw new AzureDevOpsRequestError('Azure DevOps answered 500 for target-2');
          return h.publish(input);
        },
      }),
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.reports.map((r) => [r.targetName, r.outcome])).toEqual([
      ['target-1', 'rotated'],
      ['target-2', 'rolled-back'],
      ['target-3', 'rotated'],
    ]);
    for (const name of ['target-1', 'target-2', 'target-3']) expect(world.violations(name)).toEqual([]);
    expect(world.notifier.sent[0]?.targets.map((t) => t.outcome)).toEqual(['rotated', 'rolled-back', 'rotated']);
  });

  it('changes nothing in a dry run', async () => {
    const world = new FakeWorld({ targets: 3 });
    const snapshots = () => ['target-1', 'target-2', 'target-3'].map((name) => world.snapshot(name));
    const before = snapshots();
    const run = await runInWorld(world, { definition, input: { mode: 'dry-run' } });

    expect(run.reports.map((r) => r.outcome)).toEqual(['planned', 'planned', 'planned']);
    expect(run.reports[0]?.summary).toMatch(/^Dry run: would rotate/);
    expect(snapshots()).toEqual(before);
    expect(world.faults.calls.filter((c) => MUTATING_CALLS.includes(c))).toEqual([]);
    expect(run.events.some((e) => e.stateName === 'cleanup' || e.stateName === 'create')).toBe(false);
  });

  it('does nothing when a finished execution is started again with the same input', async () => {
    const world = new FakeWorld({ targets: 3 });
    const snapshots = () => ['target-1', 'target-2', 'target-3'].map((name) => world.snapshot(name));
    const first = await runInWorld(world, { definition, input: { mode: 'rotate' } });
    expect(first.reports.map((r) => r.outcome)).toEqual(['rotated', 'rotated', 'rotated']);
    const afterFirst = snapshots();
    const callsBefore = world.faults.calls.length;

    const second = await runInWorld(world, { definition, input: { mode: 'rotate' } });
    expect(second.reports.map((r) => r.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(snapshots()).toEqual(afterFirst);
    expect(world.faults.calls.slice(callsBefore).filter((c) => MUTATING_CALLS.includes(c))).toEqual([]);
  });

  it('treats a failed revoke as a warning, keeping the warnings already there', async () => {
    const world = new FakeWorld({ targets: 1 });
    world.faults.fail('iam.setKeyStatus', () => new AwsCallFailedError('IAM answered 500 to UpdateAccessKey'));
    const run = await runInWorld(world, {
      definition,
      input: { mode: 'rotate', targets: ['target-1'] },
      wrap: (h) => ({
        plan: async (input) => ({ ...((await h.plan(input)) as RotationState), warnings: ['first', 'second'] }),
      }),
    });

    const report = run.report('target-1');
    expect(report.outcome).toBe('rotated');
    expect(report.failure).toBeNull();
    // The same sentence the runner's report gives: the old key's id, the error's name and message.
    expect(report.warnings).toEqual([
      'first',
      'second',
      `the old key ${report.oldAccessKeyId} could not be retired (AwsCallFailedError: IAM answered 500 to ` +
        `UpdateAccessKey); it is still active, and the next run retires it`,
    ]);
    expect(run.events.some((e) => e.stateName === 'rollback')).toBe(false);
    expect(world.snapshot().connectionKeyId).toBe(report.newAccessKeyId);
  });

  it('reports a failed rollback as failed, saying where it stopped', async () => {
    const world = new FakeWorld({ targets: 1 });
    failNext(world, 'ado.updateCredential', new AzureDevOpsRequestError('Azure DevOps answered 400'));
    const run = await runInWorld(world, {
      definition,
      input: { mode: 'rotate', targets: ['target-1'] },
      wrap: () => ({
        rollback: async () => {
          throw new RollbackFailedError('could not restore the connection');
        },
      }),
    });

    const report = run.report('target-1');
    expect(report.outcome).toBe('failed');
    expect(report.failure).toMatchObject({ step: 'publish', name: 'AzureDevOpsRequestError' });
    expect(report.rolledBack).toEqual([expect.stringContaining('stopped: RollbackFailedError')]);
    expect(world.notifier.sent[0]?.targets[0]?.outcome).toBe('failed');
  });

  it('reports a failed plan without rolling back (nothing was changed)', async () => {
    const world = new FakeWorld({ targets: 1 });
    failNext(world, 'iam.listKeys', new AwsCallFailedError('IAM answered 500 to ListAccessKeys'));
    const run = await runInWorld(world, { definition, input: { mode: 'rotate', targets: ['target-1'] } });

    expect(run.report('target-1').failure).toMatchObject({ step: 'plan', name: 'AwsCallFailedError' });
    expect(run.events.some((e) => e.stateName === 'rollback')).toBe(false);
    expect(world.faults.calls.filter((c) => MUTATING_CALLS.includes(c))).toEqual([]);
  });

  it('still reports a target whose report step fails, so the Map and the summary complete', async () => {
    const world = new FakeWorld({ targets: 2 });
    const run = await runInWorld(world, {
      definition,
      input: { mode: 'dry-run' },
      wrap: (h) => ({
        report: async (input) => {
          if ((input as RotationState).targetName === 'target-1') throw new AwsCallFailedError('report crashed');
          return h.report(input);
        },
      }),
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.report('target-1')).toMatchObject({
      outcome: 'failed',
      reasonCode: 'AwsCallFailedError',
      summary: expect.stringContaining('The report step failed'),
    });
    expect(run.report('target-2').outcome).toBe('planned');
    expect(world.notifier.sent).toHaveLength(1);
  });

  it('rotates only the targets the input names', async () => {
    const world = new FakeWorld({ targets: 3 });
    const run = await runInWorld(world, { definition, input: { mode: 'rotate', targets: ['target-3'] } });
    expect(run.reports.map((r) => [r.targetName, r.outcome])).toEqual([['target-3', 'rotated']]);
    expect(world.faults.calls.filter((c) => c === 'iam.createKey')).toHaveLength(1);
  });

  it.each([{}, { mode: 'rotate-now' }, { mode: 7 }])(
    'fails an execution whose input is invalid (%j), before any task',
    async (input) => {
      const world = new FakeWorld({ targets: 1 });
      const run = await runInWorld(world, { definition, input });
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('InvalidStepInputError');
      expect(world.faults.calls).toEqual([]);
    },
  );
});

function failNext(world: FakeWorld, call: string, error: RotationError): RotationError {
  world.faults.fail(call, () => error);
  return error;
}
