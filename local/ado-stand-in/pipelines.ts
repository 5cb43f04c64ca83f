/**
 * The stand-in's Azure Pipelines (Pipelines REST API 7.1: `Pipelines_Get`, `Runs_Run Pipeline`,
 * `Runs_Get`), for canary runs whose result depends on the key they use, like a real pipeline
 * running `aws sts get-caller-identity`:
 *
 * - a pipeline is seeded with the holder it uses (a service connection or a variable group);
 * - a queued run captures the key that holder holds at queue time (as a job picks up its
 *   connection when it starts) and answers `inProgress`;
 * - it completes after `readsToComplete` `Runs_Get` calls: `succeeded` if the key check (a
 *   callback: the IAM fake or the STS wire stub) accepts the captured key *then*, `failed` if not;
 * - `outcome` forces `canceled` or a run that never completes (a timeout), for tests;
 * - queueing needs the "Build (Read & execute)" scope: `denyExecute()` answers 401 as Azure
 *   DevOps does for a PAT without it.
 */
import type { Reply } from './library.js';
import { vssError } from './vss.js';

export type KeyCheck = (accessKeyId: string, secretAccessKey: string) => boolean | Promise<boolean>;

/** Where a pipeline takes its key from. */
export type PipelineUses =
  | { connectionId: string }
  | { variableGroupId: number; accessKeyIdVariable: string; secretAccessKeyVariable: string };

export interface SeedPipelineInput {
  id?: number;
  name: string;
  uses: PipelineUses;
  /** Runs_Get calls before a run completes (default 1). */
  readsToComplete?: number;
  /** Default 'check': the key decides. */
  outcome?: 'check' | 'canceled' | 'never-completes';
}

export interface StoredRun {
  id: number;
  pipelineId: number;
  state: 'inProgress' | 'completed';
  result: 'succeeded' | 'failed' | 'canceled' | null;
  /** The key id the run used (never its secret). */
  accessKeyId: string | null;
  reads: number;
}

interface Pipeline extends SeedPipelineInput {
  id: number;
  organization: string;
  project: string;
}

/** Reads the key a holder holds now, secret included (the stand-in's own stores). */
export type HolderKey = (uses: PipelineUses) => { accessKeyId: string; secretAccessKey: string } | null;

export class StandInPipelines {
  private readonly pipelines = new Map<number, Pipeline>();
  private readonly runs = new Map<number, StoredRun & { secret: string | null }>();
  private nextPipelineId = 11;
  private nextRunId = 1001;
  private executeDenied = false;

  constructor(
    private readonly holderKey: HolderKey,
    private readonly check: KeyCheck,
    private readonly baseUrl: () => string,
  ) {}

  seed(organization: string, project: string, seed: SeedPipelineInput): number {
    const id = seed.id ?? this.nextPipelineId;
    this.nextPipelineId = Math.max(this.nextPipelineId, id) + 1;
    this.pipelines.set(id, { ...seed, id, organization, project });
    return id;
  }

  denyExecute(denied = true): void {
    this.executeDenied = denied;
  }

  runsOf(pipelineId: number): StoredRun[] {
    return [...this.runs.values()]
      .filter((r) => r.pipelineId === pipelineId)
      .map(({ secret: _secret, ...run }) => ({ ...run }));
  }

  /** Preview runs answered (they create no run). */
  previews = 0;

