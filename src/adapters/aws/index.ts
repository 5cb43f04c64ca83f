/** The AWS adapters, the factories of the SDK clients they are given, and their DI bindings. */
export {
  type AwsClientOptions,
  createIamClient,
  createS3Client,
  createSecretsManagerClient,
  createSsmClient,
  createStsClientFactory,
  type StsClientFactory,
} from './clients.js';
export { IamAccessKeysAdapter } from './iam-access-keys.adapter.js';
export { S3RunResults } from './s3-run-results.adapter.js';
export { SecretsManagerSecretStore } from './secrets-manager-secret-store.adapter.js';
export { SsmSecureParameters } from './ssm-secure-parameters.adapter.js';
export { StsKeyVerifierAdapter } from './sts-key-verifier.adapter.js';
