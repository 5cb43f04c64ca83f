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

/**
 * How long one AWS call may take: each attempt must connect within `connectionTimeoutMs` and be
 * answered within `requestTimeoutMs` (the SDK's `TimeoutError` otherwise, retried like any network
 * error), over the standard retry mode's `maxAttempts`, with its backoff in between (for throttling:
 * a random wait of at most 0.5 s × 2^retry). Without them a hung endpoint holds a call until the
 * Lambda's own timeout, and the CLI forever. The step timeouts are computed from these
 * (src/domain/lifecycle/budgets.ts; test/domain/lifecycle/budgets.test.ts keeps them in step).
 */
export const AWS_CALL_BOUNDS = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 5_000,
  /** The SDK's default (`AWS_MAX_ATTEMPTS` may lower it; the key verifier's client makes one attempt). */
  maxAttempts: 3,
  /** The standard retry mode's longest backoff before retry n (1-based) after throttling: 500 ms × 2^n. */
  throttlingBackoffBaseMs: 500,
} as const;

/** The request handler options every client is built with (the SDK's Node handler takes them as they are). */
export const requestHandler = () => ({
  connectionTimeout: AWS_CALL_BOUNDS.connectionTimeoutMs,
  requestTimeout: AWS_CALL_BOUNDS.requestTimeoutMs,
  // Without it the handler only logs a warning when the request timeout passes, and goes on waiting.
  throwOnRequestTimeout: true,
});

export function createIamClient(options: AwsClientOptions = {}): IAMClient {
  return new IAMClient({ requestHandler: requestHandler(), ...options });
}

export function createSecretsManagerClient(options: AwsClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient({ requestHandler: requestHandler(), ...options });
}

/** S3, for the run's results the Distributed Map wrote (notify only). */
export function createS3Client(options: AwsClientOptions = {}): S3Client {
  return new S3Client({ requestHandler: requestHandler(), ...options });
}

export function createSsmClient(options: AwsClientOptions = {}): SSMClient {
  return new SSMClient({ requestHandler: requestHandler(), ...options });
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
      requestHandler: requestHandler(),
      maxAttempts: 1,
      credentials: async () => ({
        accessKeyId: credential.accessKeyId,
        secretAccessKey: credential.secretAccessKey.reveal(),
      }),
    });
}
