import type { SecretValue } from '../domain/secret-value.js';

/**
 * Secure configuration values (SSM SecureString): the Azure DevOps credential and the Slack webhook URL.
 * Throws `ParameterNotFoundError` naming the parameter and what it should hold.
 */
export interface SecureParametersPort {
  /** `purpose` is used in the error message, e.g. "the Azure DevOps PAT for target app-prod". */
  getSecure(name: string, purpose: string): Promise<SecretValue>;
}
