import {
  createStsRoleClient,
  STS_ROLE_CLIENT,
  StsWebIdentityTokenAdapter,
} from '../adapters/aws/sts-web-identity-token.adapter.js';
import {
  AzureDevOpsHttpClient,
  AzureDevOpsPipelineRunsAdapter,
  AzureDevOpsServiceConnectionAdapter,
  AzureDevOpsVariableGroupAdapter,
} from '../adapters/azure-devops/index.js';
import { TOKENS } from '../ports/tokens.js';
import { secureParametersWiring } from './secure-parameters.wiring.js';
import { ADAPTER_TOKENS } from './tokens.js';
import { bindOnce, type Wiring } from './wiring.js';

/**
 * The one Azure DevOps HTTP client of the process and what it is built from: the credential from
 * SSM (a PAT or a client secret) or, for the federated kind, a token from STS exchanged at
 * Microsoft Entra ID. Every Azure DevOps adapter (holders, canary runs, the keyless inventory) is
 * given this client, so every kind of credential works for every one of them, and one identity's
 * rate-limit pacing is shared by all the calls it makes.
 */
export const azureDevOpsClientWiring: Wiring = (c) => {
  secureParametersWiring(c);
  bindOnce(c, STS_ROLE_CLIENT, () => c.bind(STS_ROLE_CLIENT).toDynamicValue(() => createStsRoleClient()));
  bindOnce(c, TOKENS.WebIdentityToken, () => c.bind(TOKENS.WebIdentityToken).to(StsWebIdentityTokenAdapter));
  bindOnce(c, ADAPTER_TOKENS.AzureDevOpsHttpClient, () =>
    c.bind(ADAPTER_TOKENS.AzureDevOpsHttpClient).to(AzureDevOpsHttpClient),
  );
};

/** The holders in Azure DevOps (service connections, variable groups) and the canary pipeline runs. */
export const azureDevOpsWiring: Wiring = (c) => {
  azureDevOpsClientWiring(c);
  c.bind(TOKENS.AzureDevOps).to(AzureDevOpsServiceConnectionAdapter);
  c.bind(TOKENS.VariableGroups).to(AzureDevOpsVariableGroupAdapter);
  c.bind(TOKENS.PipelineRuns).to(AzureDevOpsPipelineRunsAdapter);
};