  async handle(
    method: string,
    organization: string,
    project: string,
    pipelineId: string,
    runs: boolean,
    runId: string | undefined,
    raw: string,
  ): Promise<Reply> {
    const pipeline = this.pipelines.get(Number(pipelineId));
    if (
      !pipeline ||
      pipeline.organization !== organization ||
      pipeline.project.toLowerCase() !== project.toLowerCase()
    ) {
      return [404, vssError('PipelineNotFoundException', `Pipeline with id ${pipelineId} not found.`)];
    }
    if (method === 'GET' && !runs) return [200, this.pipelineBody(pipeline)];
    if (method === 'POST' && runs && runId === undefined) {
      if (this.executeDenied) {
        return [
          401,
          vssError(
            'UnauthorizedRequestException',
            'TF400813: The user is not authorized to access this resource. The requested scope ' +
              'vso.build_execute is not granted.',
          ),
        ];
      }
      let parameters: { previewRun?: unknown };
      try {
        parameters = raw === '' ? {} : (JSON.parse(raw) as { previewRun?: unknown });
      } catch {
        return [400, vssError('InvalidRequestBodyException', 'The request body is not valid JSON.')];
      }
      // A preview run parses the pipeline's YAML and creates no run (RunPipelineParameters.previewRun).
      if (parameters?.previewRun === true) {
        this.previews += 1;
        return [200, { finalYaml: `# ${pipeline.name}\nsteps:\n- script: aws sts get-caller-identity\n` }];
      }
      const key = this.holderKey(pipeline.uses);
      const run = {
        id: this.nextRunId++,
        pipelineId: pipeline.id,
        state: 'inProgress' as const,
        result: null,
        accessKeyId: key?.accessKeyId ?? null,
        secret: key?.secretAccessKey ?? null,
        reads: 0,
      };
      this.runs.set(run.id, run);
      return [200, this.runBody(pipeline, run)];
    }
    if (method === 'GET' && runs && runId === undefined) {
      // Runs_List: the pipeline's runs, newest first (Azure DevOps answers its top 10,000).
      const value = [...this.runs.values()]
        .filter((r) => r.pipelineId === pipeline.id)
        .sort((a, b) => b.id - a.id)
        .map((r) => this.runBody(pipeline, r));
      return [200, { count: value.length, value }];
    }
    if (method === 'GET' && runs && runId !== undefined) {
      const run = this.runs.get(Number(runId));
      if (!run || run.pipelineId !== pipeline.id)
        return [404, vssError('RunNotFoundException', `Run ${runId} not found.`)];
      run.reads += 1;
      if (
        run.state === 'inProgress' &&
        run.reads >= (pipeline.readsToComplete ?? 1) &&
        pipeline.outcome !== 'never-completes'
      ) {
        const works =
          pipeline.outcome !== 'canceled' &&
          run.accessKeyId !== null &&
          run.secret !== null &&
          (await this.check(run.accessKeyId, run.secret));
        Object.assign(run, {
          state: 'completed',
          result: pipeline.outcome === 'canceled' ? 'canceled' : works ? 'succeeded' : 'failed',
        });
      }
      return [200, this.runBody(pipeline, run)];
    }
    return [405, vssError('HttpMethodNotAllowedException', `${method} is not supported here`)];
  }

  private pipelineBody(pipeline: Pipeline): Record<string, unknown> {
    const url =
      `${this.baseUrl()}/${pipeline.organization}/` +
      `${encodeURIComponent(pipeline.project)}/_apis/pipelines/${pipeline.id}?revision=1`;
    return { _links: { self: { href: url } }, url, id: pipeline.id, revision: 1, name: pipeline.name, folder: '\\' };
  }

  private runBody(pipeline: Pipeline, run: StoredRun): Record<string, unknown> {
    const projectUrl = `${this.baseUrl()}/${pipeline.organization}/${encodeURIComponent(pipeline.project)}`;
    const self = `${projectUrl}/_apis/pipelines/${pipeline.id}/runs/${run.id}`;
    return {
      _links: { self: { href: self }, web: { href: `${projectUrl}/_build/results?buildId=${run.id}` } },
      pipeline: {
        url: `${projectUrl}/_apis/pipelines/${pipeline.id}?revision=1`,
        id: pipeline.id,
        revision: 1,
        name: pipeline.name,
        folder: '\\',
      },
      state: run.state,
      ...(run.result ? { result: run.result, finishedDate: '2026-01-05T10:05:00.000Z' } : {}),
      createdDate: '2026-01-05T10:00:00.000Z',
      url: self,
      resources: {
        repositories: { self: { refName: 'refs/heads/main', version: '0123456789abcdef0123456789abcdef01234567' } },
      },
      id: run.id,
      name: `20260105.${run.id}`,
    };
  }
}
