/**
 * The behaviour every `PipelineRunsPort` must have, run against the real adapter over the HTTP
 * stand-in and against the in-memory fake (test/adapters/azure-devops/holder-ports.contract.test.ts).
 * A run's result depends on whether the key its holder holds works, as for a real pipeline
 * running `aws sts get-caller-identity`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AzureDevOpsNotAuthorizedError, CanaryPipelineNotFoundError } from '../../src/domain/errors.js';
import type { CanaryPipelineRef } from '../../src/domain/holders.js';
import type { PipelineRunsPort } from '../../src/ports/pipeline-runs.port.js';

export interface PipelineSeed {
  name: string;
  /** The key the pipeline's holder holds. */
  key: { accessKeyId: string; secretAccessKey: string };
  readsToComplete?: number;
  outcome?: 'check' | 'canceled' | 'never-completes';
}

export interface PipelineRunsHarness {
  port: PipelineRunsPort;
  organizationUrl: string;
  credentialParameter: string;
  /** Seeds a holder holding `seed.key` and a pipeline using it; returns the pipeline id. */
  seedPipeline(project: string, seed: PipelineSeed): number;
  /** Keys that authenticate (id → secret); any other key fails. */
  workingKeys: Map<string, string>;
  denyExecute(): void;
  /** How many runs of the pipeline exist. */
  runCount(pipelineId: number): number;
  close?(): Promise<void>;
}

const KEY = { accessKeyId: 'AKIACANARY00000001', secretAccessKey: 'canary/Secret+Key0123456789abcdefghijklm' };

export function pipelineRunsContract(
  label: string,
  makeHarness: () => PipelineRunsHarness | Promise<PipelineRunsHarness>,
): void {
  describe(`PipelineRunsPort contract: ${label}`, () => {
    let harness: PipelineRunsHarness;
    let ref: (pipelineId: number) => CanaryPipelineRef;

    beforeEach(async () => {
      harness = await makeHarness();
      ref = (pipelineId) => ({
        organizationUrl: harness.organizationUrl,
        project: 'Web',
        pipelineId,
        credentialParameter: harness.credentialParameter,
      });
    });

    afterEach(async () => {
      await harness.close?.();
    });

    it('reads the pipeline, and refuses an unknown one with CanaryPipelineNotFoundError', async () => {
      // Prepare
      const id = harness.seedPipeline('Web', { name: 'aws-canary', key: KEY });

      // Act
      const pipeline = await harness.port.readPipeline(ref(id));
      const missing = await harness.port.readPipeline(ref(id + 100)).catch((e: unknown) => e);

      // Assess
      expect(pipeline).toEqual({ id, name: 'aws-canary' });
      expect(missing).toBeInstanceOf(CanaryPipelineNotFoundError);
    });

    it('queues a run in progress that succeeds when the key its holder holds works', async () => {
      // Prepare
      harness.workingKeys.set(KEY.accessKeyId, KEY.secretAccessKey);
      const id = harness.seedPipeline('Web', { name: 'aws-canary', key: KEY, readsToComplete: 2 });

      // Act
      const queued = await harness.port.queueRun(ref(id));
      const first = await harness.port.readRun(ref(id), queued.runId);
      const second = await harness.port.readRun(ref(id), queued.runId);

      // Assess
      expect(queued).toMatchObject({ state: 'inProgress', result: null });
      expect(queued.webUrl).toContain(`buildId=${queued.runId}`);
      expect(first).toMatchObject({ runId: queued.runId, state: 'inProgress', result: null });
      expect(second).toMatchObject({ runId: queued.runId, state: 'completed', result: 'succeeded' });
    });

    it('fails a run whose key does not work', async () => {
      // Prepare
      const id = harness.seedPipeline('Web', { name: 'aws-canary', key: KEY });

      // Act
      const queued = await harness.port.queueRun(ref(id));
      const done = await harness.port.readRun(ref(id), queued.runId);

      // Assess
      expect(done).toMatchObject({ state: 'completed', result: 'failed' });
    });

    it('reports a cancelled run, and a run that never completes', async () => {
      // Prepare
      harness.workingKeys.set(KEY.accessKeyId, KEY.secretAccessKey);
      const cancelled = harness.seedPipeline('Web', { name: 'cancelled', key: KEY, outcome: 'canceled' });
      const stuck = harness.seedPipeline('Web', { name: 'stuck', key: KEY, outcome: 'never-completes' });

      // Act
      const a = await harness.port.queueRun(ref(cancelled));
      const b = await harness.port.queueRun(ref(stuck));
      const cancelledRun = await harness.port.readRun(ref(cancelled), a.runId);
      await harness.port.readRun(ref(stuck), b.runId);
      const stuckRun = await harness.port.readRun(ref(stuck), b.runId);

      // Assess
      expect(cancelledRun).toMatchObject({ state: 'completed', result: 'canceled' });
      expect(stuckRun).toMatchObject({ state: 'inProgress', result: null });
    });

    it(
      'refuses to queue with AzureDevOpsNotAuthorizedError naming the Build (Read & execute) scope when the ' +
        'credential lacks it',
      async () => {
        // Prepare
        const id = harness.seedPipeline('Web', { name: 'aws-canary', key: KEY });
        harness.denyExecute();

        // Act
        const error = await harness.port.queueRun(ref(id)).catch((e: unknown) => e);
        const check = await harness.port.checkCanQueue(ref(id)).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(AzureDevOpsNotAuthorizedError);
        expect((error as Error).message).toContain('Build (Read & execute)');
        expect(check).toBeInstanceOf(AzureDevOpsNotAuthorizedError);
        expect((check as Error).message).toContain('Build (Read & execute)');
      },
    );

    it('reports the last run of the pipeline, or none before the first', async () => {
      // Prepare
      harness.workingKeys.set(KEY.accessKeyId, KEY.secretAccessKey);
      const id = harness.seedPipeline('Web', { name: 'aws-canary', key: KEY });

      // Act
      const none = await harness.port.lastRun(ref(id));
      const first = await harness.port.queueRun(ref(id));
      await harness.port.readRun(ref(id), first.runId);
      const second = await harness.port.queueRun(ref(id));
      const last = await harness.port.lastRun(ref(id));

      // Assess
      expect(none).toBeNull();
      expect(last).toMatchObject({ runId: second.runId, state: 'inProgress', result: null });
      expect(second.runId).not.toBe(first.runId);
    });

    it('checks that the credential may queue the pipeline without queueing a run', async () => {
      // Prepare
      const id = harness.seedPipeline('Web', { name: 'aws-canary', key: KEY });

      // Act
      await harness.port.checkCanQueue(ref(id));
      const missing = await harness.port.checkCanQueue(ref(id + 100)).catch((e: unknown) => e);

      // Assess: no run was created (the next queued run is the first one read back)
      const queued = await harness.port.queueRun(ref(id));
      expect(harness.runCount(id)).toBe(1);
      expect(queued.state).toBe('inProgress');
      expect(missing).toBeInstanceOf(CanaryPipelineNotFoundError);
    });
  });
}
