/**
 * The behaviour every `SecureParametersPort` must have, run against the fake and the SSM adapter
 * (over the SSM wire stub).
 */
import { describe, expect, it } from 'vitest';
import { ParameterNotFoundError } from '../../src/domain/errors.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { SecureParametersPort } from '../../src/ports/parameters.port.js';

/** Builds a port whose backend holds exactly `values` (SecureString parameters). */
export type SecureParametersFactory = (
  values: Record<string, string>,
) => SecureParametersPort | Promise<SecureParametersPort>;

const NAME = '/rotator/azure-devops/pat';
const VALUE = 'ado-pat-value-000000000000000000000000000000000000';
const PURPOSE = 'the Azure DevOps PAT for target app-prod';

export function secureParametersContract(label: string, makePort: SecureParametersFactory): void {
  describe(`SecureParametersPort contract: ${label}`, () => {
    it('returns the value as a SecretValue that renders redacted', async () => {
      // Arrange
      const port = await makePort({ [NAME]: VALUE });

      // Act
      const value = await port.getSecure(NAME, PURPOSE);

      // Assert
      expect(value).toBeInstanceOf(SecretValue);
      expect(value.reveal()).toBe(VALUE);
      expect(`${value}`).toBe('[REDACTED]');
    });

    it('throws ParameterNotFoundError naming the parameter and what to put in it', async () => {
      // Arrange
      const port = await makePort({ '/another/parameter': VALUE });

      // Act
      const error = await port.getSecure(NAME, PURPOSE).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(ParameterNotFoundError);
      expect((error as Error).message).toContain(`SSM parameter ${NAME} does not exist`);
      expect((error as Error).message).toContain(`create a SecureString parameter ${NAME} holding ${PURPOSE}`);
      expect((error as ParameterNotFoundError).context).toEqual({ parameter: NAME });
    });
  });
}
