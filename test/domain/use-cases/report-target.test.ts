/**
 * Use case ReportTarget (src/domain/use-cases/report-target.ts), which turns a target's final state into its
 * report: its guards and messages, one branch at a time, over the in-memory world: what it refuses (exact error,
 * message and context), what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { AwsCallFailedError } from '../../../src/domain/errors.js';
import { ReportTarget } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { start } from './support.js';

describe('Use case: ReportTarget', () => {
  it('reports an unknown target with placeholder connection details, and records its metrics', async () => {
    const world = new FakeWorld();
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(
      start(world, {
        targetName: 'nope',
        plan: { action: 'refuse', reason: 'r', code: 'UnknownTargetError', cleanup: [] },
      }),
    );

    expect(report).toMatchObject({
      targetName: 'nope',
      connectionName: '(unknown target)',
      project: '',
      organizationUrl: '',
      outcome: 'refused',
    });
    expect(world.metrics.outcomes).toEqual([report]);
    expect(world.metrics.flushes).toBe(1);
  });

  it('reports a known target with its connection details', async () => {
    const world = new FakeWorld();
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(
      start(world, { plan: { action: 'skip', reason: 'r', cleanup: [] } }),
    );

    expect(report).toMatchObject({
      connectionName: 'aws-target-1',
      project: 'payments',
      organizationUrl: 'https://dev.azure.com/contoso',
    });
  });

  it('names every holder of a key held in several places, the first connection first', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { connections: 1, groups: 1 });

    // Act
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(
      start(world, { plan: { action: 'skip', reason: 'r', cleanup: [] } }),
    );

    // Assess
    expect(report.holders).toEqual([
      'connection "aws-target-1" in project "payments"',
      'connection "aws-target-1-1" in project "payments"',
      'variable group "aws-target-1-1" in project "payments"',
    ]);
  });

  it('names no holders for a key only the connection holds', async () => {
    const world = new FakeWorld();
    const report = await new ReportTarget(world.targets, world.metrics, world.clock).execute(
      start(world, { plan: { action: 'skip', reason: 'r', cleanup: [] } }),
    );

    expect(report).not.toHaveProperty('holders');
  });

  it('throws when the targets cannot be read for another reason', async () => {
    const world = new FakeWorld();
    const targets = { ...world.targets, getTarget: async () => Promise.reject(new AwsCallFailedError('boom')) };

    await expect(new ReportTarget(targets as never, world.metrics, world.clock).execute(start(world))).rejects.toThrow(
      AwsCallFailedError,
    );
    expect(world.metrics.outcomes).toEqual([]);
  });
});
