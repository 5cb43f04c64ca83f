import { AccountRoutedSecretStore } from '../adapters/aws/account-routing.js';
import { createSecretsManagerClient } from '../adapters/aws/clients.js';
import { TOKENS } from '../ports/tokens.js';
import { assumedRolesWiring } from './assumed-roles.wiring.js';
import type { Wiring } from './wiring.js';
import { ADAPTER_TOKENS } from './tokens.js';

/** The target's secret in Secrets Manager: the rotator's own account, or the target's through its role. */
export const secretsWiring: Wiring = (c) => {
  assumedRolesWiring(c);
  c.bind(ADAPTER_TOKENS.SecretsManagerClient).toDynamicValue(() => createSecretsManagerClient());
  c.bind(TOKENS.SecretStore).to(AccountRoutedSecretStore);
};
