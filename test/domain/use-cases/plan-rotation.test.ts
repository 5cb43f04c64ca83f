/**
 * Use case PlanRotation (src/domain/use-cases/plan-rotation.ts), which plans a target: rotate, repair, skip or
 * refuse: its guards and messages, one branch at a time, over the in-memory world: what it refuses (exact error,
 * message and context), what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { AwsCallFailedError, UnknownTargetError } from '../../../src/domain/errors.js';
import { LEAKED_KEY_NOT_HELD } from '../../../src/domain/leak.js';
import { buildUseCases, PlanRotation } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { start } from './support.js';

describe('Use case: PlanRotation', () => {
  it('records the connection, the held key and the current secret version', async () => {
    // Prepare
    const world = new FakeWorld();
    const before = world.snapshot();

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state).toMatchObject({
      connectionId: before.connectionId,
      oldAccessKeyId: before.connectionKeyId,
      oldVersionId: before.secretVersions[0]?.versionId,
      completed: ['plan'],
      warnings: [],
    });
  });

  it('records as the old version the one its clean-up makes current again (a rollback stopped half-way)', async () => {
    // Prepare: a rollback put the old key back into the connection and stopped before the secret.
    const world = new FakeWorld();
    const target = world.target();
    const oldVersion = world.snapshot().secretVersions[0]?.versionId;
    const created = await world.iam.createKey(target.iamUserName);
    const newVersion = '22222222-2222-4222-8222-222222222222';
    await world.secrets.putPending(target.secretId, newVersion, { ...created, iamUserName: target.iamUserName });
    await world.secrets.promote(target.secretId, newVersion);

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state.plan?.cleanup[0]).toMatchObject({ kind: 'restore-current', versionId: oldVersion });
    expect(state.oldVersionId).toBe(oldVersion);
  });

  it('records as the old version the one its clean-up promotes (an aborted run published its key)', async () => {
    // Prepare: an aborted run put key N in a pending version and into the connection, and died before promoting.
    const world = new FakeWorld();
    const target = world.target();
    const created = await world.iam.createKey(target.iamUserName);
    const pendingVersion = await world.secrets.putPending(target.secretId, '11111111-1111-4111-8111-111111111111', {
      ...created,
      iamUserName: target.iamUserName,
    });
    Object.assign(world.azureDevOps.connection(world.connectionIds.get('target-1') as string), {
      accessKeyId: created.accessKeyId,
      secretAccessKey: created.secretAccessKey.reveal(),
    });
    world.clock.advance(3 * 60 * 60_000);

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world, { mode: 'emergency' }));

    // Assess: a rollback moves AWSCURRENT back to the version holding the connection's key, not the stale one.
    expect(state.plan?.cleanup[0]).toMatchObject({ kind: 'promote-pending', versionId: pendingVersion });
    expect(state.oldVersionId).toBe(pendingVersion);
  });

  it('warns that a missing secret is created with the new key, and records no old version', async () => {
    // Prepare
    const world = new FakeWorld({ targets: 0 });
    const target = world.addTarget('target-1');
    const secrets = {
      ...world.secrets,
      describe: async () => ({ exists: false, current: null, pending: null, previous: null }),
    };
    const plan = new PlanRotation(world.targets, world.iam, secrets as never, world.azureDevOps, world.clock);

    // Act
    const state = await plan.execute(start(world, { warnings: ['earlier'] }));

    // Assess
    expect(state.oldVersionId).toBeNull();
    expect(state.warnings).toEqual([
      'earlier',
      `secret ${target.secretId} does not exist yet; it is created with the new key`,
    ]);
  });

  it('does not record a held key when the connection holds none', async () => {
    // Prepare
    const world = new FakeWorld({ targets: 0 });
    const target = world.addTarget('target-1');
    world.azureDevOps.connection(world.connectionIds.get('target-1') as string).accessKeyId = null;

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state.plan?.code).toBe('HeldKeyUnknownError');
    expect('oldAccessKeyId' in state).toBe(false);
    expect(target.name).toBe('target-1');
  });

  it('turns a refusal from a port into a refuse plan with its name and message', async () => {
    // Prepare
    const world = new FakeWorld();
    world.faults.fail('iam.listKeys', () => new UnknownTargetError('nope, fix it'));

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state.plan).toEqual({ action: 'refuse', reason: 'nope, fix it', code: 'UnknownTargetError', cleanup: [] });
    expect(state.completed).toEqual(['plan']);
  });

  it('throws any other error (the runner reports the plan as failed)', async () => {
    const world = new FakeWorld();
    world.faults.fail('ado.findConnection', () => new AwsCallFailedError('boom'));

    await expect(buildUseCases(world.ports).plan.execute(start(world))).rejects.toThrow(AwsCallFailedError);
  });
  it('skips a leak run target holding none of the leaked keys, naming every one of them', async () => {
    // Prepare
    const world = new FakeWorld();
    const leak = { accessKeyIds: ['AKIALEAKED0000000001', 'AKIALEAKED0000000002'], detectedAt: 'x', eventArn: null };

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world, { mode: 'emergency', leak }));

    // Assess
    expect(state.plan).toEqual({
      action: 'skip',
      reason: 'holds none of the leaked keys (AKIALEAKED0000000001, AKIALEAKED0000000002); nothing to do',
      code: LEAKED_KEY_NOT_HELD,
      cleanup: [],
    });
    expect(state.completed).toEqual(['plan']);
    expect(state.connectionId).toBe(world.connectionIds.get('target-1'));
  });

  it('names no leaked keys in the plan of a run that is not a leak run', async () => {
    // Prepare
    const world = new FakeWorld();

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state.plan?.action).toBe('rotate');
    expect(state.plan).not.toHaveProperty('leakedKeyIds');
  });

  it('leaves the canary alone, neither read nor set, when the plan does not rotate', async () => {
    // Prepare: a one-day-old key (not due), and a canary pipeline that does not exist.
    const world = new FakeWorld({ keyAgeDays: 1 });
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

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state.plan?.action).toBe('skip');
    expect(state).not.toHaveProperty('canary');
    expect(world.faults.calls.filter((c) => c.startsWith('pipelines.'))).toEqual([]);
  });

  it('sets the canary step up with its pipeline id when the plan rotates', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1', {}, 77);

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state.plan?.action).toBe('rotate');
    expect(state.canary).toEqual({ pipelineId: 77 });
  });

  it('refuses a target naming a canary when no pipeline runs client is wired, saying what to wire', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');
    const plan = new PlanRotation(world.targets, world.iam, world.secrets, world.azureDevOps, world.clock);

    // Act
    const state = await plan.execute(start(world));

    // Assess
    expect(state.plan).toEqual({
      action: 'refuse',
      reason:
        'target target-1 names a canary pipeline, but no pipeline runs client is wired; wire the azure-devops slice',
      code: 'ConfigurationError',
      cleanup: [],
    });
  });

  it('records the current version as the old one when the clean-up only drops an aborted pending version', async () => {
    // Prepare: an aborted run left a pending version whose key is gone (the first action is the drop).
    const world = new FakeWorld();
    const target = world.target();
    const current = world.snapshot().secretVersions[0]?.versionId;
    const created = await world.iam.createKey(target.iamUserName);
    const pending = await world.secrets.putPending(target.secretId, '33333333-3333-4333-8333-333333333333', {
      ...created,
      iamUserName: target.iamUserName,
    });
    await world.iam.deleteKey(target.iamUserName, created.accessKeyId);
    world.clock.advance(3 * 60 * 60_000);

    // Act
    const state = await buildUseCases(world.ports).plan.execute(start(world));

    // Assess
    expect(state.plan?.cleanup[0]).toMatchObject({ kind: 'drop-pending', versionId: pending });
    expect(state.oldVersionId).toBe(current);
  });
});
