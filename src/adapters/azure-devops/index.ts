export {
  type AzureDevOpsClientOptions,
  type AzureDevOpsLogger,
  DEFAULT_CLIENT_OPTIONS,
  type FetchFn,
  type Sleep,
} from './http-client.js';
export { AZURE_DEVOPS_CLIENT_OPTIONS, AzureDevOpsServiceConnectionAdapter } from './service-connection.adapter.js';
