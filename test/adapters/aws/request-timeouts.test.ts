/**
 * Every AWS SDK client the wiring builds (the Lambdas' and the CLI's) ends a call to a hung endpoint
 * with a timeout error, instead of waiting until the Lambda's own timeout (or, in the CLI, forever).
 * Wire level: the real clients, over real sockets, to an endpoint that accepts and never answers.
 */
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, GetWebIdentityTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AWS_CALL_BOUNDS,
  createIamClient,
  createS3Client,
  createSecretsManagerClient,
  createSsmClient,
  createStsClientFactory,
} from '../../../src/adapters/aws/clients.js';
import { IamAccessKeysAdapter } from '../../../src/adapters/aws/iam-access-keys.adapter.js';
import { createStsRoleClient } from '../../../src/adapters/aws/sts-web-identity-token.adapter.js';
import { AwsCallFailedError } from '../../../src/domain/errors.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { type HungEndpoint, startHungEndpoint } from '../../../local/aws-wire/hung-endpoint.js';

let hung: HungEndpoint;
beforeAll(async () => {
  hung = await startHungEndpoint();
});
afterAll(() => hung.close());
afterEach(() => vi.unstubAllEnvs());

/** A Lambda's environment, every service pointed at the hung endpoint, one attempt per call (the test's time). */
function pointAtHungEndpoint(): void {
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIALAMBDAROLE000001');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'lambda/role/secret/0000000000000000000000');
  vi.stubEnv('AWS_ENDPOINT_URL', hung.url);
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
}

/** How long a call took to fail, and with what. */
async function timed(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await call();
    return { error: undefined, ms: Date.now() - started };
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
}

const verifierClient = () =>
  createStsClientFactory()({ accessKeyId: 'AKIANEWKEY0000000001', secretAccessKey: new SecretValue('new/secret') });

const CALLS: Array<[string, () => Promise<unknown>]> = [
  ['IAM', () => createIamClient().send(new ListAccessKeysCommand({ UserName: 'deployer' }))],
  ['Secrets Manager', () => createSecretsManagerClient().send(new DescribeSecretCommand({ SecretId: 's' }))],
  ['SSM', () => createSsmClient().send(new GetParameterCommand({ Name: '/p', WithDecryption: true }))],
  ['S3', () => createS3Client().send(new GetObjectCommand({ Bucket: 'run-data', Key: 'results/manifest.json' }))],
  ['STS (the key verifier)', () => verifierClient().send(new GetCallerIdentityCommand({}))],
  [
    'STS (the role, federation)',
    () => createStsRoleClient().send(new GetWebIdentityTokenCommand({ Audience: ['a'], SigningAlgorithm: 'RS256' })),
  ],
];

describe('AWS SDK clients: request timeouts', () => {
  it('end a call to a hung endpoint with TimeoutError after the request timeout, for every client', async () => {
    // Prepare
    pointAtHungEndpoint();
    const before = hung.connections();

    // Act
    const results = await Promise.all(CALLS.map(async ([name, call]) => ({ name, ...(await timed(call)) })));

    // Assess
    for (const { name, error, ms } of results) {
      expect((error as Error | undefined)?.name, name).toBe('TimeoutError');
      expect(ms, name).toBeGreaterThanOrEqual(AWS_CALL_BOUNDS.requestTimeoutMs - 100);
      expect(ms, name).toBeLessThan(AWS_CALL_BOUNDS.requestTimeoutMs + 3_000);
    }
    // Each call reached the endpoint (the timeout is the request's, not a refused connection).
    expect(hung.connections() - before).toBe(CALLS.length);
  }, 20_000);

  it("says so through an adapter, in the rotator's words: timed out, retry later", async () => {
    // Prepare
    pointAtHungEndpoint();
    const iam = new IamAccessKeysAdapter(createIamClient());

    // Act
    const { error } = await timed(() => iam.listKeys('deployer'));

    // Assess
    expect(error).toBeInstanceOf(AwsCallFailedError);
    expect((error as Error).message).toMatch(
      /timed out: AWS did not answer within the client's connection and request/,
    );
    expect((error as Error).message).toContain('IAM user deployer');
  }, 20_000);
});
