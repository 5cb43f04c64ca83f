import { AzureDevOpsHttpClient } from '../../../src/adapters/azure-devops/http-client.js';
/**
 * The pipeline runs adapter over the stand-in, held to Microsoft's pipelines 7.1 spec: what it
 * sends, that a queue request is never repeated after an answer that may have been lost, and a
 * stand-in whose answers are valid `Run` bodies.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AzureDevOpsRequestError, AzureDevOpsUnavailableError } from '../../../src/domain/errors.js';
import type { CanaryPipelineRef } from '../../../src/domain/holders.js';
import { AzureDevOpsPipelineRunsAdapter } from '../../../src/adapters/azure-devops/pipeline-runs.adapter.js';
import { type AdoStandIn, startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { ServiceEndpointSpec } from './support/ado-spec.js';
import { FakeSecureParameters, virtualTime } from './support/test-kit.js';

const PAT = 'stand-in-pat-0123456789abcdefghijklmnopqrstuvwxyz012345';
const PAT_PARAMETER = '/rotator/ado/pat';
const KEY = { accessKeyId: 'AKIACANARY00000001', secretAccessKey: 'canary/Secret+Key0123456789abcdefghijklm' };
const spec = new ServiceEndpointSpec('pipelines_7.1_pipelines.json');

let ado: AdoStandIn;
let ref: CanaryPipelineRef;

function adapter() {
  const time = virtualTime();
  const port = new AzureDevOpsPipelineRunsAdapter(
    new AzureDevOpsHttpClient(new FakeSecureParameters({ [PAT_PARAMETER]: PAT }), undefined, undefined, {
      sleep: time.sleep,
      now: time.now,
      random: () => 0.5,
    }),
  );
  return { port, time };
}

beforeEach(async () => {
  ado = await startAdoStandIn({
    pat: PAT,
    organizations: ['fabrikam'],
    keyCheck: (id, secret) => id === KEY.accessKeyId && secret === KEY.secretAccessKey,
  });
  const organizationUrl = ado.organizationUrl('fabrikam');
  const connectionId = ado.seedConnection({ organizationUrl, project: 'Web', connectionName: 'aws-prod' }, KEY);
  const pipelineId = ado.seedPipeline(
    { organizationUrl, project: 'Web' },
    { name: 'aws-canary', uses: { connectionId } },
  );
  ref = { organizationUrl, project: 'Web', pipelineId, branch: 'refs/heads/main', credentialParameter: PAT_PARAMETER };
});

afterEach(async () => {
  await ado.close();
});

describe('Class: AzureDevOpsPipelineRunsAdapter', () => {
  it(
    'sends Pipelines_Get, Runs_Run Pipeline and Runs_Get as the 7.1 spec defines them, and reads valid ' + 'Run bodies',
    async () => {
      // Prepare
      const { port } = adapter();

      // Act
      await port.readPipeline(ref);
      const queued = await port.queueRun(ref);
      const done = await port.readRun(ref, queued.runId);

      // Assess
      const checks = ado.requests.map((r) =>
        spec.checkRequest({ method: r.method, url: `${ado.url}${r.url}`, body: r.body }, ref.organizationUrl),
      );
      expect(checks.map((c) => c.operationId)).toEqual(['Pipelines_Get', 'Runs_Run Pipeline', 'Runs_Get']);
      expect(checks.flatMap((c) => c.errors)).toEqual([]);
      expect(ado.requests[1]?.body).toEqual({ resources: { repositories: { self: { refName: 'refs/heads/main' } } } });
      expect(done).toEqual({
        runId: queued.runId,
        name: expect.any(String),
        state: 'completed',
        result: 'succeeded',
        webUrl: `${ref.organizationUrl}/Web/_build/results?buildId=${queued.runId}`,
      });
      expect(ado.pipelineRuns(ref.pipelineId)).toEqual([
        expect.objectContaining({ accessKeyId: KEY.accessKeyId, result: 'succeeded' }),
      ]);
    },
  );

  it('answers with bodies valid against the Run schema', async () => {
    // Prepare
    const { port } = adapter();
    const queued = await port.queueRun(ref);

    // Act
    const response = await fetch(
      `${ado.url}/fabrikam/Web/_apis/pipelines/${ref.pipelineId}/runs/${queued.runId}?api-version=7.1`,
      {
        headers: { Authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}` },
      },
    );

    // Assess
    expect(spec.checkDefinition('Run', await response.json(), 'response')).toEqual([]);
  });

  it('does not queue a second run when the first answer was a 500 that may have gone through', async () => {
    // Prepare
    ado.failNext('POST', { status: 500 });
    const { port } = adapter();

    // Act
    const error = await port.queueRun(ref).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AzureDevOpsRequestError);
    expect(ado.requestCount({ method: 'POST' })).toBe(1);
  });

  it('retries a queue request that was throttled (429: not processed), honouring Retry-After', async () => {
    // Prepare
    ado.throttleNext(1, 2);
    const { port, time } = adapter();

    // Act
    const queued = await port.queueRun(ref);

    // Assess
    expect(queued.state).toBe('inProgress');
    expect(time.sleeps).toEqual([2000]);
    expect(ado.pipelineRuns(ref.pipelineId)).toHaveLength(1);
  });

  it('gives up on a queue request after a lost answer instead of repeating it', async () => {
    // Prepare
    const failingFetch = async () => {
      throw new TypeError('fetch failed');
    };
    const port = new AzureDevOpsPipelineRunsAdapter(
      new AzureDevOpsHttpClient(new FakeSecureParameters({ [PAT_PARAMETER]: PAT }), failingFetch, undefined, {
        ...virtualTime(),
        random: () => 0.5,
      }),
    );

    // Act
    const error = await port.queueRun(ref).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AzureDevOpsUnavailableError);
    expect((error as Error).message).toContain('after 1 attempts');
  });
});
