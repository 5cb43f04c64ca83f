import { createIamClient } from '../adapters/aws/clients.js';
import { IamIdentityAdapter } from '../adapters/aws/iam-identity.adapter.js';
import { AzureDevOpsInventoryAdapter } from '../adapters/azure-devops/inventory.adapter.js';
import { TOKENS } from '../ports/tokens.js';
import { ADAPTER_TOKENS } from './tokens.js';
import { azureDevOpsClientWiring } from './azure-devops.wiring.js';
import { bindOnce, type Wiring } from './wiring.js';

/**
 * `discover` and `migrate-to-oidc` (the CLI only, never a Lambda): IAM identity (key owners,
 * policies, OIDC provider, roles) and the Azure DevOps inventory (organization id, AWS connections,
 * switching a connection to OIDC and back), on the same Azure DevOps client as the holders.
 */
export const keylessWiring: Wiring = (c) => {
  bindOnce(c, ADAPTER_TOKENS.IamClient, () => c.bind(ADAPTER_TOKENS.IamClient).toDynamicValue(() => createIamClient()));
  azureDevOpsClientWiring(c);
  c.bind(TOKENS.IamIdentity).to(IamIdentityAdapter);
  c.bind(TOKENS.AzureDevOpsInventory).to(AzureDevOpsInventoryAdapter);
};
