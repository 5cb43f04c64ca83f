import type { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { inject, injectable } from 'inversify';
import { AwsThrottledError, ParameterNotFoundError } from '../../domain/errors.js';
import { SecretValue } from '../../domain/secret-value.js';
import type { SecureParametersPort } from '../../ports/parameters.port.js';
import { awsErrorCode, isAccessDenied, isThrottling, mapAwsError, redactedCause } from './aws-errors.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/** How long a value is kept in memory: a warm Lambda re-reads the PAT at most once a minute. */
export const PARAMETER_MAX_AGE_SECONDS = 60;

const NOT_FOUND_CODES = new Set(['ParameterNotFound', 'ParameterVersionNotFound']);

/**
 * SSM SecureString parameters (the Azure DevOps credential, the Slack webhook URL), read with
 * decryption through Powertools' `SSMProvider`, which caches them for a minute.
 *
 * A parameter that is missing or cannot be read (no `ssm:GetParameter`, no `kms:Decrypt`) is a
 * `ParameterNotFoundError`, a refusal: a human must create or share it, and nothing was changed.
 */
@injectable()
export class SsmSecureParameters implements SecureParametersPort {
  private readonly provider: SSMProvider;

  constructor(@inject(ADAPTER_TOKENS.SsmClient) ssm: SSMClient) {
    this.provider = new SSMProvider({ awsSdkV3Client: ssm });
  }

  async getSecure(name: string, purpose: string): Promise<SecretValue> {
    const context = { parameter: name };
    let value: string | undefined;
    try {
      value = await this.provider.get(name, { decrypt: true, maxAge: PARAMETER_MAX_AGE_SECONDS });
    } catch (thrown) {
      // Powertools wraps the SDK's error in a GetParameterError; the AWS code is on its cause.
      const error =
        (thrown as { name?: unknown; cause?: unknown }).name === 'GetParameterError'
          ? (thrown as { cause?: unknown }).cause
          : thrown;
      const cause = redactedCause(error);
      const code = awsErrorCode(error) ?? 'UnknownError';
      if (NOT_FOUND_CODES.has(code)) {
        throw new ParameterNotFoundError(
          `SSM parameter ${name} does not exist: create a SecureString parameter ${name} holding ${purpose}`,
          {
            context,
            cause,
          },
        );
      }
      if (isThrottling(error)) {
        throw new AwsThrottledError(`AWS throttled ssm:GetParameter on ${name} (${code}); retry with backoff`, {
          context,
          cause,
        });
      }
      if (isAccessDenied(error) || code === 'InvalidKeyId') {
        throw new ParameterNotFoundError(
          `SSM parameter ${name} (${purpose}) cannot be read (${code}): allow the rotator's role ` +
            `ssm:GetParameter on it and kms:Decrypt on its KMS key`,
          { context, cause },
        );
      }
      throw mapAwsError(error, { action: 'ssm:GetParameter', resource: `SSM parameter ${name}`, context });
    }
    if (!value) {
      throw new ParameterNotFoundError(
        `SSM parameter ${name} is empty: put ${purpose} in the SecureString parameter ${name}`,
        { context },
      );
    }
    return new SecretValue(value);
  }
}
