/**
 * An Azure DevOps identity blocked for longer than a call's budget (429, TF400733, a long
 * Retry-After): before the publish the rotation is refused and nothing changes; after it, the
 * rollback waits for the block to pass (RATE_LIMITED_RETRY) and puts every holder back on the old
 * key. Real adapters over the stand-in, the runner the CLI uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createContainer } from '../../src/composition-root.js';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/lifecycle/retry.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { ALL_WIRING } from '../../src/wiring/index.js';
import { FAST_ADO_CLIENT, type Rig, startRig } from './support/rig.js';
import { AZURE_DEVOPS_CLIENT_OPTIONS } from '../../src/adapters/azure-devops/service-connection.adapter.js';

const BLOCKED = {
  status: 429,
  headers: { 'retry-after': '3600', 'x-ratelimit-resource': 'Core:TSTU', 'x-ratelimit-remaining': '0' },
  body: {
    message: "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core'.",
    typeKey: 'RequestBlockedException',
  },
};

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('A blocked Azure DevOps identity', () => {
  it('refuses at the plan, naming the block, and changes nothing', async () => {
    // Prepare
    rig = await startRig({ secrets: 'fake' });
    rig.ado.failNext('*', BLOCKED);
    const before = rig.snapshot();

    // Act
    const { report } = await rig.run('rotate');

    // Assess
    expect(report.outcome).toBe('refused');
    expect(report.reasonCode).toBe('AzureDevOpsRateLimitedError');
    expect(report.summary).toContain('asked to wait 3600 s');
    expect(report.summary).toContain('Core:TSTU');
    expect(rig.mutations()).toEqual([]);
    expect(rig.snapshot()).toEqual(before);
  });

  it('after the publish, rolls every holder back once the block has passed', async () => {
    // Prepare: blocked for 90 s (beyond a call's 60 s budget) at the verify-publish read and once more; the
    // client on the runner's clock, as the state machine's waits would move it
    rig = await startRig({ secrets: 'fake' });
    const { ado, overrides, connectionId, oldAccessKeyId, world } = rig;
    overrides.set(AZURE_DEVOPS_CLIENT_OPTIONS, {
      ...FAST_ADO_CLIENT,
      now: () => world.clock.now().getTime(),
      sleep: async (ms: number) => world.clock.advance(ms),
    });
    const real = createContainer(ALL_WIRING, overrides).get<{ execute(s: RotationState): Promise<RotationState> }>(
      TOKENS.VerifyPublish,
    );
    overrides.set(TOKENS.VerifyPublish, {
      execute: (state: RotationState) => {
        ado.failNext('GET', { ...BLOCKED, headers: { ...BLOCKED.headers, 'retry-after': '90' }, times: 2 });
        return real.execute(state);
      },
    });
    const sleepsBefore = rig.world.clock.sleeps.length;

    // Act
    const { report } = await rig.run('rotate');

    // Assess
    expect(report.outcome).toBe('rolled-back');
    expect(report.failure).toMatchObject({ step: 'verify-publish', name: 'AzureDevOpsRateLimitedError' });
    expect(ado.requests.filter((r) => r.status === 429)).toHaveLength(2);
    expect(ado.connection(connectionId)?.accessKeyId).toBe(oldAccessKeyId);
    const keys = rig.world.iam.keys(rig.target.iamUserName);
    expect(keys.map((k) => k.accessKeyId)).toEqual([oldAccessKeyId]);
    // The rollback waited in the runner (Step Functions: a Retry interval) for the block to pass.
    expect(rig.world.clock.sleeps.slice(sleepsBefore)).toContain(DEFAULT_RETRY_POLICY.rateLimited.initialDelayMs);
  });
});
