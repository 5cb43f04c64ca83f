import { ParameterNotFoundError } from '../../src/domain/errors.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { SecureParametersPort } from '../../src/ports/parameters.port.js';

/**
 * SSM SecureString parameters in memory: the one fake of `SecureParametersPort` (a missing name fails like the SSM
 * adapter).
 */
export class FakeSecureParameters implements SecureParametersPort {
  /** The names read, in order. */
  readonly reads: string[] = [];

  constructor(private readonly values: Record<string, string> = {}) {}

  set(name: string, value: string): void {
    this.values[name] = value;
  }

  delete(name: string): void {
    delete this.values[name];
  }

  /** The names of the parameters that exist (the demo shows that no Azure DevOps secret is among them). */
  names(): string[] {
    return Object.keys(this.values).sort();
  }

  async getSecure(name: string, purpose: string): Promise<SecretValue> {
    this.reads.push(name);
    const value = this.values[name];
    if (value === undefined) {
      throw new ParameterNotFoundError(
        `SSM parameter ${name} does not exist; create a SecureString parameter ${name} holding ${purpose}`,
        {
          context: { parameter: name },
        },
      );
    }
    return new SecretValue(value);
  }
}
