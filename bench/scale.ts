// Over 300 lines: one scale measurement (the synthesized state machine over many targets) and the reports read
// from its records (rate limits, retry waits), which share the run's records.
/**
 * One execution of the CDK-synthesized state machine over many targets, run by
 * aws-local-stepfunctions with the real handlers (as `npm run demo` does): AWS as the in-memory
 * fakes, Azure DevOps as the local stand-in spoken to by the REAL adapter, the stand-in enforcing
 * a rate limit with 429 + Retry-After.
 *
 * What it reports, and why:
 * - execution time and peak memory: does a 1,000-target run fit in one execution and one machine;
 * - 429s not followed by a successful retry of the same request: must be 0 (the adapter honours
 *   Retry-After), cross-checked by the adapter errors that a 429 caused (AzureDevOpsUnavailable);
 * - state transitions per target: Step Functions Standard bills per transition, retries included;
 * - Lambda invocations per target and step: the other half of the bill (bench/cost.ts).
 *
 * Like the demo, the fake clock moves 2 s per task and a new key takes 4 s to authenticate, so
 * every target's verify-key is retried once, as it usually is against IAM. Waits and retry
 * intervals of the state machine are zero locally; the adapter's Retry-After waits are real.
 */
import { synthesizeLocally, runStateMachineLocally } from '../local/local-run.js';
import { deployedObjects } from '../infra/run-data.js';
import type { FetchFn } from '../src/adapters/azure-devops/index.js';
import { ROTATION_CONFIG } from '../src/adapters/config/config-targets.adapter.js';
import type { RotationConfig } from '../src/domain/config.js';
import { ERROR_NAMES } from '../src/domain/errors.js';
import { TOKENS } from '../src/ports/tokens.js';
import { type RecordedRequest, startAdoStandIn } from '../local/ado-stand-in/index.js';
import { FakeWorld } from '../local/fakes/world.js';
import { type LocalHandler, localTaskHandlers } from '../local/local-handlers.js';
import { reportsOf } from '../local/local-state-machine.js';
import { BENCH_PAT, PAT_PARAMETER } from './bundle-world.js';
import { round, type Summary, summarize } from './stats.js';
import { ADAPTER_TOKENS } from '../src/wiring/tokens.js';

export interface ScaleOptions {
  targets: number;
  /** The stand-in's limit: at most `limit` API requests per `windowMs`, then 429 with Retry-After. */
  rateLimit: { limit: number; windowMs: number };
  /** The Map's concurrency; the product's default is 5. */
  maxConcurrency: number;
}

export interface RateLimitReport {
  /** Requests the stand-in answered 429. */
  answered429: number;
  /** 429s whose same request (method and URL) next got a 2xx. */
  retriedSuccessfully: number;
  /** answered429 − retriedSuccessfully: must be 0. */
  notRetriedCorrectly: number;
  /** Task failures or retries with AzureDevOpsUnavailableError (the adapter gave up on a 429): must be 0. */
  adapterErrors: number;
  /**
   * Seen from the adapter's side (a recording fetch): how long it waited after each 429 before
   * sending the same request again, and how many of those waits were shorter than Retry-After.
   */
  waits: {
    count: number;
    minMs: number | null;
    medianMs: number | null;
    totalMs: number;
    shorterThanRetryAfter: number;
  };
}

export interface ScaleResult {
  targets: number;
  maxConcurrency: number;
  rateLimit: ScaleOptions['rateLimit'];
  status: 'SUCCEEDED' | 'FAILED';
  /** Report outcome → number of targets. */
  outcomes: Record<string, number>;
  /** Every target: the connection and the secret's AWSCURRENT hold the same, new key. */
  allConsistent: boolean;
  synthMs: number;
  executionMs: number;
  memory: { baselineRssBytes: number; peakRssBytesSampled: number; processMaxRssBytes: number };
  azureDevOps: {
    requests: number;
    /** Successful (2xx) requests per target, by kind. */
    perRotation: Record<string, number>;
    successfulPerRotation: number;
    rateLimit: RateLimitReport;
  };
  transitions: {
    stateEntered: number;
    retries: number;
    /** StateEntered / targets, as issue #9 defines it. */
    enteredPerTarget: number;
    /** (StateEntered + StateRetried) / targets: Step Functions bills a retry as a transition too. */
    billedPerTarget: number;
    byState: Record<string, number>;
    retriesByState: Record<string, number>;
  };
  /** Lambda invocations per target, per step (a Retry re-invokes the function). */
  invocationsPerTarget: Record<string, number>;
  /** How long each task took inside this run (concurrent lanes share one event loop; includes Retry-After waits). */
  taskDurationsUnderLoad: Record<string, Summary>;
}

