export {
  type AzureDevOpsClientOptions,
  type AzureDevOpsLogger,
  DEFAULT_CLIENT_OPTIONS,
  type FetchFn,
  type Sleep,
} from './http-client.js';
export { AzureDevOpsHttpClient } from './http-client.js';
export { AzureDevOpsPipelineRunsAdapter } from './pipeline-runs.adapter.js';
export { AZURE_DEVOPS_CLIENT_OPTIONS, AzureDevOpsServiceConnectionAdapter } from './service-connection.adapter.js';
export { AzureDevOpsVariableGroupAdapter } from './variable-group.adapter.js';
export {
  AZURE_DEVOPS_CALL_BUDGET_MS,
  AZURE_DEVOPS_MAX_ATTEMPTS,
  AZURE_DEVOPS_MAX_RESPONSE_BYTES,
  AZURE_DEVOPS_REQUEST_TIMEOUT_MS,
  AZURE_DEVOPS_RETRY_BUDGET_MS,
} from './client-options.js';
export { RATE_LIMIT_PACING } from './pacing.js';
