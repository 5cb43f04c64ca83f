import { AzureDevOpsServiceConnectionAdapter } from '../adapters/azure-devops/index.js';
import { TOKENS } from '../ports/tokens.js';
import { secureParametersWiring } from './secure-parameters.wiring.js';
import type { Wiring } from './wiring.js';

/** The service connection, through the Azure DevOps REST API (its credential from SSM). */
export const azureDevOpsWiring: Wiring = (c) => {
  secureParametersWiring(c);
  c.bind(TOKENS.AzureDevOps).to(AzureDevOpsServiceConnectionAdapter);
};
