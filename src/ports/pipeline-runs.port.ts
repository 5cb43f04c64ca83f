import type { CanaryPipelineRef, PipelineRunState } from '../domain/holders.js';

/**
 * Azure Pipelines runs (Pipelines REST API 7.1): the canary that proves a published key works
 * where it is used. Queueing needs the credential's "Build (Read & execute)" scope.
 *
 * Errors: `CanaryPipelineNotFoundError`, `AzureDevOpsCredentialRejectedError`,
 * `AzureDevOpsNotAuthorizedError`, `AzureDevOpsUnavailableError`, `AzureDevOpsRequestError`.
 */
export interface PipelineRunsPort {
  /** Reads the pipeline (proves it exists and the credential can see it); returns its name. */
  readPipeline(ref: CanaryPipelineRef): Promise<{ id: number; name: string }>;
  /**
   * Proves the credential may queue the pipeline without queueing it: `Runs_RunPipeline` with
   * `previewRun: true` (the same operation, so the same "Build (Read & execute)" scope; no run is
   * created). A missing scope or permission is `AzureDevOpsNotAuthorizedError`.
   */
  checkCanQueue(ref: CanaryPipelineRef): Promise<void>;
  /** Queues a run (`Runs_RunPipeline`) and returns it as queued. */
  queueRun(ref: CanaryPipelineRef): Promise<PipelineRunState>;
  /** The pipeline's most recent run (`Runs_List`, highest id), or null when it never ran: for `status`. */
  lastRun(ref: CanaryPipelineRef): Promise<PipelineRunState | null>;
  /** Reads a run (`Runs_Get`). */
  readRun(ref: CanaryPipelineRef, runId: number): Promise<PipelineRunState>;
}
