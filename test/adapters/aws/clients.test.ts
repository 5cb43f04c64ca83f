import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createIamClient,
  createSecretsManagerClient,
  createSsmClient,
  createStsClientFactory,
} from '../../../src/adapters/aws/clients.js';
import { IamAccessKeysAdapter } from '../../../src/adapters/aws/iam-access-keys.adapter.js';
import { SecretsManagerSecretStore } from '../../../src/adapters/aws/secrets-manager-secret-store.adapter.js';
import { SsmSecureParameters } from '../../../src/adapters/aws/ssm-secure-parameters.adapter.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { IAM_NAMESPACE } from '../../../local/aws-wire/iam-wire.js';
import { queryResponse } from '../../../local/aws-wire/protocol.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The standard environment of a Lambda pointed at a local endpoint (LocalStack, a test double). */
function stubAwsEnvironment(endpointVariable: string): void {
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIALAMBDAROLE000001');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'lambda/role/secret/0000000000000000000000');
  vi.stubEnv(endpointVariable, 'http://127.0.0.1:4566');
}

describe('Function: createIamClient', () => {
  it('honours AWS_REGION, AWS_ENDPOINT_URL_IAM and the default credential chain', async () => {
    // Arrange
    stubAwsEnvironment('AWS_ENDPOINT_URL_IAM');
    const seen: string[] = [];
    nock('http://127.0.0.1:4566')
      .post('/')
      .reply(async (request: Request) => {
        seen.push(request.headers.get('authorization') ?? '');
        return queryResponse(IAM_NAMESPACE, 'ListAccessKeys', '<AccessKeyMetadata/><IsTruncated>false</IsTruncated>');
      });
    const client = createIamClient();

    // Act
    const keys = await new IamAccessKeysAdapter(client).listKeys('app-deployer');

    // Assert
    expect(client).toBeInstanceOf(IAMClient);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(keys).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('Credential=AKIALAMBDAROLE000001/');
  });
});

describe('Function: createSecretsManagerClient', () => {
  it('honours AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    // Arrange
    stubAwsEnvironment('AWS_ENDPOINT_URL_SECRETS_MANAGER');
    nock('http://127.0.0.1:4566')
      .post('/')
      .matchHeader('x-amz-target', 'secretsmanager.DescribeSecret')
      .reply(400, { __type: 'ResourceNotFoundException' });
    const client = createSecretsManagerClient();

    // Act
    const state = await new SecretsManagerSecretStore(client).describe('rotator/app-prod');

    // Assert
    expect(client).toBeInstanceOf(SecretsManagerClient);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(state.exists).toBe(false);
  });
});

describe('Function: createSsmClient', () => {
  it('honours AWS_REGION and AWS_ENDPOINT_URL_SSM', async () => {
    // Arrange
    stubAwsEnvironment('AWS_ENDPOINT_URL_SSM');
    nock('http://127.0.0.1:4566')
      .post('/')
      .matchHeader('x-amz-target', 'AmazonSSM.GetParameter')
      .reply(200, { Parameter: { Name: '/pat', Type: 'SecureString', Value: 'pat-value', Version: 1 } });
    const client = createSsmClient();

    // Act
    const value = await new SsmSecureParameters(client).getSecure('/pat', 'the PAT');

    // Assert
    expect(client).toBeInstanceOf(SSMClient);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(value.reveal()).toBe('pat-value');
  });
});

describe('Function: createStsClientFactory', () => {
  it('builds a client that signs with the given key only and makes a single attempt', async () => {
    // Arrange: the Lambda role's credentials are in the environment; they must not be used.
    stubAwsEnvironment('AWS_ENDPOINT_URL_STS');
    const factory = createStsClientFactory();
    const credential = {
      accessKeyId: 'AKIANEWKEY0000000001',
      secretAccessKey: new SecretValue('new/key/secret/0000000000000000000000000'),
    };

    // Act
    const client = factory(credential);
    const identity = await client.config.credentials();

    // Assert
    expect(identity).toMatchObject({
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey.reveal(),
    });
    expect(await client.config.maxAttempts()).toBe(1);
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('does not put the secret in the client configuration (it is revealed when the SDK signs)', () => {
    // Arrange
    const factory = createStsClientFactory({ region: 'us-east-1' });

    // Act
    const client = factory({
      accessKeyId: 'AKIANEWKEY0000000001',
      secretAccessKey: new SecretValue('CANARY-never-in-config-000000000000000'),
    });

    // Assert
    expect(JSON.stringify(Object.keys(client.config))).not.toContain('CANARY');
    expect(String(Object.values(client.config).filter((v) => typeof v === 'string'))).not.toContain('CANARY');
  });
});
