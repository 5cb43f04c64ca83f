/**
 * The canary pipeline (issue 13): after verify-publish a run of the target's canary pipeline is
 * queued and polled between waits; the old key is retired only after it succeeded, and a failed,
 * cancelled or timed-out run rolls every holder back. Through the in-process runner (the CLI's).
 */
import { describe, expect, it } from 'vitest';
import { CANARY_POLICY } from '../../src/domain/canary.js';
import type { RunEvent } from '../../src/domain/runner.js';
import { FakeWorld } from '../../local/fakes/world.js';

const run = async (world: FakeWorld) => {
  const events: RunEvent[] = [];
  const result = await world.runner().run({
    mode: 'rotate',
    targetNames: ['target-1'],
    newRotationId: () => world.newRotationId(),
    onEvent: (e) => events.push(e),
  });
  // Each step once per run of it (a retry starts a step again; a poll runs check-canary again).
  const steps = events
    .filter((e) => e.type === 'step-succeeded' || e.type === 'step-failed')
    .map((e) => (e as { step: string }).step);
  return { ...result, report: result.summary.targets[0], steps, calls: world.faults.calls };
};

describe('Canary pipeline run', () => {
  it(
    'queues the run after verify-publish, polls it between waits, and retires the old key only after it ' + 'succeeded',
    async () => {
      // Prepare
      const world = new FakeWorld();
      world.addHolders('target-1', { connections: 1, groups: 1 });
      world.addCanary('target-1', { readsToComplete: 3 });
      const oldKeyId = world.snapshot().connectionKeyId;

      // Act
      const { report, steps, calls } = await run(world);

      // Assess
      expect(report?.outcome).toBe('rotated');
      expect(steps).toEqual([
        'plan',
        'cleanup',
        'create',
        'verify-key',
        'publish',
        'verify-publish',
        'canary',
        'check-canary',
        'check-canary',
        'check-canary',
        'promote',
        'revoke',
      ]);
      // One Wait per read, on the clock (the state machine's Wait state), not inside a step.
      expect(world.clock.sleeps.filter((ms) => ms === CANARY_POLICY.pollSeconds * 1000)).toHaveLength(3);
      // The old key is deactivated (iam.setKeyStatus) once, after the last read of the succeeded run.
      expect(calls.filter((c) => c === 'iam.setKeyStatus')).toHaveLength(1);
      expect(calls.indexOf('iam.setKeyStatus')).toBeGreaterThan(calls.lastIndexOf('pipelines.readRun'));
      const [queued] = world.pipelineRuns.runsOf(42);
      expect(queued).toMatchObject({ accessKeyId: report?.newAccessKeyId, state: 'completed', result: 'succeeded' });
      expect(world.snapshot().keys.find((k) => k.accessKeyId === oldKeyId)?.status).toBe('Inactive');
      expect(report?.canary).toMatchObject({
        pipelineId: 42,
        runId: queued?.runId,
        outcome: 'succeeded',
        webUrl: expect.stringContaining(`buildId=${queued?.runId}`),
      });
      expect(world.violations()).toEqual([]);
    },
  );

  it('rolls every holder back when the run fails, and the report names the run with its link', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { connections: 1, groups: 1 });
    // The pipeline authenticates with the new key id but a secret that does not match: the run fails.
    const connectionId = world.connectionIds.get('target-1') as string;
    world.addCanary('target-1', {
      uses: () => ({
        accessKeyId: world.azureDevOps.connection(connectionId).accessKeyId,
        secretAccessKey: 'not-the-secret',
      }),
    });
    const before = world.snapshot();

    // Act
    const { report, steps } = await run(world);

    // Assess
    expect(report?.outcome).toBe('rolled-back');
    expect(report?.failure).toMatchObject({ step: 'check-canary', name: 'CanaryRunFailedError' });
    expect(report?.failure?.message).toMatch(
      new RegExp(
        'canary run .* \\(#501\\) of pipeline 42: failed — ' +
          'https://dev\\.azure\\.com/contoso/payments/_build/results\\?buildId=501',
      ),
    );
    expect(report?.canary).toMatchObject({ runId: 501, outcome: 'failed' });
    expect(steps).not.toContain('promote');
    expect(steps).not.toContain('revoke');
    const after = world.snapshot();
    expect(after.connectionKeyId).toBe(before.connectionKeyId);
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([before.connectionKeyId, before.connectionKeyId]);
    expect(after.keys.map((k) => [k.accessKeyId, k.status])).toEqual([[before.connectionKeyId, 'Active']]);
    expect(world.violations()).toEqual([]);
  });

  it('rolls back a cancelled run, and says it was cancelled', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1', { outcome: 'canceled' });
    const before = world.snapshot();

    // Act
    const { report } = await run(world);

    // Assess
    expect(report?.outcome).toBe('rolled-back');
    expect(report?.canary?.outcome).toBe('canceled');
    expect(world.snapshot().connectionKeyId).toBe(before.connectionKeyId);
    expect(world.violations()).toEqual([]);
  });

  it('rolls every holder back when the run does not complete within its budget', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { groups: 1 });
    world.addCanary('target-1', { outcome: 'never-completes' });
    const before = world.snapshot();

    // Act
    const { report, steps } = await run(world);

    // Assess
    expect(report?.outcome).toBe('rolled-back');
    expect(report?.failure).toMatchObject({ step: 'check-canary', name: 'CanaryRunTimedOutError' });
    expect(report?.failure?.message).toContain(`budget ${CANARY_POLICY.budgetSeconds} s`);
    expect(report?.canary?.outcome).toBe('timed out');
    expect(steps.filter((s) => s === 'check-canary')).toHaveLength(
      CANARY_POLICY.budgetSeconds / CANARY_POLICY.pollSeconds,
    );
    expect(world.snapshot().connectionKeyId).toBe(before.connectionKeyId);
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([before.connectionKeyId]);
    expect(world.violations()).toEqual([]);
  });

  it('refuses, changing nothing, when the canary pipeline cannot be read', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    world.targets.replace({
      ...target,
      canary: {
        organizationUrl: target.connection.organizationUrl,
        project: 'payments',
        pipelineId: 7,
        credentialParameter: '/p',
      },
    });
    const before = world.snapshot();

    // Act
    const { report, steps } = await run(world);

    // Assess
    expect(report?.outcome).toBe('refused');
    expect(report?.reasonCode).toBe('CanaryPipelineNotFoundError');
    expect(steps).toEqual(['plan']);
    expect(world.snapshot()).toEqual(before);
  });

  it('refuses at the plan, changing nothing, when the credential may read but not queue the pipeline', async () => {
    // Prepare: "Build (Read)" only: the pipeline reads, a run cannot be queued
    const world = new FakeWorld();
    world.addHolders('target-1', { connections: 1, groups: 1 });
    world.addCanary('target-1');
    world.pipelineRuns.executeDenied = true;
    const before = world.snapshot();

    // Act
    const { report, steps, calls } = await run(world);

    // Assess
    expect(report?.outcome).toBe('refused');
    expect(report?.reasonCode).toBe('AzureDevOpsNotAuthorizedError');
    expect(report?.summary).toContain('Build (Read & execute)');
    expect(steps).toEqual(['plan']);
    expect(calls).toContain('pipelines.checkCanQueue');
    expect(calls).not.toContain('pipelines.queueRun');
    expect(world.snapshot()).toEqual(before);
  });

  it('runs no canary step for a target without a canary', async () => {
    // Prepare
    const world = new FakeWorld();

    // Act
    const { report, steps } = await run(world);

    // Assess
    expect(report?.outcome).toBe('rotated');
    expect(steps).toEqual([
      'plan',
      'cleanup',
      'create',
      'verify-key',
      'publish',
      'verify-publish',
      'promote',
      'revoke',
    ]);
    expect(world.faults.calls.filter((c) => c.startsWith('pipelines.'))).toEqual([]);
    expect(report).not.toHaveProperty('canary');
  });
});
