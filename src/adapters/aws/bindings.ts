import type { Container } from 'inversify';
import { TOKENS } from '../../ports/tokens.js';
import { type AwsClientOptions, createIamClient, createSecretsManagerClient, createSsmClient, createStsClientFactory } from './clients.js';
import { IamAccessKeysAdapter } from './iam-access-keys.adapter.js';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store.adapter.js';
import { SsmSecureParameters } from './ssm-secure-parameters.adapter.js';
import { StsKeyVerifierAdapter } from './sts-key-verifier.adapter.js';

/**
 * Binds the AWS SDK clients and the four AWS adapters. The clients are built on first use and
 * kept (singletons): one set per Lambda cold start. Overriding a port token afterwards (tests,
 * demo) replaces the adapter; overriding a client token replaces what the adapters are given.
 */
export function bindAwsAdapters(container: Container, options: AwsClientOptions = {}): void {
  container.bind(TOKENS.IamClient).toDynamicValue(() => createIamClient(options)).inSingletonScope();
  container.bind(TOKENS.SecretsManagerClient).toDynamicValue(() => createSecretsManagerClient(options)).inSingletonScope();
  container.bind(TOKENS.SsmClient).toDynamicValue(() => createSsmClient(options)).inSingletonScope();
  container.bind(TOKENS.StsClientFactory).toConstantValue(createStsClientFactory({ ...(options.region ? { region: options.region } : {}) }));

  container.bind(TOKENS.IamAccessKeys).to(IamAccessKeysAdapter).inSingletonScope();
  container.bind(TOKENS.KeyVerifier).to(StsKeyVerifierAdapter).inSingletonScope();
  container.bind(TOKENS.SecretStore).to(SecretsManagerSecretStore).inSingletonScope();
  container.bind(TOKENS.SecureParameters).to(SsmSecureParameters).inSingletonScope();
}
