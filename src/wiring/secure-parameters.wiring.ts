import { createSsmClient } from '../adapters/aws/clients.js';
import { SsmSecureParameters } from '../adapters/aws/ssm-secure-parameters.adapter.js';
import { TOKENS } from '../ports/tokens.js';
import { bindOnce, type Wiring } from './wiring.js';
import { ADAPTER_TOKENS } from './tokens.js';

/** SSM SecureStrings through Powertools Parameters (the Azure DevOps credential, the Slack webhook URL). */
export const secureParametersWiring: Wiring = (c) => {
  bindOnce(c, ADAPTER_TOKENS.SsmClient, () => c.bind(ADAPTER_TOKENS.SsmClient).toDynamicValue(() => createSsmClient()));
  bindOnce(c, TOKENS.SecureParameters, () => c.bind(TOKENS.SecureParameters).to(SsmSecureParameters));
};
