import { describe, expect, it } from 'vitest';
import { buildUseCases } from '../../src/domain/use-cases/index.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { FakeWorld } from '../../local/fakes/world.js';

const start = (world: FakeWorld): RotationState => ({
  rotationId: world.newRotationId(),
  targetName: 'target-1',
  mode: 'rotate',
  startedAt: world.clock.now().toISOString(),
  completed: [],
  warnings: [],
});

describe('Overlapping runs', () => {
  it('refuses a second execution for the same target while the first is rotating, and changes nothing', async () => {
    // Arrange: the weekly run has created its key and pending version, and is verifying it.
    const world = new FakeWorld();
    const steps = buildUseCases(world.ports);
    let weekly = await steps.plan.execute(start(world));
    weekly = await steps.cleanup.execute(weekly);
    weekly = await steps.create.execute(weekly);
    const during = world.snapshot();

    // Act: a manual run starts now.
    const manual = await steps.plan.execute(start(world));

    // Assert: it refuses, naming the other rotation, and nothing changed.
    expect(manual.plan?.action).toBe('refuse');
    expect(manual.plan?.code).toBe('RotationInProgressError');
    expect(manual.plan?.reason).toContain(weekly.rotationId);
    expect(world.snapshot()).toEqual(during);

    // And the weekly run finishes normally.
    for (const step of [steps.verifyKey, steps.publish, steps.verifyPublish, steps.promote, steps.revoke]) {
      world.clock.advance(5_000);
      weekly = await step.execute(weekly);
    }
    expect(world.violations()).toEqual([]);
  });

  it('lets only one of two concurrent runs rotate', async () => {
    const world = new FakeWorld({ propagationMs: 3_000 });
    const runner = world.runner();

    const [a, b] = await Promise.all([
      runner.run({ mode: 'rotate', targetNames: ['target-1'], newRotationId: () => world.newRotationId() }),
      runner.run({ mode: 'rotate', targetNames: ['target-1'], newRotationId: () => world.newRotationId() }),
    ]);

    const outcomes = [a.summary.targets[0]?.outcome, b.summary.targets[0]?.outcome].sort();
    expect(outcomes).toContain('rotated');
    expect(outcomes.filter((o) => o === 'rotated')).toHaveLength(1);
    expect(world.violations()).toEqual([]);
  });

  it('cleans up after an aborted run once its pending version is older than the in-progress timeout', async () => {
    const world = new FakeWorld();
    const steps = buildUseCases(world.ports);
    let aborted = await steps.plan.execute(start(world));
    aborted = await steps.create.execute(aborted);
    world.clock.advance(3 * 60 * 60_000);

    const { summary } = await world
      .runner()
      .run({ mode: 'rotate', targetNames: ['target-1'], newRotationId: () => world.newRotationId() });

    expect(summary.targets[0]?.outcome).toBe('rotated');
    expect(world.snapshot().keys.map((k) => k.accessKeyId)).not.toContain(aborted.newAccessKeyId);
    expect(world.violations()).toEqual([]);
  });
});
