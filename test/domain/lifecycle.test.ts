import { describe, expect, it } from 'vitest';
import {
  AwsThrottledError,
  AzureDevOpsUnavailableError,
  KeyVerificationFailedError,
  PublishNotVerifiedError,
} from '../../src/domain/errors.js';
import { FakeWorld } from '../../local/fakes/world.js';

const rotate = async (
  world: FakeWorld,
  mode: 'rotate' | 'emergency' | 'dry-run' = 'rotate',
  targetNames = ['target-1'],
) => world.runner().run({ mode, targetNames, newRotationId: () => world.newRotationId() });

describe('Class: RotationRunner', () => {
  describe('Method: run (happy path)', () => {
    it('publishes a verified new key in place, promotes it and deactivates the old key', async () => {
      // Arrange
      const world = new FakeWorld({ propagationMs: 5_000 });
      const before = world.snapshot();

      // Act
      const { summary } = await rotate(world);

      // Assert
      const after = world.snapshot();
      const report = summary.targets[0];
      expect(report?.outcome).toBe('rotated');
      expect(after.connectionId).toBe(before.connectionId);
      expect(after.connectionKeyId).not.toBe(before.connectionKeyId);
      expect(after.secretCurrentKeyId).toBe(after.connectionKeyId);
      expect(after.keys.find((k) => k.accessKeyId === before.connectionKeyId)?.status).toBe('Inactive');
      expect(world.violations()).toEqual([]);
    });

    it('retries verification until the new key has propagated', async () => {
      const world = new FakeWorld({ propagationMs: 5_000 });

      const { summary } = await rotate(world);

      expect(summary.targets[0]?.outcome).toBe('rotated');
      expect(world.verifier.attempts).toBeGreaterThan(1);
      // Short polls while a key usually propagates: 1 s, then 1.1 s, 1.21 s...
      expect(world.clock.sleeps.slice(0, 3)).toEqual([1_000, 1_100, 1_210]);
    });

    it('sends one summary for a run over many targets', async () => {
      const world = new FakeWorld({ targets: 3 });

      const { summary } = await rotate(world, 'rotate', ['target-1', 'target-2', 'target-3']);

      expect(summary.targets.map((t) => t.outcome)).toEqual(['rotated', 'rotated', 'rotated']);
      expect(world.notifier.sent).toHaveLength(1);
      expect(world.metrics.outcomes).toHaveLength(3);
    });

    it('does nothing when re-run in the same week', async () => {
      const world = new FakeWorld();
      await rotate(world);
      const after = world.snapshot();

      const { summary } = await rotate(world);

      expect(summary.targets[0]?.outcome).toBe('skipped');
      expect(world.snapshot()).toEqual(after);
    });

    it('deletes the retired key at the next scheduled run, before creating a new one', async () => {
      const world = new FakeWorld();
      const first = world.snapshot().connectionKeyId;
      await rotate(world);
      world.clock.advanceDays(7);

      const { summary } = await rotate(world);

      expect(summary.targets[0]?.outcome).toBe('rotated');
      const keys = world.snapshot().keys;
      expect(keys.map((k) => k.accessKeyId)).not.toContain(first);
      expect(keys).toHaveLength(2);
      expect(world.violations()).toEqual([]);
    });

    it('deletes the old key at once in emergency mode', async () => {
      const world = new FakeWorld({ keyAgeDays: 1 });
      const old = world.snapshot().connectionKeyId;

      const { summary } = await rotate(world, 'emergency');

      expect(summary.targets[0]?.outcome).toBe('rotated');
      expect(summary.targets[0]?.oldKeyStatus).toBe('Deleted');
      expect(world.snapshot().keys.map((k) => k.accessKeyId)).not.toContain(old);
      expect(world.violations()).toEqual([]);
    });

    it('changes nothing in dry-run mode', async () => {
      const world = new FakeWorld();
      const before = world.snapshot();

      const { summary } = await rotate(world, 'dry-run');

      expect(summary.targets[0]?.outcome).toBe('planned');
      expect(summary.targets[0]?.summary).toContain('would rotate');
      expect(world.snapshot()).toEqual(before);
    });

    it('creates the secret on the first rotation when it does not exist', async () => {
      const world = new FakeWorld({ targets: 0 });
      const target = world.addTarget('fresh');
      // Remove the seeded secret: a target adopted for the first time has none.
      (world.secrets as unknown as { secrets: Map<string, unknown> }).secrets.delete(target.secretId);

      const { summary } = await rotate(world, 'rotate', ['fresh']);

      expect(summary.targets[0]?.outcome).toBe('rotated');
      expect(summary.targets[0]?.warnings.join(' ')).toContain('does not exist yet');
      expect(world.violations('fresh')).toEqual([]);
    });
  });

  describe('Method: run (failures)', () => {
    const failures: Array<{ call: string; error: () => Error; times: number; step: string; skip?: number }> = [
      { call: 'iam.createKey', error: () => new AwsThrottledError('Rate exceeded'), times: 5, step: 'create' },
      {
        call: 'verifier.verify',
        error: () => new KeyVerificationFailedError('rejected'),
        times: 1,
        step: 'verify-key',
      },
      { call: 'ado.updateCredential', error: () => new AzureDevOpsUnavailableError('503'), times: 5, step: 'publish' },
      {
        call: 'ado.readConnection',
        error: () => new PublishNotVerifiedError('holds the old key'),
        times: 1,
        step: 'verify-publish',
      },
      { call: 'secrets.promote', error: () => new AwsThrottledError('Rate exceeded'), times: 5, step: 'promote' },
    ];

    for (const f of failures) {
      it(`rolls back to the old key when ${f.step} fails`, async () => {
        // Arrange
        const world = new FakeWorld();
        const before = world.snapshot();
        world.faults.fail(f.call, f.error, { times: f.times, skip: f.skip ?? 0 });

        // Act
        const { summary } = await rotate(world);

        // Assert
        const report = summary.targets[0];
        expect(report?.outcome).toBe('rolled-back');
        expect(report?.failure?.step).toBe(f.step);
        const after = world.snapshot();
        expect(after.connectionKeyId).toBe(before.connectionKeyId);
        expect(after.connectionSecret).toBe(before.connectionSecret);
        expect(after.keys.map((k) => k.accessKeyId)).toEqual(before.keys.map((k) => k.accessKeyId));
        expect(world.violations()).toEqual([]);
      });
    }

    it('restores the connection to the old key when the publish failed after its side effect', async () => {
      const world = new FakeWorld();
      const before = world.snapshot();
      world.faults.fail('ado.updateCredential', () => new AzureDevOpsUnavailableError('timeout after the PUT'), {
        phase: 'after',
        times: 3,
      });

      const { summary } = await rotate(world);

      expect(summary.targets[0]?.outcome).toBe('rolled-back');
      expect(summary.targets[0]?.rolledBack.join(' ')).toContain('restored the connection');
      expect(world.snapshot().connectionKeyId).toBe(before.connectionKeyId);
      expect(world.violations()).toEqual([]);
    });

    it('rolls back when the new key never verifies within the retry budget', async () => {
      const world = new FakeWorld({ propagationMs: 10 * 60_000 });

      const { summary } = await rotate(world);

      expect(summary.targets[0]?.outcome).toBe('rolled-back');
      expect(summary.targets[0]?.failure?.name).toBe('KeyNotYetUsableError');
      expect(world.verifier.attempts).toBe(21);
      const waited = world.clock.sleeps.reduce((a, b) => a + b, 0);
      expect(waited).toBeGreaterThan(50_000);
      expect(waited).toBeLessThan(60_000);
      expect(world.violations()).toEqual([]);
    });

    it('reports a revoke failure as a warning, not a rollback', async () => {
      const world = new FakeWorld();
      world.faults.fail('iam.setKeyStatus', () => new AwsThrottledError('Rate exceeded'), { times: 5 });

      const { summary } = await rotate(world);

      const report = summary.targets[0];
      expect(report?.outcome).toBe('rotated');
      expect(report?.warnings.join(' ')).toContain('could not be retired');
      expect(world.violations('target-1', { final: false })).toEqual([]);
    });

    it('lets one target fail without stopping the others', async () => {
      const world = new FakeWorld({ targets: 2 });
      world.faults.fail('iam.createKey', () => new KeyVerificationFailedError('boom'), { times: 1 });

      const { summary } = await rotate(world, 'rotate', ['target-1', 'target-2']);

      expect(summary.targets.map((t) => t.outcome).sort()).toEqual(['rolled-back', 'rotated']);
    });

    it('reports a refusal without changing anything', async () => {
      const world = new FakeWorld();
      world.azureDevOps.connection(world.snapshot().connectionId).usesOidc = true;
      const before = world.snapshot();

      const { summary } = await rotate(world);

      expect(summary.targets[0]?.outcome).toBe('refused');
      expect(summary.targets[0]?.reasonCode).toBe('ConnectionUsesOidcError');
      expect(world.snapshot()).toEqual(before);
    });

    it('never fails a rotation because Slack failed, and counts the failure', async () => {
      const world = new FakeWorld();
      world.notifier.breakWebhook();

      const { summary, notification } = await rotate(world);

      expect(summary.targets[0]?.outcome).toBe('rotated');
      expect(notification.notified).toBe(false);
      expect(world.metrics.notificationFailures).toBe(1);
    });
  });
});