export async function measureScale(options: ScaleOptions): Promise<ScaleResult> {
  const world = new FakeWorld({ targets: 0, propagationMs: 4_000, start: new Date() });
  world.parameters.set(PAT_PARAMETER, BENCH_PAT);
  const ado = await startAdoStandIn({ pat: BENCH_PAT, organizations: ['contoso'], rateLimit: options.rateLimit });
  try {
    const config: RotationConfig = {
      targets: Array.from({ length: options.targets }, (_, i) => {
        const name = `service-${String(i + 1).padStart(4, '0')}`;
        return {
          name,
          iamUserName: `ado-${name}`,
          secretId: `ado-key-rotator/${name}`,
          connection: {
            organizationUrl: ado.organizationUrl('contoso'),
            project: 'payments',
            connectionName: `aws-${name}`,
            credentialParameter: PAT_PARAMETER,
          },
        };
      }),
      settings: world.targets.settings,
      schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
      maxConcurrency: options.maxConcurrency,
      // The stand-in listens on http://127.0.0.1: a local run, opted in.
      allowLoopbackHttp: true,
    };
    const connectionIds = new Map<string, string>();
    for (const target of config.targets) {
      world.targets.add(target);
      const key = world.iam.seedKey(target.iamUserName, {
        createdAt: new Date(world.clock.now().getTime() - 8 * 86_400_000),
      });
      world.secrets.seed(target.secretId, { ...key, iamUserName: target.iamUserName });
      const id = ado.seedConnection(target.connection, {
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
        projects: ['payments', 'shared-services'],
      });
      connectionIds.set(target.name, id);
    }

    const synthStart = performance.now();
    const { definition } = synthesizeLocally(config);
    const synthMs = performance.now() - synthStart;

    // The real Azure DevOps adapter (production binding) against the stand-in; everything else the
    // fakes. Its fetch records each answer's time and Retry-After, to check the waits it honoured.
    const fetches: FetchRecord[] = [];
    const recordingFetch: FetchFn = async (input, init) => {
      const startedAt = performance.now();
      const response = await globalThis.fetch(input, init);
      fetches.push({
        key: `${init?.method ?? 'GET'} ${String(input)}`,
        startedAt,
        answeredAt: performance.now(),
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
      });
      return response;
    };
    const handlers = localTaskHandlers(world, {
      secondsBetweenTasks: 2,
      overrides: [
        [ROTATION_CONFIG, config],
        [ADAPTER_TOKENS.Fetch, recordingFetch],
      ],
      keepReal: [TOKENS.AzureDevOps],
    });
    const durations: Record<string, number[]> = Object.fromEntries(Object.keys(handlers).map((name) => [name, []]));
    const timed = Object.fromEntries(
      Object.entries(handlers).map(([name, handler]) => {
        const wrapped: LocalHandler = async (input) => {
          const start = performance.now();
          try {
            return await handler(input);
          } finally {
            durations[name]?.push(performance.now() - start);
          }
        };
        return [name, wrapped];
      }),
    );

    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 25);
    const runStart = performance.now();
    let run: Awaited<ReturnType<typeof runStateMachineLocally>>;
    try {
      run = await runStateMachineLocally({
        definition,
        handlers: timed,
        input: { mode: 'rotate' },
        s3: world.runData,
        deployedObjects: deployedObjects(config),
      });
    } finally {
      clearInterval(sampler);
    }
    const executionMs = performance.now() - runStart;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    // Outcomes, and the invariant that matters: what the connection holds is the secret's current key.
    const reports = await reportsOf(world, run);
    const outcomes: Record<string, number> = {};
    for (const report of reports) outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1;
    const allConsistent =
      reports.length === options.targets &&
      config.targets.every((t) => {
        const held = ado.connection(connectionIds.get(t.name) as string)?.accessKeyId;
        return (
          held !== undefined &&
          held === world.secrets.keyIdAt(t.secretId, 'AWSCURRENT') &&
          world.iam.keys(t.iamUserName).some((k) => k.accessKeyId === held && k.status === 'Active')
        );
      });

    // State transitions and Lambda invocations.
    const byState: Record<string, number> = {};
    const retriesByState: Record<string, number> = {};
    const invocations: Record<string, number> = {};
    let adapterErrors = 0;
    for (const event of run.events) {
      const name = event.stateName ?? '?';
      if (event.type === 'StateEntered') {
        byState[name] = (byState[name] ?? 0) + 1;
        // Lambda tasks only (not the Distributed Map or the S3 write the local run executes as tasks).
        if (event.stateType === 'Task' && name in handlers) invocations[name] = (invocations[name] ?? 0) + 1;
      }
      if (event.type === 'StateRetried') {
        retriesByState[name] = (retriesByState[name] ?? 0) + 1;
        invocations[name] = (invocations[name] ?? 0) + 1;
      }
      if (
        (event.type === 'StateRetried' || event.type === 'StateFailed' || event.type === 'StateCaught') &&
        event.error === ERROR_NAMES.AzureDevOpsUnavailable
      ) {
        adapterErrors++;
      }
    }
    const stateEntered = Object.values(byState).reduce((a, b) => a + b, 0);
    const retries = Object.values(retriesByState).reduce((a, b) => a + b, 0);

    const requests = ado.requests;
    const successful = requests.filter((r) => r.status >= 200 && r.status < 300);
    const perRotation: Record<string, number> = {};
    for (const r of successful) {
      const kind = requestKind(r);
      perRotation[kind] = (perRotation[kind] ?? 0) + 1;
    }
    for (const kind of Object.keys(perRotation))
      perRotation[kind] = round((perRotation[kind] as number) / options.targets, 3);

    return {
      targets: options.targets,
      maxConcurrency: options.maxConcurrency,
      rateLimit: options.rateLimit,
      status: run.status,
      outcomes,
      allConsistent,
      synthMs: round(synthMs),
      executionMs: round(executionMs),
      memory: {
        baselineRssBytes: baselineRss,
        peakRssBytesSampled: peakRss,
        processMaxRssBytes: process.resourceUsage().maxRSS * 1024,
      },
      azureDevOps: {
        requests: requests.length,
        perRotation,
        successfulPerRotation: round(successful.length / options.targets, 3),
        rateLimit: { ...rateLimitReport(requests), adapterErrors, waits: retryWaits(fetches) },
      },
      transitions: {
        stateEntered,
        retries,
        enteredPerTarget: round(stateEntered / options.targets, 3),
        billedPerTarget: round((stateEntered + retries) / options.targets, 3),
        byState,
        retriesByState,
      },
      invocationsPerTarget: Object.fromEntries(
        Object.entries(invocations).map(([step, n]) => [step, round(n / options.targets, 3)]),
      ),
      // Steps that never ran (rollback, in a run where nothing fails) have no samples.
      taskDurationsUnderLoad: Object.fromEntries(
        Object.entries(durations)
          .filter(([, samples]) => samples.length > 0)
          .map(([step, samples]) => [step, summarize(samples)]),
      ),
    };
  } finally {
    await ado.close();
  }
}

