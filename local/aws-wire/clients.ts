import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { StsClientFactory } from '../../src/adapters/aws/clients.js';

/**
 * Real SDK clients, as production builds them but with static fake credentials, region
 * us-east-1 and the default endpoints, so requests go through the real serialisation and signing
 * to the hosts the wire stubs intercept.
 *
 * `maxAttempts` defaults to 1 so an error test gets its one answer at once; tests about retries
 * pass the SDK default (3) explicitly.
 */
export const ROTATOR_CREDENTIALS = {
  accessKeyId: 'AKIAROTATORROLE00001',
  secretAccessKey: 'rotator/role/secret/000000000000000000000',
};
export const TEST_REGION = 'us-east-1';

export interface TestClientOptions {
  maxAttempts?: number;
}

const base = (options: TestClientOptions) => ({
  region: TEST_REGION,
  credentials: ROTATOR_CREDENTIALS,
  maxAttempts: options.maxAttempts ?? 1,
});

export const testIamClient = (options: TestClientOptions = {}): IAMClient => new IAMClient(base(options));
export const testSecretsManagerClient = (options: TestClientOptions = {}): SecretsManagerClient =>
  new SecretsManagerClient(base(options));
export const testS3Client = (options: TestClientOptions = {}): S3Client => new S3Client(base(options));
export const testSsmClient = (options: TestClientOptions = {}): SSMClient => new SSMClient(base(options));

/** The verifier's factory for tests: signs with the key under test only, as production does. */
export const testStsClientFactory =
  (options: TestClientOptions = {}): StsClientFactory =>
  (credential) =>
    new STSClient({
      region: TEST_REGION,
      maxAttempts: options.maxAttempts ?? 1,
      credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey.reveal() },
    });
