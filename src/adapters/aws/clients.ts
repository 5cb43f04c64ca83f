import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { AccessKeyCredential } from '../../domain/model.js';

/**
 * The AWS SDK clients the adapters are given, built once per cold start by the composition root.
 *
 * Everything else comes from the standard SDK configuration: `AWS_REGION`, the default credential
 * chain (the Lambda role), `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` (LocalStack, tests),
 * `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE`. Options passed here win over the environment.
 */
export interface AwsClientOptions {
  region?: string;
  maxAttempts?: number;
  /**
   * A credential provider instead of the default chain: the temporary credentials of a role in another account
   * (assumed-role-credentials.ts), for the targets that live there.
   */
  credentials?: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration?: Date;
  }>;
}

export function createIamClient(options: AwsClientOptions = {}): IAMClient {
  return new IAMClient({ ...options });
}

export function createSecretsManagerClient(options: AwsClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient({ ...options });
}

/** S3, for the run's results the Distributed Map wrote (notify only). */
export function createS3Client(options: AwsClientOptions = {}): S3Client {
  return new S3Client({ ...options });
}

export function createSsmClient(options: AwsClientOptions = {}): SSMClient {
  return new SSMClient({ ...options });
}

/** Builds an STS client that signs with one given key and nothing else (bound to `ADAPTER_TOKENS.StsClientFactory`). */
export type StsClientFactory = (credential: AccessKeyCredential) => STSClient;

/**
 * The key verifier's client factory. The client it returns:
 * - signs with the key under test only: explicit credentials switch the default chain off, so a
 *   key that does not work can never be "verified" by the Lambda role's own credentials;
 * - reveals the secret only when the SDK signs (a provider, not a value in the client's config);
 * - does not retry (`maxAttempts: 1`): the state machine owns the propagation backoff.
 */
export function createStsClientFactory(options: Pick<AwsClientOptions, 'region'> = {}): StsClientFactory {
  return (credential) =>
    new STSClient({
      ...options,
      maxAttempts: 1,
      credentials: async () => ({
        accessKeyId: credential.accessKeyId,
        secretAccessKey: credential.secretAccessKey.reveal(),
      }),
    });
}
