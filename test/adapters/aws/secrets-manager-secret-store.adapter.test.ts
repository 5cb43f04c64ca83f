import { describe, expect, it } from 'vitest';
import {
  SecretsManagerSecretStore,
  UNPROMOTED,
} from '../../../src/adapters/aws/secrets-manager-secret-store.adapter.js';
import {
  AwsAccessDeniedError,
  AwsCallFailedError,
  AwsThrottledError,
  SecretCreateDeniedError,
  SecretMalformedError,
  SecretNotFoundError,
  SecretVersionNotFoundError,
  StateConflictError,
} from '../../../src/domain/errors.js';
import type { StoredCredential } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { testSecretsManagerClient } from '../../../local/aws-wire/clients.js';
import { SecretsManagerWire } from '../../../local/aws-wire/secrets-manager-wire.js';

const SECRET = 'rotator/app-prod/aws-key';
const USER = 'app-deployer';
const OLD = {
  accessKeyId: 'AKIAOLDKEY0000000001',
  secretAccessKey: 'old/key/secret/00000000000000000000000000',
  iamUserName: USER,
};
const NEW_VERSION = '6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const NEW: StoredCredential = {
  accessKeyId: 'AKIANEWKEY0000000001',
  secretAccessKey: new SecretValue('new/key/secret/0000000000000000000000000'),
  iamUserName: USER,
  createdAt: new Date('2026-11-29T03:00:00.000Z'),
};
const NEW_JSON = JSON.stringify({
  accessKeyId: NEW.accessKeyId,
  secretAccessKey: NEW.secretAccessKey.reveal(),
  iamUserName: USER,
  createdAt: '2026-11-29T03:00:00.000Z',
});

function setUp() {
  const wire = new SecretsManagerWire().install();
  const store = new SecretsManagerSecretStore(testSecretsManagerClient());
  return { wire, store };
}

/** The requests the stub received, as operation + JSON body. */
const sent = (wire: SecretsManagerWire) => wire.requests.map(({ operation, params }) => ({ operation, params }));

