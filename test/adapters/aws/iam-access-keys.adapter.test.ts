import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { IamAccessKeysAdapter } from '../../../src/adapters/aws/iam-access-keys.adapter.js';
import {
  AccessKeyNotFoundError,
  AccessKeyQuotaExceededError,
  AwsAccessDeniedError,
  AwsCallFailedError,
  AwsThrottledError,
  IamUserNotFoundError,
} from '../../../src/domain/errors.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { testIamClient } from '../../../local/aws-wire/clients.js';
import { IAM_ENDPOINT, IAM_NAMESPACE, IamWire } from '../../../local/aws-wire/iam-wire.js';
import { queryResponse } from '../../../local/aws-wire/protocol.js';

const USER = 'app-deployer';
const CREATED = new Date('2026-10-01T08:00:00Z');
const USED = new Date('2026-11-20T12:30:00Z');

function setUp(options: { maxAttempts?: number } = {}) {
  const wire = new IamWire().install();
  wire.addUser(USER);
  const adapter = new IamAccessKeysAdapter(testIamClient(options));
  return { wire, adapter };
}

/** The errors IAM documents for these actions, with its HTTP statuses. */
const THROTTLING = { code: 'Throttling', status: 400, message: 'Rate exceeded' };
const ACCESS_DENIED = {
  code: 'AccessDenied',
  status: 403,
  message: 'User: arn:aws:sts::123456789012:assumed-role/rotator/fn is not authorized to perform: iam:ListAccessKeys',
};
const SERVICE_FAILURE = {
  code: 'ServiceFailure',
  status: 500,
  message: 'The request processing has failed because of an unknown error.',
};

