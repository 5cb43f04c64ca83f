/**
 * A 600-target fleet under the Step Functions quota model, through the synthesized definition
 * (bench/fleet.ts, what `npm run bench:fleet` runs at 10,000): a regression in payload size,
 * history events, lost reports or the projected time shows here at once. It asserts counts and
 * quota figures with margin, never local timings (CI machines are shared).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type FleetResult, measureFleet } from '../../bench/fleet.js';
import { fleetChecks } from '../../bench/fleet-run.js';
import { expectedTargetMs } from '../../infra/execution-time.js';

const TARGETS = 600;
const MAX_CONCURRENCY = 40;

describe('Bench: a 600-target fleet under the quota model', () => {
  let fleet: FleetResult;

  beforeAll(async () => {
    fleet = await measureFleet({ targets: TARGETS, maxConcurrency: MAX_CONCURRENCY });
  }, 180_000);

  it('rotates every target, none lost or unreported, each consistent', () => {
    // Assess
    expect(fleet.status).toBe('SUCCEEDED');
    expect(fleet.outcomes).toEqual({ rotated: TARGETS });
    expect(fleet.lost).toBe(0);
    expect(fleet.unreported).toBe(0);
    expect(fleet.allConsistent).toBe(true);
    expect(fleet.quotas.childExecutions).toBe(TARGETS);
    expect(Object.values(fleetChecks(fleet)).every(Boolean)).toBe(true);
  });

  it("keeps the parent's history and payload flat: far under the quotas, whatever the fleet size", () => {
    // Assess: the parent writes a fixed number of events (the Map is one state), its payloads stay small.
    const parent = fleet.quotas.parent;
    expect(parent.historyEvents.value).toBeLessThan(40);
    expect(parent.largestPayloadBytes.value).toBeLessThan(2_048);
    expect(parent.historyEvents.percentOfLimit).toBeLessThan(1);
    expect(parent.largestPayloadBytes.percentOfLimit).toBeLessThan(1);
  });

  it("keeps every child's history and payload under the quotas with a wide margin", () => {
    // Assess: a rotation writes about 50 events and carries about 1 KB.
    const child = fleet.quotas.largestChild;
    expect(child.historyEvents.value).toBeGreaterThan(40);
    expect(child.historyEvents.value).toBeLessThan(250);
    expect(child.largestPayloadBytes.value).toBeLessThan(8_192);
    expect(child.historyEvents.percentOfLimit).toBeLessThan(1);
    expect(child.largestPayloadBytes.percentOfLimit).toBeLessThan(5);
  });

  it('counts transitions and invocations per target as one rotation makes them', () => {
    // Assess: 9 Lambda steps and 3 choices per target, verify-key retried a few times while the key
    // propagates (each retry one more invocation and one more billed transition); notify once for the run.
    const retries = fleet.perTarget.retries;
    expect(retries).toBeGreaterThan(0.5);
    expect(retries).toBeLessThan(5);
    expect(fleet.perTarget.invocationsByStep['verify-key']).toBeCloseTo(1 + retries, 2);
    expect(fleet.perTarget.lambdaInvocations).toBeCloseTo(9 + retries + 1 / TARGETS, 2);
    expect(fleet.perTarget.stateTransitions).toBeCloseTo(12 + retries + 5 / TARGETS, 2);
    expect(fleet.cost.weeklyUsd.total).toBeGreaterThan(0);
  });

  it('projects the wall time as the children over MaxConcurrency slots, inside the deployed timeout', () => {
    // Assess: 15 waves of 40 children, each a rotation (a few verify-key retries more or less than the model).
    const waves = Math.ceil(TARGETS / MAX_CONCURRENCY);
    expect(fleet.time.projectedMs.expected).toBeGreaterThan(waves * (expectedTargetMs() - 2_000));
    expect(fleet.time.projectedMs.expected).toBeLessThan(waves * (expectedTargetMs() + 6_000) + 10_000);
    expect(fleet.time.projectedMs.high).toBeLessThan(fleet.time.timeoutSeconds * 1000);
  });
});
