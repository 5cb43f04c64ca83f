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
