import {
  AzureDevOpsPipelineRunsAdapter,
  AzureDevOpsServiceConnectionAdapter,
  AzureDevOpsVariableGroupAdapter,
} from '../adapters/azure-devops/index.js';
import { TOKENS } from '../ports/tokens.js';
import { secureParametersWiring } from './secure-parameters.wiring.js';
import type { Wiring } from './wiring.js';

/** The holders in Azure DevOps (service connections, variable groups) and the canary pipeline runs, through its REST API (its credential from SSM). */
export const azureDevOpsWiring: Wiring = (c) => {
  secureParametersWiring(c);
  c.bind(TOKENS.AzureDevOps).to(AzureDevOpsServiceConnectionAdapter);
  c.bind(TOKENS.VariableGroups).to(AzureDevOpsVariableGroupAdapter);
  c.bind(TOKENS.PipelineRuns).to(AzureDevOpsPipelineRunsAdapter);
};
