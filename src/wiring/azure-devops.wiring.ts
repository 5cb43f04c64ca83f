import {
  createStsRoleClient,
  STS_ROLE_CLIENT,
  StsWebIdentityTokenAdapter,
} from '../adapters/aws/sts-web-identity-token.adapter.js';
import {
  AzureDevOpsPipelineRunsAdapter,
  AzureDevOpsServiceConnectionAdapter,
  AzureDevOpsVariableGroupAdapter,
} from '../adapters/azure-devops/index.js';
import { TOKENS } from '../ports/tokens.js';
import { secureParametersWiring } from './secure-parameters.wiring.js';
import { bindOnce, type Wiring } from './wiring.js';

/**
 * The holders in Azure DevOps (service connections, variable groups) and the canary pipeline runs,
 * through its REST API: its credential from SSM (a PAT or a client secret), or, for the federated
 * kind, a token from STS exchanged at Microsoft Entra ID.
 */
export const azureDevOpsWiring: Wiring = (c) => {
  secureParametersWiring(c);
  bindOnce(c, STS_ROLE_CLIENT, () => c.bind(STS_ROLE_CLIENT).toDynamicValue(() => createStsRoleClient()));
  bindOnce(c, TOKENS.WebIdentityToken, () => c.bind(TOKENS.WebIdentityToken).to(StsWebIdentityTokenAdapter));
  c.bind(TOKENS.AzureDevOps).to(AzureDevOpsServiceConnectionAdapter);
  c.bind(TOKENS.VariableGroups).to(AzureDevOpsVariableGroupAdapter);
  c.bind(TOKENS.PipelineRuns).to(AzureDevOpsPipelineRunsAdapter);
};