const THROTTLED = { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' };
const DENIED = {
  code: 'AccessDeniedException',
  status: 400,
  message: 'User: arn:aws:sts::123456789012:assumed-role/rotator/fn is not authorized',
};

describe('Class: SecretsManagerSecretStore', () => {
  describe('Method: describe', () => {
    it('sends DescribeSecret, then GetSecretValue by VersionId for each labelled version', async () => {
      // Arrange
      const { wire, store } = setUp();
      const current = wire.seed(SECRET, OLD);

      // Act
      await store.describe(SECRET);

      // Assert
      expect(sent(wire)).toEqual([
        { operation: 'DescribeSecret', params: { SecretId: SECRET } },
        { operation: 'GetSecretValue', params: { SecretId: SECRET, VersionId: current } },
      ]);
    });

    it('returns the key id and creation date of the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions', async () => {
      // Arrange
      const { wire, store } = setUp();
      const old = wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      await store.promote(SECRET, NEW_VERSION);
      const pending = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';
      await store.putPending(SECRET, pending, { ...NEW, accessKeyId: 'AKIANEXTKEY000000001' });

      // Act
      const state = await store.describe(SECRET);

      // Assert
      expect(state).toEqual({
        exists: true,
        current: { versionId: NEW_VERSION, accessKeyId: NEW.accessKeyId, createdAt: expect.any(Date) },
        pending: { versionId: pending, accessKeyId: 'AKIANEXTKEY000000001', createdAt: expect.any(Date) },
        previous: { versionId: old, accessKeyId: OLD.accessKeyId, createdAt: expect.any(Date) },
      });
    });

    it('reads a version that carries two labels once', async () => {
      // Arrange: promote crashed between moving AWSCURRENT and dropping AWSPENDING.
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.failNext('UpdateSecretVersionStage', { code: 'InternalServiceError', status: 500, skip: 1 });
      await store.promote(SECRET, NEW_VERSION).catch(() => undefined);
      wire.requests.length = 0;

      // Act
      const state = await store.describe(SECRET);

      // Assert
      expect(state.current?.versionId).toBe(state.pending?.versionId);
      expect(wire.operations()).toEqual(['DescribeSecret', 'GetSecretValue', 'GetSecretValue']);
    });

    it('returns exists: false when Secrets Manager answers ResourceNotFoundException', async () => {
      // Arrange
      const { store } = setUp();

      // Act
      const state = await store.describe(SECRET);

      // Assert
      expect(state).toEqual({ exists: false, current: null, pending: null, previous: null });
    });

    it('throws SecretNotFoundError saying so when the secret is scheduled for deletion', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      wire.scheduleDeletion(SECRET);

      // Act
      const error = await store.describe(SECRET).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect((error as Error).message).toContain('is scheduled for deletion');
    });

    it(
      'throws SecretMalformedError naming the secret and the JSON it must hold, without quoting ' + 'the value',
      async () => {
        // Arrange
        const { wire, store } = setUp();
        const version = wire.seedRaw(SECRET, 'hunter2-not-json');

        // Act
        const error = await store.describe(SECRET).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(SecretMalformedError);
        expect((error as Error).message).toContain(
          `secret ${SECRET} version ${version} is not the JSON the rotator writes`,
        );
        expect((error as Error).message).toContain('"accessKeyId"');
        expect((error as Error).message).toContain('"secretAccessKey"');
        expect(JSON.stringify(error)).not.toContain('hunter2');
      },
    );

    it('throws SecretMalformedError for JSON without a secretAccessKey', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seedRaw(SECRET, JSON.stringify({ accessKeyId: 'AKIAONLYID0000000001' }));

      // Act
      const error = await store.describe(SECRET).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretMalformedError);
    });

    it('throws AwsThrottledError when DescribeSecret is throttled', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.failNext('DescribeSecret', THROTTLED);

      // Act
      const error = await store.describe(SECRET).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
    });

    it('throws AwsAccessDeniedError naming the action when DescribeSecret is denied', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.failNext('DescribeSecret', DENIED);

      // Act
      const error = await store.describe(SECRET).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('grant secretsmanager:DescribeSecret');
    });

    it('throws AwsAccessDeniedError naming the action when GetSecretValue is denied (e.g. kms:Decrypt)', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      wire.failNext('GetSecretValue', { ...DENIED, message: 'Access to KMS is not allowed' });

      // Act
      const error = await store.describe(SECRET).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('secretsmanager:GetSecretValue');
    });

    it('throws AwsCallFailedError for any other error (InternalServiceError)', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.failNext('DescribeSecret', {
        code: 'InternalServiceError',
        status: 500,
        message: 'An error occurred on the server side.',
      });

      // Act
      const error = await store.describe(SECRET).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsCallFailedError);
      expect((error as AwsCallFailedError).cause).toMatchObject({ name: 'InternalServiceError', status: 500 });
    });
  });

  describe('Method: putPending', () => {
    it('sends PutSecretValue with the version id as ClientRequestToken and VersionStages [AWSPENDING]', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);

      // Act
      const versionId = await store.putPending(SECRET, NEW_VERSION, NEW);

      // Assert
      expect(versionId).toBe(NEW_VERSION);
      expect(sent(wire)).toEqual([
        { operation: 'DescribeSecret', params: { SecretId: SECRET } },
        {
          operation: 'PutSecretValue',
          params: {
            SecretId: SECRET,
            ClientRequestToken: NEW_VERSION,
            SecretString: NEW_JSON,
            VersionStages: ['AWSPENDING'],
          },
        },
      ]);
    });

    it('leaves AWSCURRENT where it was', async () => {
      // Arrange
      const { wire, store } = setUp();
      const old = wire.seed(SECRET, OLD);

      // Act
      await store.putPending(SECRET, NEW_VERSION, NEW);

      // Assert
      expect(wire.versions(SECRET).map(({ versionId, stages }) => ({ versionId, stages }))).toEqual([
        { versionId: old, stages: ['AWSCURRENT'] },
        { versionId: NEW_VERSION, stages: ['AWSPENDING'] },
      ]);
    });

    it('writes nothing new when retried with the same version id and credential', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      const before = wire.versions(SECRET);

      // Act
      const versionId = await store.putPending(SECRET, NEW_VERSION, NEW);

      // Assert
      expect(versionId).toBe(NEW_VERSION);
      expect(wire.versions(SECRET)).toEqual(before);
    });

    it('succeeds when Secrets Manager answers ResourceExistsException but the version holds the same key', async () => {
      // Arrange: the same key, written with another createdAt (the value differs only in form).
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.requests.length = 0;

      // Act
      const versionId = await store.putPending(SECRET, NEW_VERSION, {
        ...NEW,
        createdAt: new Date('2026-11-29T03:00:01.000Z'),
      });

      // Assert
      expect(versionId).toBe(NEW_VERSION);
      expect(wire.operations()).toEqual(['DescribeSecret', 'PutSecretValue', 'GetSecretValue']);
    });

    it('throws StateConflictError when the version id already holds another key', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);

      // Act
      const error = await store
        .putPending(SECRET, NEW_VERSION, { ...NEW, accessKeyId: 'AKIAOTHERKEY00000001' })
        .catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(StateConflictError);
      expect((error as Error).message).toContain(
        `already has a version ${NEW_VERSION} holding access key ${NEW.accessKeyId}`,
      );
    });

    it(
      'creates a missing secret empty (CreateSecret without a value), then puts the first version pending and ' +
        'marked unpromoted',
      async () => {
        // Arrange
        const { wire, store } = setUp();

        // Act
        await store.putPending(SECRET, NEW_VERSION, NEW);

        // Assert
        const [describe, create, put] = sent(wire);
        expect(describe).toEqual({ operation: 'DescribeSecret', params: { SecretId: SECRET } });
        expect(create?.operation).toBe('CreateSecret');
        expect(create?.params).toMatchObject({
          Name: SECRET,
          Description: `AWS access key of IAM user ${USER}, rotated by ado-aws-key-rotator`,
        });
        expect(create?.params).not.toHaveProperty('SecretString');
        expect(put).toEqual({
          operation: 'PutSecretValue',
          params: {
            SecretId: SECRET,
            ClientRequestToken: NEW_VERSION,
            SecretString: NEW_JSON,
            VersionStages: ['AWSPENDING', UNPROMOTED],
          },
        });
        // AWS made the first version current anyway; the marker says the rotator has not promoted it.
        expect(wire.versions(SECRET).map((v) => v.stages)).toEqual([['AWSCURRENT', 'AWSPENDING', UNPROMOTED]]);
      },
    );

    it('reports a secret it created as pending only, then as current once promoted', async () => {
      // Arrange
      const { store } = setUp();
      await store.putPending(SECRET, NEW_VERSION, NEW);

      // Act
      const before = await store.describe(SECRET);
      await store.promote(SECRET, NEW_VERSION);
      const after = await store.describe(SECRET);

      // Assert
      expect(before).toMatchObject({
        exists: true,
        current: null,
        pending: { versionId: NEW_VERSION },
        previous: null,
      });
      expect(after).toMatchObject({ exists: true, current: { versionId: NEW_VERSION }, pending: null, previous: null });
    });

    it('marks the first version of a secret that exists but is empty', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seedEmpty(SECRET);

      // Act
      await store.putPending(SECRET, NEW_VERSION, NEW);

      // Assert
      expect(wire.operations()).toEqual(['DescribeSecret', 'PutSecretValue']);
      expect(wire.versions(SECRET).map((v) => v.stages)).toEqual([['AWSCURRENT', 'AWSPENDING', UNPROMOTED]]);
    });

    it('goes on when CreateSecret answers ResourceExistsException (created meanwhile)', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.failNext('CreateSecret', {
        code: 'ResourceExistsException',
        status: 400,
        message: `The operation failed because the secret ${SECRET} already exists.`,
      });
      wire.failNext('DescribeSecret', { code: 'ResourceNotFoundException', status: 400 });
      wire.seedEmpty(SECRET);

      // Act
      const versionId = await store.putPending(SECRET, NEW_VERSION, NEW);

      // Assert
      expect(versionId).toBe(NEW_VERSION);
      expect(wire.operations()).toEqual(['DescribeSecret', 'CreateSecret', 'PutSecretValue']);
    });

    it('throws SecretCreateDeniedError with what to do when CreateSecret is denied', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.failNext('CreateSecret', DENIED);

      // Act
      const error = await store.putPending(SECRET, NEW_VERSION, NEW).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretCreateDeniedError);
      expect((error as Error).message).toContain(`secret ${SECRET} does not exist and the rotator may not create it`);
      expect((error as Error).message).toContain('secretsmanager:CreateSecret');
      expect(wire.operations()).toEqual(['DescribeSecret', 'CreateSecret']);
    });

    it('throws SecretNotFoundError without creating anything when a missing secret is named by ARN', async () => {
      // Arrange
      const { wire, store } = setUp();
      const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rotator/app-prod-AbCdEf';

      // Act
      const error = await store.putPending(arn, NEW_VERSION, NEW).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect(wire.operations()).toEqual(['DescribeSecret']);
    });

    it('throws AwsThrottledError when PutSecretValue is throttled', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      wire.failNext('PutSecretValue', THROTTLED);

      // Act
      const error = await store.putPending(SECRET, NEW_VERSION, NEW).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
    });

    it('throws AwsAccessDeniedError when PutSecretValue is denied', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      wire.failNext('PutSecretValue', DENIED);

      // Act
      const error = await store.putPending(SECRET, NEW_VERSION, NEW).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('secretsmanager:PutSecretValue');
    });

    it('withholds an AWS error message that quotes the secret value', async () => {
      // Arrange: a validation error that echoes the input, as some AWS validation messages do.
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      wire.failNext('PutSecretValue', {
        code: 'ValidationException',
        status: 400,
        message:
          `1 validation error detected: Value '${NEW_JSON.slice(0, 60)}' at 'secretString' failed to ` +
          `satisfy constraint`,
      });

      // Act
      const error = await store.putPending(SECRET, NEW_VERSION, NEW).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsCallFailedError);
      expect((error as AwsCallFailedError).cause).toMatchObject({
        name: 'ValidationException',
        message: '[message withheld: it quoted a secret value]',
      });
      expect(JSON.stringify(error)).not.toContain('new/key/secret');
    });
  });

  describe('Method: getVersion', () => {
    it('sends GetSecretValue by VersionId and returns the whole credential', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.requests.length = 0;

      // Act
      const credential = await store.getVersion(SECRET, NEW_VERSION);

      // Assert
      expect(sent(wire)).toEqual([
        { operation: 'GetSecretValue', params: { SecretId: SECRET, VersionId: NEW_VERSION } },
      ]);
      expect(credential.accessKeyId).toBe(NEW.accessKeyId);
      expect(credential.secretAccessKey.equals(NEW.secretAccessKey)).toBe(true);
      expect(credential.iamUserName).toBe(USER);
      expect(credential.createdAt).toEqual(NEW.createdAt);
    });

    it('throws SecretVersionNotFoundError when the secret exists but the version does not', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);

      // Act
      const error = await store.getVersion(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretVersionNotFoundError);
      expect(wire.operations()).toEqual(['GetSecretValue', 'DescribeSecret']);
    });

    it(
      'throws SecretVersionNotFoundError when it may not ask which one is missing (DescribeSecret ' + 'denied)',
      async () => {
        // Arrange: the verify-key and publish steps are allowed GetSecretValue only.
        const { wire, store } = setUp();
        wire.seed(SECRET, OLD);
        wire.failNext('DescribeSecret', DENIED);

        // Act
        const error = await store.getVersion(SECRET, NEW_VERSION).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(SecretVersionNotFoundError);
      },
    );

    it('throws SecretNotFoundError when the secret does not exist', async () => {
      // Arrange
      const { store } = setUp();

      // Act
      const error = await store.getVersion(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretNotFoundError);
    });

    it('throws AwsThrottledError when GetSecretValue is throttled', async () => {
      // Arrange
      const { wire, store } = setUp();
      const version = wire.seed(SECRET, OLD);
      wire.failNext('GetSecretValue', THROTTLED);

      // Act
      const error = await store.getVersion(SECRET, version).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
    });
  });

  describe('Method: promote', () => {
    it('moves AWSCURRENT from the current version, then removes AWSPENDING from the promoted one', async () => {
      // Arrange
      const { wire, store } = setUp();
      const old = wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.requests.length = 0;

      // Act
      await store.promote(SECRET, NEW_VERSION);

      // Assert
      expect(sent(wire)).toEqual([
        { operation: 'DescribeSecret', params: { SecretId: SECRET } },
        {
          operation: 'UpdateSecretVersionStage',
          params: {
            SecretId: SECRET,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: NEW_VERSION,
            RemoveFromVersionId: old,
          },
        },
        {
          operation: 'UpdateSecretVersionStage',
          params: { SecretId: SECRET, VersionStage: 'AWSPENDING', RemoveFromVersionId: NEW_VERSION },
        },
      ]);
      expect(wire.versions(SECRET).map(({ versionId, stages }) => ({ versionId, stages }))).toEqual([
        { versionId: old, stages: ['AWSPREVIOUS'] },
        { versionId: NEW_VERSION, stages: ['AWSCURRENT'] },
      ]);
    });

    it('changes nothing when the version is already current', async () => {
      // Arrange
      const { wire, store } = setUp();
      const old = wire.seed(SECRET, OLD);
      wire.requests.length = 0;

      // Act
      await store.promote(SECRET, old);

      // Assert
      expect(wire.operations()).toEqual(['DescribeSecret']);
    });

    it('removes the unpromoted marker before the pending label on a secret it created', async () => {
      // Arrange
      const { wire, store } = setUp();
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.requests.length = 0;

      // Act
      await store.promote(SECRET, NEW_VERSION);

      // Assert
      expect(sent(wire).slice(1)).toEqual([
        {
          operation: 'UpdateSecretVersionStage',
          params: { SecretId: SECRET, VersionStage: UNPROMOTED, RemoveFromVersionId: NEW_VERSION },
        },
        {
          operation: 'UpdateSecretVersionStage',
          params: { SecretId: SECRET, VersionStage: 'AWSPENDING', RemoveFromVersionId: NEW_VERSION },
        },
      ]);
    });

    it('throws SecretNotFoundError when the secret does not exist', async () => {
      // Arrange
      const { store } = setUp();

      // Act
      const error = await store.promote(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretNotFoundError);
    });

    it('throws SecretVersionNotFoundError without moving labels when the version carries none', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);

      // Act
      const error = await store.promote(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretVersionNotFoundError);
      expect(wire.operations()).toEqual(['DescribeSecret']);
    });

    it(
      'throws SecretVersionNotFoundError when UpdateSecretVersionStage answers ' + 'ResourceNotFoundException',
      async () => {
        // Arrange
        const { wire, store } = setUp();
        wire.seed(SECRET, OLD);
        await store.putPending(SECRET, NEW_VERSION, NEW);
        wire.failNext('UpdateSecretVersionStage', {
          code: 'ResourceNotFoundException',
          status: 400,
          message: "Secrets Manager can't find the specified secret.",
        });

        // Act
        const error = await store.promote(SECRET, NEW_VERSION).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(SecretVersionNotFoundError);
      },
    );

    it('throws AwsThrottledError when UpdateSecretVersionStage is throttled', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.failNext('UpdateSecretVersionStage', THROTTLED);

      // Act
      const error = await store.promote(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
    });

    it('throws AwsAccessDeniedError when UpdateSecretVersionStage is denied', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.failNext('UpdateSecretVersionStage', DENIED);

      // Act
      const error = await store.promote(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect((error as Error).message).toContain('secretsmanager:UpdateSecretVersionStage');
    });
  });

  describe('Method: dropPending', () => {
    it('sends UpdateSecretVersionStage removing AWSPENDING from the version', async () => {
      // Arrange
      const { wire, store } = setUp();
      const old = wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.requests.length = 0;

      // Act
      await store.dropPending(SECRET, NEW_VERSION);

      // Assert
      expect(sent(wire)).toEqual([
        { operation: 'DescribeSecret', params: { SecretId: SECRET } },
        {
          operation: 'UpdateSecretVersionStage',
          params: { SecretId: SECRET, VersionStage: 'AWSPENDING', RemoveFromVersionId: NEW_VERSION },
        },
      ]);
      expect(wire.versions(SECRET).map(({ versionId, stages }) => ({ versionId, stages }))).toEqual([
        { versionId: old, stages: ['AWSCURRENT'] },
        { versionId: NEW_VERSION, stages: [] },
      ]);
    });

    it('changes nothing when the version is not pending', async () => {
      // Arrange
      const { wire, store } = setUp();
      const old = wire.seed(SECRET, OLD);
      wire.requests.length = 0;

      // Act
      await store.dropPending(SECRET, old);

      // Assert
      expect(wire.operations()).toEqual(['DescribeSecret']);
    });

    it('leaves a secret it created reading as "exists, nothing current" (the marker stays)', async () => {
      // Arrange
      const { wire, store } = setUp();
      await store.putPending(SECRET, NEW_VERSION, NEW);

      // Act
      await store.dropPending(SECRET, NEW_VERSION);

      // Assert
      expect(await store.describe(SECRET)).toEqual({ exists: true, current: null, pending: null, previous: null });
      expect(wire.versions(SECRET).map((v) => v.stages)).toEqual([['AWSCURRENT', UNPROMOTED]]);
    });

    it('throws SecretNotFoundError when the secret does not exist', async () => {
      // Arrange
      const { store } = setUp();

      // Act
      const error = await store.dropPending(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(SecretNotFoundError);
    });

    it('throws AwsThrottledError when UpdateSecretVersionStage is throttled', async () => {
      // Arrange
      const { wire, store } = setUp();
      wire.seed(SECRET, OLD);
      await store.putPending(SECRET, NEW_VERSION, NEW);
      wire.failNext('UpdateSecretVersionStage', THROTTLED);

      // Act
      const error = await store.dropPending(SECRET, NEW_VERSION).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
    });
  });
});
