import { inject, injectable } from 'inversify';
import { AzureDevOpsRequestError, CanaryPipelineNotFoundError } from '../../domain/errors.js';
import type {
  AdoCredentialRef,
  CanaryPipelineRef,
  PipelineRunResult,
  PipelineRunState,
  PipelineRunStatus,
} from '../../domain/holders.js';
import type { PipelineRunsPort } from '../../ports/pipeline-runs.port.js';
import type { AzureDevOpsHttpClient, RequestScope } from './http-client.js';
import { API_VERSION } from './rest-types.js';
import { organizationBase } from './service-connection.adapter.js';
import type { Pipeline, PipelineRun } from './variable-group-types.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

const READ_ACCESS = 'the "Build (Read)" scope and permission to view the pipeline';
const EXECUTE_ACCESS = 'the "Build (Read & execute)" scope and the "Queue builds" permission on the pipeline';
const STATES: readonly PipelineRunStatus[] = ['unknown', 'inProgress', 'canceling', 'completed'];
const RESULTS: readonly PipelineRunResult[] = ['unknown', 'succeeded', 'failed', 'canceled'];

/**
 * `PipelineRunsPort` on the Pipelines REST API, api-version 7.1:
 * `GET {org}/{project}/_apis/pipelines/{id}` (Pipelines_Get),
 * `POST {org}/{project}/_apis/pipelines/{id}/runs` (Runs_Run Pipeline; never retried after an
 * answer that may have been lost, so one request queues at most one run) and
 * `GET {org}/{project}/_apis/pipelines/{id}/runs/{runId}` (Runs_Get).
 */
@injectable()
export class AzureDevOpsPipelineRunsAdapter implements PipelineRunsPort {
  constructor(@inject(ADAPTER_TOKENS.AzureDevOpsHttpClient) private readonly client: AzureDevOpsHttpClient) {}

  async readPipeline(ref: CanaryPipelineRef): Promise<{ id: number; name: string }> {
    const { base, scope } = where(ref);
    const url = new URL(`${base}/${encodeURIComponent(ref.project)}/_apis/pipelines/${ref.pipelineId}`);
    url.search = `api-version=${API_VERSION}`;
    const answer = await this.client.send({
      method: 'GET',
      url,
      action: 'read the pipeline',
      scope,
      requiredAccess: READ_ACCESS,
    });
    const pipeline = answer.status === 200 ? (answer.body as Pipeline | null) : null;
    if (!pipeline || pipeline.id !== ref.pipelineId) throw notFound(ref, base);
    return { id: ref.pipelineId, name: pipeline.name ?? String(ref.pipelineId) };
  }

  async queueRun(ref: CanaryPipelineRef): Promise<PipelineRunState> {
    const { base, scope } = where(ref);
    const url = new URL(`${base}/${encodeURIComponent(ref.project)}/_apis/pipelines/${ref.pipelineId}/runs`);
    url.search = `api-version=${API_VERSION}`;
    const body = ref.branch ? { resources: { repositories: { self: { refName: ref.branch } } } } : {};
    const answer = await this.client.send({
      method: 'POST',
      url,
      body,
      action: 'queue a run of the canary pipeline',
      scope,
      requiredAccess: EXECUTE_ACCESS,
      notIdempotent: true,
    });
    if (answer.status === 404) throw notFound(ref, base);
    return toRunState(answer.body, ref, base);
  }

  async checkCanQueue(ref: CanaryPipelineRef): Promise<void> {
    const { base, scope } = where(ref);
    const url = new URL(`${base}/${encodeURIComponent(ref.project)}/_apis/pipelines/${ref.pipelineId}/runs`);
    url.search = `api-version=${API_VERSION}`;
    // A preview creates no run, so it is safe to retry; it is the queueing operation, so it needs its scope.
    const body = {
      previewRun: true,
      ...(ref.branch ? { resources: { repositories: { self: { refName: ref.branch } } } } : {}),
    };
    const answer = await this.client.send({
      method: 'POST',
      url,
      body,
      action: 'check that the canary pipeline may be queued (a preview run)',
      scope,
      requiredAccess: EXECUTE_ACCESS,
    });
    if (answer.status === 404) throw notFound(ref, base);
  }

