/** Small doubles shared by the Azure DevOps adapter tests: SSM parameters, virtual time, a capturing logger. */
import type { AzureDevOpsClientOptions, AzureDevOpsLogger, FetchFn } from '../../../../src/adapters/azure-devops/http-client.js';
import { AzureDevOpsServiceConnectionAdapter } from '../../../../src/adapters/azure-devops/service-connection.adapter.js';
import { ParameterNotFoundError } from '../../../../src/domain/errors.js';
import { SecretValue } from '../../../../src/domain/secret-value.js';
import type { SecureParametersPort } from '../../../../src/ports/parameters.port.js';

/** SecureString parameters in memory; a missing name throws `ParameterNotFoundError` like the SSM adapter. */
export class InMemorySecureParameters implements SecureParametersPort {
  readonly reads: string[] = [];
  constructor(private readonly values: Record<string, string>) {}

  set(name: string, value: string): void {
    this.values[name] = value;
  }

  async getSecure(name: string, purpose: string): Promise<SecretValue> {
    this.reads.push(name);
    const value = this.values[name];
    if (value === undefined) throw new ParameterNotFoundError(`parameter ${name} (${purpose}) does not exist`);
    return new SecretValue(value);
  }
}

/** A clock that only moves when the client sleeps (or the test advances it): retries cost no wall time. */
export function virtualTime(start = 1_700_000_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn';
  message: string;
  attributes?: Record<string, unknown>;
}

export function capturingLogger(): AzureDevOpsLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    debug: (message, attributes) => lines.push({ level: 'debug', message, ...(attributes ? { attributes } : {}) }),
    info: (message, attributes) => lines.push({ level: 'info', message, ...(attributes ? { attributes } : {}) }),
    warn: (message, attributes) => lines.push({ level: 'warn', message, ...(attributes ? { attributes } : {}) }),
  };
}

export interface AdapterKit {
  adapter: AzureDevOpsServiceConnectionAdapter;
  parameters: InMemorySecureParameters;
  time: ReturnType<typeof virtualTime>;
  logger: ReturnType<typeof capturingLogger>;
}

/** The real adapter with in-memory parameters, virtual time, no jitter randomness and a capturing logger. */
export function makeAdapter(
  options: { parameters?: Record<string, string>; fetch?: FetchFn; client?: Partial<AzureDevOpsClientOptions> } = {},
): AdapterKit {
  const parameters = new InMemorySecureParameters({ ...(options.parameters ?? {}) });
  const time = virtualTime();
  const logger = capturingLogger();
  const adapter = new AzureDevOpsServiceConnectionAdapter(parameters, options.fetch, logger, {
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
    ...options.client,
  });
  return { adapter, parameters, time, logger };
}