describe('Class: IamAccessKeysAdapter', () => {
  describe('Method: listKeys', () => {
    it('sends ListAccessKeys for the user and GetAccessKeyLastUsed for each key, in that order', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const used = wire.seedKey(USER, { createdAt: CREATED, lastUsedAt: USED });
      const unused = wire.seedKey(USER, { createdAt: CREATED, lastUsedAt: null, status: 'Inactive' });

      // Act
      await adapter.listKeys(USER);

      // Assert
      expect(wire.requests.map(({ operation, params }) => ({ operation, params }))).toEqual([
        { operation: 'ListAccessKeys', params: { UserName: USER } },
        { operation: 'GetAccessKeyLastUsed', params: { AccessKeyId: used.accessKeyId } },
        { operation: 'GetAccessKeyLastUsed', params: { AccessKeyId: unused.accessKeyId } },
      ]);
    });

    it('returns each key with its status, creation date, and last-used date (null when IAM answers N/A)', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const used = wire.seedKey(USER, { createdAt: CREATED, lastUsedAt: USED });
      const unused = wire.seedKey(USER, { createdAt: CREATED, lastUsedAt: null, status: 'Inactive' });

      // Act
      const keys = await adapter.listKeys(USER);

      // Assert
      expect(keys).toEqual([
        {
          accessKeyId: used.accessKeyId,
          status: 'Active',
          createdAt: CREATED,
          lastUsedAt: USED,
          lastUsedService: 's3',
          lastUsedRegion: 'us-east-1',
        },
        { accessKeyId: unused.accessKeyId, status: 'Inactive', createdAt: CREATED, lastUsedAt: null },
      ]);
    });

    it('follows IsTruncated/Marker pages', async () => {
      // Arrange: two pages answered by hand, as IAM pages them.
      const adapter = new IamAccessKeysAdapter(testIamClient());
      const bodies: string[] = [];
      const member = (id: string) =>
        `<member><UserName>${USER}</UserName><AccessKeyId>` +
        `${id}</AccessKeyId><Status>Active</Status><CreateDate>2026-10-01T08:00:00Z</CreateDate></member>`;
      nock(IAM_ENDPOINT)
        .post('/', (body: Record<string, string>) => body.Action === 'ListAccessKeys')
        .times(2)
        .reply(async (request: Request) => {
          const body = await request.text();
          bodies.push(body);
          return body.includes('Marker=page-2')
            ? queryResponse(
                IAM_NAMESPACE,
                'ListAccessKeys',
                `<AccessKeyMetadata>` +
                  `${member('AKIAPAGE2KEY00000002')}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`,
              )
            : queryResponse(
                IAM_NAMESPACE,
                'ListAccessKeys',
                `<AccessKeyMetadata>${member('AKIAPAGE1KEY00000001')}</AccessKeyMetadata>` +
                  '<IsTruncated>true</IsTruncated><Marker>page-2</Marker>',
              );
        })
        .post('/', (body: Record<string, string>) => body.Action === 'GetAccessKeyLastUsed')
        .times(2)
        .reply(
          200,
          queryResponse(
            IAM_NAMESPACE,
            'GetAccessKeyLastUsed',
            '<AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region></AccessKeyLastUsed>',
          )[1],
        );

      // Act
      const keys = await adapter.listKeys(USER);

      // Assert
      expect(keys.map((k) => k.accessKeyId)).toEqual(['AKIAPAGE1KEY00000001', 'AKIAPAGE2KEY00000002']);
      expect(bodies).toEqual([
        `Action=ListAccessKeys&Version=2010-05-08&UserName=${USER}`,
        `Action=ListAccessKeys&Version=2010-05-08&UserName=${USER}&Marker=page-2`,
      ]);
    });

    it('throws IamUserNotFoundError naming the user when IAM answers NoSuchEntity', async () => {
      // Arrange
      const { adapter } = setUp();

      // Act
      const error = await adapter.listKeys('nobody').catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(IamUserNotFoundError);
      expect((error as Error).message).toContain('IAM user nobody does not exist');
      expect((error as IamUserNotFoundError).cause).toMatchObject({ code: 'NoSuchEntity', status: 404 });
    });

    it('throws AwsThrottledError when IAM answers Throttling', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.failNext('ListAccessKeys', THROTTLING);

      // Act
      const error = await adapter.listKeys(USER).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
      expect((error as Error).message).toContain('iam:ListAccessKeys');
    });

    it('throws AwsAccessDeniedError naming the action to grant when IAM answers AccessDenied', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.failNext('ListAccessKeys', ACCESS_DENIED);

      // Act
      const error = await adapter.listKeys(USER).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('grant iam:ListAccessKeys');
    });

    it('throws AwsAccessDeniedError when GetAccessKeyLastUsed is denied', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.seedKey(USER);
      wire.failNext('GetAccessKeyLastUsed', {
        ...ACCESS_DENIED,
        message: 'not authorized to perform: iam:GetAccessKeyLastUsed',
      });

      // Act
      const error = await adapter.listKeys(USER).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('iam:GetAccessKeyLastUsed');
    });

    it('throws AwsCallFailedError for any other IAM error (ServiceFailure)', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.failNext('ListAccessKeys', SERVICE_FAILURE);

      // Act
      const error = await adapter.listKeys(USER).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsCallFailedError);
      expect((error as AwsCallFailedError).cause).toMatchObject({ code: 'ServiceFailure', status: 500 });
    });
  });

  describe('Method: createKey', () => {
    it('sends CreateAccessKey for the user and returns the new key, its secret wrapped in SecretValue', async () => {
      // Arrange
      const { wire, adapter } = setUp();

      // Act
      const key = await adapter.createKey(USER);

      // Assert
      const [created] = wire.keys(USER);
      expect(wire.requests.map(({ operation, params }) => ({ operation, params }))).toEqual([
        { operation: 'CreateAccessKey', params: { UserName: USER } },
      ]);
      expect(key.accessKeyId).toBe(created?.accessKeyId);
      expect(key.createdAt).toEqual(created?.createdAt);
      expect(key.secretAccessKey).toBeInstanceOf(SecretValue);
      expect(String(key.secretAccessKey)).toBe('[REDACTED]');
      expect(key.secretAccessKey.reveal()).toMatch(/^wire\/Secret\+/);
    });

    it('throws AccessKeyQuotaExceededError without retrying when IAM answers LimitExceeded', async () => {
      // Arrange: a client that retries (the SDK default of 3 attempts), and a user with two keys.
      const { wire, adapter } = setUp({ maxAttempts: 3 });
      wire.seedKey(USER);
      wire.seedKey(USER, { status: 'Inactive' });

      // Act
      const error = await adapter.createKey(USER).catch((e: unknown) => e);

      // Assert: one request, not three.
      expect(error).toBeInstanceOf(AccessKeyQuotaExceededError);
      expect((error as Error).message).toContain(`IAM user ${USER} already has two access keys`);
      expect(wire.actions()).toEqual(['CreateAccessKey']);
    });

    it('leaves the same client retrying other calls (the no-retry override is per command)', async () => {
      // Arrange: the control for the test above. The SDK classes LimitExceededException as throttling.
      const { wire, adapter } = setUp({ maxAttempts: 3 });
      wire.failNext('ListAccessKeys', { code: 'LimitExceeded', status: 409, message: 'Cannot exceed quota', times: 2 });

      // Act
      await adapter.listKeys(USER);

      // Assert: two failed attempts and the third answered.
      expect(wire.actions()).toEqual(['ListAccessKeys', 'ListAccessKeys', 'ListAccessKeys']);
    });

    it(
      'throws AwsThrottledError after one attempt when IAM answers Throttling (the step retries, not ' + 'the SDK)',
      async () => {
        // Arrange
        const { wire, adapter } = setUp({ maxAttempts: 3 });
        wire.failNext('CreateAccessKey', { ...THROTTLING, times: 3 });

        // Act
        const error = await adapter.createKey(USER).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(AwsThrottledError);
        expect(wire.actions()).toEqual(['CreateAccessKey']);
      },
    );

    it('throws IamUserNotFoundError when IAM answers NoSuchEntity', async () => {
      // Arrange
      const { adapter } = setUp();

      // Act
      const error = await adapter.createKey('nobody').catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(IamUserNotFoundError);
      expect((error as Error).message).toContain('IAM user nobody does not exist');
    });

    it('throws AwsAccessDeniedError when IAM answers AccessDenied', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.failNext('CreateAccessKey', ACCESS_DENIED);

      // Act
      const error = await adapter.createKey(USER).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('grant iam:CreateAccessKey');
    });

    it('throws AwsCallFailedError when IAM answers ServiceFailure', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.failNext('CreateAccessKey', SERVICE_FAILURE);

      // Act
      const error = await adapter.createKey(USER).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsCallFailedError);
    });

    it('throws AwsCallFailedError when the answer carries no secret', async () => {
      // Arrange
      const adapter = new IamAccessKeysAdapter(testIamClient());
      nock(IAM_ENDPOINT)
        .post('/')
        .reply(
          ...queryResponse(
            IAM_NAMESPACE,
            'CreateAccessKey',
            `<AccessKey><UserName>` +
              `${USER}</UserName><AccessKeyId>AKIANOSECRET00000001</AccessKeyId><Status>Active</Status></AccessKey>`,
          ),
        );

      // Act
      const error = await adapter.createKey(USER).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsCallFailedError);
      expect((error as Error).message).toContain('without the new key');
    });
  });

  describe('Method: setKeyStatus', () => {
    it('sends UpdateAccessKey with the user, key and status', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const key = wire.seedKey(USER);

      // Act
      await adapter.setKeyStatus(USER, key.accessKeyId, 'Inactive');

      // Assert
      expect(wire.requests.map(({ operation, params }) => ({ operation, params }))).toEqual([
        { operation: 'UpdateAccessKey', params: { UserName: USER, AccessKeyId: key.accessKeyId, Status: 'Inactive' } },
      ]);
      expect(wire.keys(USER)[0]?.status).toBe('Inactive');
    });

    it('throws AccessKeyNotFoundError naming the key when IAM answers NoSuchEntity', async () => {
      // Arrange
      const { adapter } = setUp();

      // Act
      const error = await adapter.setKeyStatus(USER, 'AKIAGONEKEY000000001', 'Active').catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AccessKeyNotFoundError);
      expect((error as Error).message).toContain(
        'access key AKIAGONEKEY000000001 of IAM user app-deployer does not exist',
      );
    });

    it('throws AwsThrottledError when IAM answers Throttling', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const key = wire.seedKey(USER);
      wire.failNext('UpdateAccessKey', THROTTLING);

      // Act
      const error = await adapter.setKeyStatus(USER, key.accessKeyId, 'Inactive').catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
    });

    it('throws AwsAccessDeniedError when IAM answers AccessDenied', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const key = wire.seedKey(USER);
      wire.failNext('UpdateAccessKey', ACCESS_DENIED);

      // Act
      const error = await adapter.setKeyStatus(USER, key.accessKeyId, 'Inactive').catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('iam:UpdateAccessKey');
    });
  });

  describe('Method: deleteKey', () => {
    it('sends DeleteAccessKey with the user and key', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const key = wire.seedKey(USER);

      // Act
      await adapter.deleteKey(USER, key.accessKeyId);

      // Assert
      expect(wire.requests.map(({ operation, params }) => ({ operation, params }))).toEqual([
        { operation: 'DeleteAccessKey', params: { UserName: USER, AccessKeyId: key.accessKeyId } },
      ]);
      expect(wire.keys(USER)).toEqual([]);
    });

    it('succeeds when the key is already gone (IAM answers NoSuchEntity)', async () => {
      // Arrange
      const { wire, adapter } = setUp();

      // Act
      const result = adapter.deleteKey(USER, 'AKIAGONEKEY000000001');

      // Assert
      await expect(result).resolves.toBeUndefined();
      expect(wire.actions()).toEqual(['DeleteAccessKey']);
    });

    it('throws AwsThrottledError when IAM answers Throttling', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const key = wire.seedKey(USER);
      wire.failNext('DeleteAccessKey', THROTTLING);

      // Act
      const error = await adapter.deleteKey(USER, key.accessKeyId).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
      expect(wire.keys(USER)).toHaveLength(1);
    });

    it('throws AwsAccessDeniedError when IAM answers AccessDenied', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      const key = wire.seedKey(USER);
      wire.failNext('DeleteAccessKey', ACCESS_DENIED);

      // Act
      const error = await adapter.deleteKey(USER, key.accessKeyId).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('iam:DeleteAccessKey');
    });
  });
});
