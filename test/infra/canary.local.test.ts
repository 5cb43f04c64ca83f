/**
 * The canary states of the synthesized state machine, run locally with the real handlers
 * (aws-local-stepfunctions; every Wait set to zero, the fake clock moved between tasks): the Wait
 * and check-canary loop, the rollback of every holder, and parity with the in-process runner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../src/adapters/observability/logger.js';
import { CANARY_POLICY } from '../../src/domain/canary.js';
import { CHOICES, WAITS } from '../../src/domain/lifecycle/lifecycle.js';
import type { RunEvent } from '../../src/domain/runner.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { type AslDefinition, allStates, runInWorld, worldDefinition } from '../../local/local-state-machine.js';

let definition: AslDefinition;
beforeAll(() => {
  definition = worldDefinition(new FakeWorld({ targets: 1 }));
  logger.setLogLevel('SILENT');
});
afterAll(() => logger.setLogLevel('INFO'));

const TASKS = new Set([
  'plan',
  'cleanup',
  'create',
  'verify-key',
  'publish',
  'verify-publish',
  'canary',
  'check-canary',
  'promote',
  'revoke',
  'rollback',
]);
const rotateOne = { mode: 'rotate', targets: ['target-1'] };

/** The task states a local run left, in order (a state is exited once, after its retries, caught or not). */
const tasksOf = (events: { type: string; stateName?: string }[]) =>
  events.filter((e) => e.type === 'StateExited' && e.stateName && TASKS.has(e.stateName)).map((e) => e.stateName);

/** The same target in the in-process runner: the steps it ran, in order. */
async function runnerSteps(world: FakeWorld): Promise<string[]> {
  const events: RunEvent[] = [];
  await world.runner().run({
    mode: 'rotate',
    targetNames: ['target-1'],
    newRotationId: () => world.newRotationId(),
    onEvent: (e) => events.push(e),
  });
  return events
    .filter((e) => e.type === 'step-succeeded' || e.type === 'step-failed')
    .map((e) => (e as { step: string }).step);
}

describe('State machine: the canary pipeline run, locally', () => {
  it('waits in a Wait state between reads of the run (no Lambda sleeps) and loops back while it runs', () => {
    const states = Object.fromEntries(allStates(definition));
    expect(states[WAITS.canary]).toMatchObject({
      Type: 'Wait',
      Seconds: CANARY_POLICY.pollSeconds,
      Next: 'check-canary',
    });
    expect(states['check-canary']).toMatchObject({ Type: 'Task', Next: CHOICES.canaryDone });
    expect(states[CHOICES.canaryDone]).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.state.canary.state', StringEquals: 'completed', Next: 'promote' }],
      Default: WAITS.canary,
    });
    expect(states[CHOICES.canary]).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.state.canary', IsPresent: true, Next: 'canary' }],
      Default: 'promote',
    });
  });

  it('rotates three holders once the canary run succeeded, the same steps as the runner', async () => {
    // Prepare
    const setUp = () => {
      const world = new FakeWorld({ targets: 1 });
      world.addHolders('target-1', { connections: 1, groups: 1 });
      world.addCanary('target-1', { readsToComplete: 2 });
      return world;
    };
    const world = setUp();
    const before = world.snapshot();

    // Act
    const run = await runInWorld(world, { definition, input: rotateOne });
    const inProcess = await runnerSteps(setUp());

    // Assess
    expect(run.report('target-1').outcome).toBe('rotated');
    expect(run.report('target-1').canary).toMatchObject({ runId: 501, outcome: 'succeeded' });
    const tasks = tasksOf(run.events);
    expect(tasks.slice(tasks.indexOf('verify-publish'))).toEqual([
      'verify-publish',
      'canary',
      'check-canary',
      'check-canary',
      'promote',
      'revoke',
    ]);
    expect(run.events.filter((e) => e.type === 'StateExited' && e.stateName === WAITS.canary)).toHaveLength(2);
    expect(tasks).toEqual(inProcess);
    expect(world.snapshot().keys.find((k) => k.accessKeyId === before.connectionKeyId)?.status).toBe('Inactive');
    expect(world.violations()).toEqual([]);
  });

  it('rolls every holder back when the canary run fails, the same steps as the runner', async () => {
    // Prepare
    const setUp = () => {
      const world = new FakeWorld({ targets: 1 });
      world.addHolders('target-1', { connections: 1, groups: 1 });
      const id = world.connectionIds.get('target-1') as string;
      world.addCanary('target-1', {
        uses: () => ({ accessKeyId: world.azureDevOps.connection(id).accessKeyId, secretAccessKey: 'wrong' }),
      });
      return world;
    };
    const world = setUp();
    const before = world.snapshot();

    // Act
    const run = await runInWorld(world, { definition, input: rotateOne });
    const inProcess = await runnerSteps(setUp());

    // Assess
    const report = run.report('target-1');
    expect(report.outcome).toBe('rolled-back');
    expect(report.failure).toMatchObject({ step: 'check-canary', name: 'CanaryRunFailedError' });
    expect(report.failure?.message).toContain('_build/results?buildId=501');
    expect(report.canary).toMatchObject({ runId: 501, outcome: 'failed' });
    expect(tasksOf(run.events)).toEqual(inProcess);
    expect(inProcess.slice(-2)).toEqual(['check-canary', 'rollback']);
    expect(world.snapshot().connectionKeyId).toBe(before.connectionKeyId);
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([before.connectionKeyId, before.connectionKeyId]);
    expect(world.violations()).toEqual([]);
  });

  it('rolls back when the run does not complete within its budget', async () => {
    // Prepare: 5 simulated minutes pass per task, so the 30-minute budget runs out after a few reads.
    const world = new FakeWorld({ targets: 1 });
    world.addHolders('target-1', { groups: 1 });
    world.addCanary('target-1', { outcome: 'never-completes' });
    const before = world.snapshot();

    // Act
    const run = await runInWorld(world, { definition, input: rotateOne, secondsBetweenTasks: 300 });

    // Assess
    const report = run.report('target-1');
    expect(report.outcome).toBe('rolled-back');
    expect(report.failure).toMatchObject({ step: 'check-canary', name: 'CanaryRunTimedOutError' });
    expect(report.canary?.outcome).toBe('timed out');
    expect(tasksOf(run.events).filter((t) => t === 'check-canary').length).toBeGreaterThan(1);
    expect(world.snapshot().connectionKeyId).toBe(before.connectionKeyId);
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([before.connectionKeyId]);
    expect(world.violations()).toEqual([]);
  });
});
