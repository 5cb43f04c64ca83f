import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStsClientFactory } from '../../../src/adapters/aws/clients.js';
import { isIamUserArn, StsKeyVerifierAdapter } from '../../../src/adapters/aws/sts-key-verifier.adapter.js';
import { KeyNotYetUsableError, KeyVerificationFailedError } from '../../../src/domain/errors.js';
import type { AccessKeyCredential } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { TEST_REGION, testStsClientFactory } from '../../../local/aws-wire/clients.js';
import { StsWire } from '../../../local/aws-wire/sts-wire.js';

const USER = 'app-deployer';
const USER_ARN = `arn:aws:iam::123456789012:user/${USER}`;
const NEW_KEY: AccessKeyCredential = {
  accessKeyId: 'AKIANEWKEY0000000001',
  secretAccessKey: new SecretValue('new/key/secret/0000000000000000000000000'),
};

function setUp() {
  const wire = new StsWire().install();
  // The production factory: explicit credentials, no SDK retries.
  const adapter = new StsKeyVerifierAdapter(createStsClientFactory({ region: TEST_REGION }));
  return { wire, adapter };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Class: StsKeyVerifierAdapter', () => {
  describe('Method: verify', () => {
    it('sends GetCallerIdentity signed with the new key, not with the default credentials', async () => {
      // Arrange: default credentials in the environment that must not be used.
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIADEFAULTCHAIN0001');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'default/chain/secret/00000000000000000000');
      const { wire, adapter } = setUp();
      wire.addKey(NEW_KEY.accessKeyId, USER_ARN);

      // Act
      await adapter.verify(USER, NEW_KEY);

      // Assert
      expect(wire.requests).toEqual([{ operation: 'GetCallerIdentity', params: {}, signedWith: NEW_KEY.accessKeyId }]);
    });

    it('resolves when the key authenticates as the IAM user, with an IAM path', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.addKey(NEW_KEY.accessKeyId, `arn:aws:iam::123456789012:user/ci/deployers/${USER}`);

      // Act
      const result = adapter.verify(USER, NEW_KEY);

      // Assert
      await expect(result).resolves.toBeUndefined();
    });

    it('rejects a key of a same-named user in another account or path (iamUserArn, assumeRole)', async () => {
      // Arrange: the target's user is /ci/app-deployer in account 222222222222.
      const { wire, adapter } = setUp();
      const expected = { userName: USER, path: '/ci/', accountId: '222222222222' };
      wire.addKey(NEW_KEY.accessKeyId, `arn:aws:iam::123456789012:user/ci/${USER}`);
      wire.addKey('AKIANEWKEY0000000002', `arn:aws:iam::222222222222:user/${USER}`);
      wire.addKey('AKIANEWKEY0000000003', `arn:aws:iam::222222222222:user/ci/${USER}`);
      const other = (id: string) => ({ ...NEW_KEY, accessKeyId: id });

      // Act
      const wrongAccount = await adapter.verify(expected, NEW_KEY).catch((e: unknown) => e);
      const wrongPath = await adapter.verify(expected, other('AKIANEWKEY0000000002')).catch((e: unknown) => e);
      const right = adapter.verify(expected, other('AKIANEWKEY0000000003'));

      // Assert
      expect(wrongAccount).toBeInstanceOf(KeyVerificationFailedError);
      expect((wrongAccount as Error).message).toContain(`not as IAM user /ci/${USER} in account 222222222222`);
      expect(wrongPath).toBeInstanceOf(KeyVerificationFailedError);
      await expect(right).resolves.toBeUndefined();
    });

    it(
      'throws KeyVerificationFailedError naming both identities when the key authenticates as ' + 'another user',
      async () => {
        // Arrange
        const { wire, adapter } = setUp();
        wire.addKey(NEW_KEY.accessKeyId, 'arn:aws:iam::123456789012:user/someone-else');

        // Act
        const error = await adapter.verify(USER, NEW_KEY).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(KeyVerificationFailedError);
        expect((error as Error).message).toBe(
          `access key ${NEW_KEY.accessKeyId} authenticates as arn:aws:iam::123456789012:user/someone-else, not ` +
            `as IAM user ${USER}`,
        );
      },
    );

    it(
      'throws KeyVerificationFailedError when the key authenticates as a role session, even one named like ' +
        'the user',
      async () => {
        // Arrange
        const { wire, adapter } = setUp();
        wire.addKey(NEW_KEY.accessKeyId, `arn:aws:sts::123456789012:assumed-role/deployer/${USER}`);

        // Act
        const error = await adapter.verify(USER, NEW_KEY).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(KeyVerificationFailedError);
      },
    );

    it('throws KeyNotYetUsableError when STS answers InvalidClientTokenId (the key is still propagating)', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.addKey(NEW_KEY.accessKeyId, USER_ARN, { propagatingCalls: 1 });

      // Act
      const error = await adapter.verify(USER, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(KeyNotYetUsableError);
      expect((error as Error).message).toContain('(InvalidClientTokenId)');
      expect((error as KeyNotYetUsableError).cause).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
    });

    it('throws KeyNotYetUsableError when STS answers SignatureDoesNotMatch', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.addKey(NEW_KEY.accessKeyId, USER_ARN);
      wire.failNext('GetCallerIdentity', {
        code: 'SignatureDoesNotMatch',
        status: 403,
        message: 'The request signature we calculated does not match the signature you provided.',
      });

      // Act
      const error = await adapter.verify(USER, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(KeyNotYetUsableError);
      expect((error as Error).message).toContain('(SignatureDoesNotMatch)');
    });

    it('throws KeyVerificationFailedError for any other STS error (AccessDenied)', async () => {
      // Arrange
      const { wire, adapter } = setUp();
      wire.addKey(NEW_KEY.accessKeyId, USER_ARN);
      wire.failNext('GetCallerIdentity', {
        code: 'AccessDenied',
        status: 403,
        message: 'explicit deny in a service control policy',
      });

      // Act
      const error = await adapter.verify(USER, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(KeyVerificationFailedError);
      expect((error as Error).message).toContain('rejected by STS (AccessDenied)');
    });

    it('makes one attempt even when the injected factory configured SDK retries', async () => {
      // Arrange: a factory whose clients would retry three times.
      const wire = new StsWire().install();
      wire.failNext('GetCallerIdentity', { code: 'Throttling', status: 400, message: 'Rate exceeded', times: 3 });
      const adapter = new StsKeyVerifierAdapter(testStsClientFactory({ maxAttempts: 3 }));

      // Act
      const error = await adapter.verify(USER, NEW_KEY).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(KeyVerificationFailedError);
      expect(wire.requests).toHaveLength(1);
    });

    it('destroys the per-key client after the call', async () => {
      // Arrange
      const wire = new StsWire().install();
      wire.addKey(NEW_KEY.accessKeyId, USER_ARN);
      const factory = createStsClientFactory({ region: TEST_REGION });
      const destroyed: string[] = [];
      const adapter = new StsKeyVerifierAdapter((credential) => {
        const client = factory(credential);
        const destroy = client.destroy.bind(client);
        client.destroy = () => {
          destroyed.push(credential.accessKeyId);
          destroy();
        };
        return client;
      });

      // Act
      await adapter.verify(USER, NEW_KEY);

      // Assert
      expect(destroyed).toEqual([NEW_KEY.accessKeyId]);
    });
  });

  describe('Function: isIamUserArn', () => {
    it.each([
      [`arn:aws:iam::123456789012:user/${USER}`, true],
      [`arn:aws:iam::123456789012:user/a/b/${USER}`, true],
      [`arn:aws-cn:iam::123456789012:user/${USER}`, true],
      [`arn:aws-us-gov:iam::123456789012:user/${USER}`, true],
      [`arn:aws:iam::123456789012:user/${USER}-2`, false],
      [`arn:aws:iam::123456789012:user/x${USER}`, false],
      [`arn:aws:iam::123456789012:role/${USER}`, false],
      [`arn:aws:sts::123456789012:assumed-role/r/${USER}`, false],
      [`arn:aws:iam::123456789012:root`, false],
      [`arn:aws:iam:us-east-1:123456789012:user/${USER}`, false],
      [`arn:aws:iam::12345:user/${USER}`, false],
      [`not-an-arn`, false],
    ])('%s is the user: %s', (arn, expected) => {
      expect(isIamUserArn(arn, USER)).toBe(expected);
    });
  });
});
