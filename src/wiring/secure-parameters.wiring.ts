import { createSsmClient } from '../adapters/aws/clients.js';
import { SsmSecureParameters } from '../adapters/aws/ssm-secure-parameters.adapter.js';
import { TOKENS } from '../ports/tokens.js';
import { bindOnce, type Wiring } from './wiring.js';

/** SSM SecureStrings through Powertools Parameters (the Azure DevOps credential, the Slack webhook URL). */
export const secureParametersWiring: Wiring = (c) => {
  bindOnce(c, TOKENS.SsmClient, () => c.bind(TOKENS.SsmClient).toDynamicValue(() => createSsmClient()));
  bindOnce(c, TOKENS.SecureParameters, () => c.bind(TOKENS.SecureParameters).to(SsmSecureParameters));
};
