import { AzureDevOpsHttpClient } from '../../../../src/adapters/azure-devops/http-client.js';
/** Small doubles shared by the Azure DevOps adapter tests: SSM parameters, virtual time, a capturing logger. */
import { FakeSecureParameters } from '../../../../local/fakes/fake-secure-parameters.js';
import type {
  AzureDevOpsClientOptions,
  AzureDevOpsLogger,
  FetchFn,
} from '../../../../src/adapters/azure-devops/http-client.js';
import { AzureDevOpsServiceConnectionAdapter } from '../../../../src/adapters/azure-devops/index.js';

// The one SecureParametersPort fake, re-exported for the adapter tests that build their adapter by hand.
export { FakeSecureParameters };

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
  parameters: FakeSecureParameters;
  time: ReturnType<typeof virtualTime>;
  logger: ReturnType<typeof capturingLogger>;
}

/** The real adapter with in-memory parameters, virtual time, no jitter randomness and a capturing logger. */
export function makeAdapter(
  options: { parameters?: Record<string, string>; fetch?: FetchFn; client?: Partial<AzureDevOpsClientOptions> } = {},
): AdapterKit {
  const parameters = new FakeSecureParameters({ ...(options.parameters ?? {}) });
  const time = virtualTime();
  const logger = capturingLogger();
  const adapter = new AzureDevOpsServiceConnectionAdapter(
    new AzureDevOpsHttpClient(parameters, options.fetch, logger, {
      sleep: time.sleep,
      now: time.now,
      random: () => 0.5,
      ...options.client,
    }),
  );
  return { adapter, parameters, time, logger };
}
