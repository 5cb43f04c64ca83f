const REDACTED = '[REDACTED]';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * A secret (secret access key, PAT, webhook URL) that cannot leak by accident.
 *
 * `String(x)`, template literals, `JSON.stringify` and `console.log`/`util.inspect` all
 * print `[REDACTED]`; the only way to the value is an explicit `reveal()`, which is called
 * at the two places a secret must cross a wire (Secrets Manager and Azure DevOps).
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError('SecretValue needs a non-empty string');
    }
    this.#value = value;
  }

  /** The raw value. Call it only where the secret must be sent to its destination. */
  reveal(): string {
    return this.#value;
  }

  /** True when both hold the same secret, without revealing either. */
  equals(other: SecretValue): boolean {
    return other instanceof SecretValue && other.#value === this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspectSymbol](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

/** Shows only the last four characters of an identifier, e.g. `****************WXYZ`. */
export function maskKeyId(accessKeyId: string): string {
  if (accessKeyId.length <= 4) return '****';
  return `${'*'.repeat(accessKeyId.length - 4)}${accessKeyId.slice(-4)}`;
}
