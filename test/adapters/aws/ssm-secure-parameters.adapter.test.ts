import { describe, expect, it } from 'vitest';
import { SsmSecureParameters } from '../../../src/adapters/aws/ssm-secure-parameters.adapter.js';
import { AwsCallFailedError, AwsThrottledError, ParameterNotFoundError } from '../../../src/domain/errors.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { testSsmClient } from '../../../local/aws-wire/clients.js';
import { SsmWire } from '../../../local/aws-wire/ssm-wire.js';

const PAT_PARAMETER = '/rotator/azure-devops/pat';
const PAT = 'ado-pat-value-000000000000000000000000000000000000';
const PURPOSE = 'the Azure DevOps PAT for target app-prod';

function setUp(values: Record<string, string> = { [PAT_PARAMETER]: PAT }) {
  const wire = new SsmWire(values).install();
  const parameters = new SsmSecureParameters(testSsmClient());
  return { wire, parameters };
}

describe('Class: SsmSecureParameters', () => {
  describe('Method: getSecure', () => {
    it('sends GetParameter with WithDecryption: true and returns the decrypted value as a SecretValue', async () => {
      // Arrange
      const { wire, parameters } = setUp();

      // Act
      const value = await parameters.getSecure(PAT_PARAMETER, PURPOSE);

      // Assert
      expect(wire.requests.map(({ operation, params }) => ({ operation, params }))).toEqual([
        { operation: 'GetParameter', params: { Name: PAT_PARAMETER, WithDecryption: true } },
      ]);
      expect(value).toBeInstanceOf(SecretValue);
      expect(value.reveal()).toBe(PAT);
      expect(String(value)).toBe('[REDACTED]');
    });

    it('serves a second read within a minute from its cache', async () => {
      // Arrange
      const { wire, parameters } = setUp();
      await parameters.getSecure(PAT_PARAMETER, PURPOSE);

      // Act
      const again = await parameters.getSecure(PAT_PARAMETER, PURPOSE);

      // Assert
      expect(again.reveal()).toBe(PAT);
      expect(wire.requests).toHaveLength(1);
    });

    it(
      'throws ParameterNotFoundError naming the parameter and what it must hold when SSM answers ' +
        'ParameterNotFound',
      async () => {
        // Arrange
        const { parameters } = setUp({});

        // Act
        const error = await parameters.getSecure(PAT_PARAMETER, PURPOSE).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ParameterNotFoundError);
        expect((error as Error).message).toBe(
          `SSM parameter ${PAT_PARAMETER} does not exist: create a SecureString parameter ${PAT_PARAMETER} ` +
            `holding ${PURPOSE}`,
        );
        expect((error as ParameterNotFoundError).cause).toMatchObject({ name: 'ParameterNotFound' });
      },
    );

    it('throws ParameterNotFoundError saying what to grant when SSM answers AccessDeniedException', async () => {
      // Arrange
      const { wire, parameters } = setUp();
      wire.failNext('GetParameter', {
        code: 'AccessDeniedException',
        status: 400,
        message:
          'User: arn:aws:sts::123456789012:assumed-role/rotator/fn is not authorized to perform: ssm:GetParameter',
      });

      // Act
      const error = await parameters.getSecure(PAT_PARAMETER, PURPOSE).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ParameterNotFoundError);
      expect((error as Error).message).toContain(
        `SSM parameter ${PAT_PARAMETER} (${PURPOSE}) cannot be read (AccessDenied)`,
      );
      expect((error as Error).message).toContain('kms:Decrypt');
    });

    it('throws ParameterNotFoundError when SSM answers ParameterVersionNotFound (a name with a :version)', async () => {
      // Arrange
      const { wire, parameters } = setUp();
      wire.failNext('GetParameter', {
        code: 'ParameterVersionNotFound',
        status: 400,
        message: 'Systems Manager could not find version 7 of /rotator/azure-devops/pat.',
      });

      // Act
      const error = await parameters.getSecure(`${PAT_PARAMETER}:7`, PURPOSE).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ParameterNotFoundError);
      expect((error as Error).message).toContain(`SSM parameter ${PAT_PARAMETER}:7 does not exist`);
    });

    it(
      'throws ParameterNotFoundError saying what to grant when SSM answers InvalidKeyId (its KMS key is ' + 'unusable)',
      async () => {
        // Arrange
        const { wire, parameters } = setUp();
        wire.failNext('GetParameter', { code: 'InvalidKeyId', status: 400, message: 'The query key ID is not valid.' });

        // Act
        const error = await parameters.getSecure(PAT_PARAMETER, PURPOSE).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ParameterNotFoundError);
        expect((error as Error).message).toContain('cannot be read (InvalidKeyId)');
      },
    );

    it('throws AwsThrottledError when SSM answers ThrottlingException', async () => {
      // Arrange
      const { wire, parameters } = setUp();
      wire.failNext('GetParameter', { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' });

      // Act
      const error = await parameters.getSecure(PAT_PARAMETER, PURPOSE).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsThrottledError);
    });

    it('throws AwsCallFailedError for any other SSM error (InternalServerError)', async () => {
      // Arrange
      const { wire, parameters } = setUp();
      wire.failNext('GetParameter', {
        code: 'InternalServerError',
        status: 500,
        message: 'An error occurred on the server side.',
      });

      // Act
      const error = await parameters.getSecure(PAT_PARAMETER, PURPOSE).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(AwsCallFailedError);
      expect((error as Error).message).toContain('ssm:GetParameter');
    });
  });
});