/**
 * Follows every 429 to what happened next to the same request (same method and URL: the URL names
 * the connection, and one connection is only ever worked on by one Map iteration at a time).
 */
export function rateLimitReport(
  requests: readonly RecordedRequest[],
): Omit<RateLimitReport, 'adapterErrors' | 'waits'> {
  const pending = new Map<string, number>();
  let answered429 = 0;
  let retriedSuccessfully = 0;
  for (const r of requests) {
    const key = `${r.method} ${r.url}`;
    if (r.status === 429) {
      answered429++;
      pending.set(key, (pending.get(key) ?? 0) + 1);
      continue;
    }
    const waiting = pending.get(key) ?? 0;
    if (waiting === 0) continue;
    if (r.status >= 200 && r.status < 300) retriedSuccessfully += waiting;
    pending.delete(key);
  }
  return { answered429, retriedSuccessfully, notRetriedCorrectly: answered429 - retriedSuccessfully };
}

interface FetchRecord {
  key: string;
  startedAt: number;
  answeredAt: number;
  status: number;
  retryAfter: string | null;
}

/**
 * For each 429 the adapter received: the time until it sent the same request again, against the Retry-After it was
 * given.
 */
export function retryWaits(fetches: readonly FetchRecord[]): RateLimitReport['waits'] {
  // Timers may fire up to a millisecond early against performance.now(); that is not a shorter wait.
  const toleranceMs = 2;
  const waits: number[] = [];
  let shorter = 0;
  for (const [i, f] of fetches.entries()) {
    if (f.status !== 429) continue;
    const next = fetches.slice(i + 1).find((g) => g.key === f.key);
    if (!next) continue;
    const wait = next.startedAt - f.answeredAt;
    waits.push(wait);
    const asked = Number(f.retryAfter) * 1000;
    if (Number.isFinite(asked) && wait + toleranceMs < asked) shorter++;
  }
  const summary = waits.length > 0 ? summarize(waits) : undefined;
  return {
    count: waits.length,
    minMs: summary?.min ?? null,
    medianMs: summary?.median ?? null,
    totalMs: round(waits.reduce((sum, w) => sum + w, 0)),
    shorterThanRetryAfter: shorter,
  };
}

function requestKind(r: RecordedRequest): string {
  if (/\/endpoints\/[^/]+$/.test(r.path)) return `${r.method} by id`;
  return `${r.method} list by name`;
}
