import { AzureDevOpsNotAuthorizedError, CanaryPipelineNotFoundError } from '../../src/domain/errors.js';
import type { CanaryPipelineRef, PipelineRunState } from '../../src/domain/holders.js';
import type { PipelineRunsPort } from '../../src/ports/pipeline-runs.port.js';
import { FaultInjector } from './faults.js';

/** What a fake pipeline's run uses: a function returning the key id and secret its holder holds now. */
export type RunKeySource = () => { accessKeyId: string | null; secretAccessKey: string | null };
/** Whether a key works (the IAM fake's `authenticates`). */
export type RunKeyCheck = (accessKeyId: string, secretAccessKey: string) => boolean;

export interface FakePipeline {
  organizationUrl: string;
  project: string;
  id: number;
  name: string;
  uses: RunKeySource;
  /** Reads before a run completes (default 1). */
  readsToComplete?: number;
  outcome?: 'check' | 'canceled' | 'never-completes';
}

interface FakeRun {
  runId: number;
  pipelineId: number;
  key: { accessKeyId: string | null; secretAccessKey: string | null };
  state: PipelineRunState['state'];
  result: PipelineRunState['result'];
  reads: number;
}

const normalizeOrg = (url: string) => url.replace(/\/+$/, '').toLowerCase();

/**
 * Azure Pipelines in memory, like the stand-in: a run captures the key its holder holds when it
 * is queued and completes after `readsToComplete` reads, succeeding only if that key works then.
 */
export class FakePipelineRuns implements PipelineRunsPort {
  private readonly pipelines: FakePipeline[] = [];
  private readonly runs: FakeRun[] = [];
  private readonly faults: FaultInjector;
  private readonly check: RunKeyCheck;
  private nextRunId = 501;
  executeDenied = false;

  constructor(options: { check: RunKeyCheck; faults?: FaultInjector }) {
    this.check = options.check;
    this.faults = options.faults ?? new FaultInjector();
  }

  seedPipeline(pipeline: FakePipeline): number {
    this.pipelines.push(pipeline);
    return pipeline.id;
  }

  /** Every run of a pipeline (key ids only), oldest first. */
  runsOf(pipelineId: number): { runId: number; accessKeyId: string | null; state: string; result: string | null }[] {
    return this.runs
      .filter((r) => r.pipelineId === pipelineId)
      .map((r) => ({ runId: r.runId, accessKeyId: r.key.accessKeyId, state: r.state, result: r.result }));
  }

  async readPipeline(ref: CanaryPipelineRef): Promise<{ id: number; name: string }> {
    return this.faults.around('pipelines.readPipeline', () => {
      const pipeline = this.pipeline(ref);
      return { id: pipeline.id, name: pipeline.name };
    }, [ref]);
  }

  async checkCanQueue(ref: CanaryPipelineRef): Promise<void> {
    return this.faults.around('pipelines.checkCanQueue', () => {
      this.pipeline(ref);
      if (this.executeDenied) {
        throw new AzureDevOpsNotAuthorizedError(
          `Azure DevOps refused to queue a run of pipeline ${ref.pipelineId} with HTTP 401; the credential in ` +
            `parameter ${ref.credentialParameter} needs the "Build (Read & execute)" scope`,
        );
      }
    }, [ref]);
  }

  async lastRun(ref: CanaryPipelineRef): Promise<PipelineRunState | null> {
    return this.faults.around('pipelines.lastRun', () => {
      const pipeline = this.pipeline(ref);
      const run = this.runs.filter((r) => r.pipelineId === pipeline.id).at(-1);
      return run ? this.view(run, ref) : null;
    }, [ref]);
  }

  async queueRun(ref: CanaryPipelineRef): Promise<PipelineRunState> {
    return this.faults.around('pipelines.queueRun', () => {
      const pipeline = this.pipeline(ref);
      if (this.executeDenied) {
        throw new AzureDevOpsNotAuthorizedError(
          `Azure DevOps refused to queue a run of pipeline ${ref.pipelineId} with HTTP 401; the credential in ` +
            `parameter ${ref.credentialParameter} needs the "Build (Read & execute)" scope`,
        );
      }
      const run: FakeRun = {
        runId: this.nextRunId++,
        pipelineId: pipeline.id,
        key: { ...pipeline.uses() },
        state: 'inProgress',
        result: null,
        reads: 0,
      };
      this.runs.push(run);
      return this.view(run, ref);
    }, [ref]);
  }

  async readRun(ref: CanaryPipelineRef, runId: number): Promise<PipelineRunState> {
    return this.faults.around('pipelines.readRun', () => {
      const pipeline = this.pipeline(ref);
      const run = this.runs.find((r) => r.runId === runId && r.pipelineId === pipeline.id);
      if (!run) throw new CanaryPipelineNotFoundError(`run ${runId} of pipeline ${ref.pipelineId} was not found`);
      run.reads++;
      if (
        run.state === 'inProgress' &&
        run.reads >= (pipeline.readsToComplete ?? 1) &&
        pipeline.outcome !== 'never-completes'
      ) {
        run.state = 'completed';
        const { accessKeyId, secretAccessKey } = run.key;
        const works = accessKeyId !== null && secretAccessKey !== null && this.check(accessKeyId, secretAccessKey);
        run.result = pipeline.outcome === 'canceled' ? 'canceled' : works ? 'succeeded' : 'failed';
      }
      return this.view(run, ref);
    }, [ref, runId]);
  }

  private pipeline(ref: CanaryPipelineRef): FakePipeline {
    const found = this.pipelines.find(
      (p) =>
        p.id === ref.pipelineId &&
        normalizeOrg(p.organizationUrl) === normalizeOrg(ref.organizationUrl) &&
        p.project.toLowerCase() === ref.project.toLowerCase(),
    );
    if (!found)
      throw new CanaryPipelineNotFoundError(
        `no pipeline with id ${ref.pipelineId} in project "${ref.project}" of ${ref.organizationUrl}; check ` +
          `the canary's pipelineId`,
      );
    return found;
  }

  private view(run: FakeRun, ref: CanaryPipelineRef): PipelineRunState {
    return {
      runId: run.runId,
      name: `20261129.${run.runId}`,
      state: run.state,
      result: run.result,
      webUrl:
        `${ref.organizationUrl.replace(/\/+$/, '')}/` +
        `${encodeURIComponent(ref.project)}/_build/results?buildId=${run.runId}`,
    };
  }
}