  async lastRun(ref: CanaryPipelineRef): Promise<PipelineRunState | null> {
    const { base, scope } = where(ref);
    const url = new URL(`${base}/${encodeURIComponent(ref.project)}/_apis/pipelines/${ref.pipelineId}/runs`);
    url.search = `api-version=${API_VERSION}`;
    const answer = await this.client.send({
      method: 'GET',
      url,
      action: 'list the runs of the canary pipeline',
      scope,
      requiredAccess: READ_ACCESS,
    });
    if (answer.status === 404) throw notFound(ref, base);
    const value = (answer.body as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) {
      throw new AzureDevOpsRequestError(
        `Azure DevOps answered the list of runs of pipeline ${ref.pipelineId} in project "${ref.project}" of ` +
          `${base} without a list`,
        { context: { organizationUrl: base, project: ref.project, pipelineId: ref.pipelineId } },
      );
    }
    // The most recent run is the one with the highest id (the list's order is not promised by the spec).
    const runs = value.filter(
      (r): r is PipelineRun & { id: number } => typeof (r as PipelineRun | null)?.id === 'number',
    );
    const last = runs.reduce<(PipelineRun & { id: number }) | null>(
      (a, b) => (a === null || b.id > a.id ? b : a),
      null,
    );
    return last ? toRunState(last, ref, base) : null;
  }

  async readRun(ref: CanaryPipelineRef, runId: number): Promise<PipelineRunState> {
    const { base, scope } = where(ref);
    const url = new URL(`${base}/${encodeURIComponent(ref.project)}/_apis/pipelines/${ref.pipelineId}/runs/${runId}`);
    url.search = `api-version=${API_VERSION}`;
    const answer = await this.client.send({
      method: 'GET',
      url,
      action: `read run ${runId} of the canary pipeline`,
      scope,
      requiredAccess: READ_ACCESS,
    });
    if (answer.status === 404 || answer.body === null) {
      throw new AzureDevOpsRequestError(
        `run ${runId} of pipeline ${ref.pipelineId} in project "${ref.project}" of ${base} was not found; it ` +
          `may have been deleted`,
        {
          context: { organizationUrl: base, project: ref.project, pipelineId: ref.pipelineId, runId },
        },
      );
    }
    return toRunState(answer.body, ref, base);
  }
}

export function toRunState(body: unknown, ref: CanaryPipelineRef, base: string): PipelineRunState {
  const run = body as PipelineRun | null;
  if (!run || typeof run !== 'object' || typeof run.id !== 'number') {
    throw new AzureDevOpsRequestError(
      `Azure DevOps answered for pipeline ${ref.pipelineId} in project "${ref.project}" of ${base} without a run`,
      {
        context: { organizationUrl: base, project: ref.project, pipelineId: ref.pipelineId },
      },
    );
  }
  const state = STATES.find((s) => s === run.state) ?? 'unknown';
  const result = RESULTS.find((r) => r === run.result) ?? null;
  const web = run._links?.web?.href;
  return {
    runId: run.id,
    name: run.name ?? String(run.id),
    state,
    result,
    // The run's page: the link Azure DevOps gives, or the one its UI uses.
    webUrl:
      typeof web === 'string' && web !== ''
        ? web
        : `${base}/${encodeURIComponent(ref.project)}/_build/results?buildId=${run.id}`,
  };
}

function where(ref: CanaryPipelineRef): { base: string; scope: RequestScope } {
  const base = organizationBase(ref);
  return {
    base,
    scope: {
      organizationUrl: base,
      project: ref.project,
      connection: String(ref.pipelineId),
      resource: 'pipeline',
      ...credentialOf(ref),
    },
  };
}

function notFound(ref: CanaryPipelineRef, base: string): CanaryPipelineNotFoundError {
  return new CanaryPipelineNotFoundError(
    `no pipeline with id ${ref.pipelineId} in project "${ref.project}" of ${base}; check the canary's ` +
      `pipelineId and that ${credentialName(ref)} can see it`,
    { context: { organizationUrl: base, project: ref.project, pipelineId: ref.pipelineId } },
  );
}

/** The credential fields of a holder, as the HTTP client's scope takes them. */
function credentialOf(ref: AdoCredentialRef): Pick<RequestScope, 'credentialParameter' | 'federatedCredential'> {
  return {
    ...(ref.credentialParameter ? { credentialParameter: ref.credentialParameter } : {}),
    ...(ref.federatedCredential ? { federatedCredential: ref.federatedCredential } : {}),
  };
}

/** The credential, named for a message. */
function credentialName(ref: AdoCredentialRef): string {
  return ref.federatedCredential
    ? `the service principal of Entra app ${ref.federatedCredential.clientId}`
    : `the credential in ${ref.credentialParameter ?? '(none)'}`;
}
