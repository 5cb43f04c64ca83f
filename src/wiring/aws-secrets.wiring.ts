import { createSecretsManagerClient } from '../adapters/aws/clients.js';
import { SecretsManagerSecretStore } from '../adapters/aws/secrets-manager-secret-store.adapter.js';
import { TOKENS } from '../ports/tokens.js';
import type { Wiring } from './wiring.js';
import { ADAPTER_TOKENS } from './tokens.js';

/** The target's secret in Secrets Manager. */
export const secretsWiring: Wiring = (c) => {
  c.bind(ADAPTER_TOKENS.SecretsManagerClient).toDynamicValue(() => createSecretsManagerClient());
  c.bind(TOKENS.SecretStore).to(SecretsManagerSecretStore);
};
