/**
 * A fleet run under the Step Functions quota model: the CDK-synthesized state machine (the
 * Distributed Map, one Standard child execution per target) run locally with the real handlers
 * over the in-memory fakes (AWS and Azure DevOps: the rate-limited Azure DevOps stand-in is
 * bench/scale.ts's subject, not this one's), every quota of local/local-quotas.ts enforced on the
 * parent and on each child, and the virtual clock (local/virtual-clock.ts) projecting the wall time
 * the real execution would take under the deployed TimeoutSeconds.
 *
 * What it reports: outcome counts and every target accounted for (0 lost or unreported); the
 * largest state payload and the most history events of the parent and of the largest child, against
 * their quotas; state transitions and Lambda invocations per target; the projected wall time and
 * the local one; peak memory; the cost per week (bench/fleet-cost.ts).
 *
 * Events are counted as they happen and not kept (keepEvents: false): a 10,000-target run would
 * otherwise hold every state's input and output.
 */
import { deployedObjects } from '../infra/run-data.js';
import { FakeWorld } from '../local/fakes/world.js';
import { localTaskHandlers } from '../local/local-handlers.js';
import { QUOTAS } from '../local/local-quotas.js';
import { type LocalRunEvent, runStateMachineLocally, synthesizeLocally } from '../local/local-run.js';
import { reportsOf, worldConfig } from '../local/local-state-machine.js';
import type { Span } from '../local/virtual-clock.js';
import { type FleetCost, fleetCost } from './fleet-cost.js';
import { round } from './stats.js';

export interface FleetOptions {
  targets: number;
  maxConcurrency: number;
  /** Children the local run executes at once (the Map's MaxConcurrency is still the service's, for the clock). */
  localChildConcurrency?: number;
}

export interface QuotaFigure {
  /** The most any one execution of this kind used. */
  value: number;
  limit: number;
  /** value / limit, in percent. */
  percentOfLimit: number;
}

export interface FleetResult {
  targets: number;
  maxConcurrency: number;
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  /** Report outcome → number of targets. */
  outcomes: Record<string, number>;
  /** Configured targets with no report, and reports for no configured target or duplicated: must be 0. */
  lost: number;
  unreported: number;
  /** Every target: the connection, the secret's AWSCURRENT and an active IAM key agree on the new key. */
  allConsistent: boolean;
  quotas: {
    parent: { historyEvents: QuotaFigure; largestPayloadBytes: QuotaFigure; largestPayloadAt: string };
    largestChild: { historyEvents: QuotaFigure; largestPayloadBytes: QuotaFigure; largestPayloadAt: string };
    childExecutions: number;
  };
  perTarget: {
    /** StateEntered + StateRetried, parent and children: what Standard bills. */
    stateTransitions: number;
    lambdaInvocations: number;
    retries: number;
    invocationsByStep: Record<string, number>;
  };
  time: {
    /** The wall time the real execution would take (virtual clock), low / expected / high bound of the jitter. */
    projectedMs: Span;
    projectedHours: number;
    /** The deployed TimeoutSeconds, and how much of it the projected run (high bound) uses. */
    timeoutSeconds: number;
    percentOfTimeout: number;
    localMs: number;
    synthMs: number;
  };
  memory: { baselineRssBytes: number; peakRssBytes: number; peakHeapUsedBytes: number };
  cost: FleetCost;
}

/**
 * How far each task moves the fakes' one clock. IAM's fake propagates a new key in 4 s of that clock, which
 * every child's tasks move: at 50 ms a task, the 40 children running at once move it about 2 s between a
 * target's create and its verify-key, so verify-key is retried about once, as against real IAM (at 2 s a
 * task, as the demo moves it, a fleet's key would always be usable at once: no retry, a shorter projection).
 */
const SECONDS_BETWEEN_TASKS = 0.05;

const figure = (value: number, limit: number): QuotaFigure => ({
  value,
  limit,
  percentOfLimit: round((value / limit) * 100, 2),
});

export async function measureFleet(options: FleetOptions): Promise<FleetResult> {
  const world = new FakeWorld({ targets: options.targets, propagationMs: 4_000 });
  const config = worldConfig(world, { maxConcurrency: options.maxConcurrency });

  const synthStart = performance.now();
  const { definition } = synthesizeLocally(config);
  const synthMs = performance.now() - synthStart;

  // The run's own log lines (tens per target, unless LOG_LEVEL is SILENT as bench/env.ts sets it) would drown
  // the report: dropped while it runs.
  const restore = mute();
  const handlers = localTaskHandlers(world, { secondsBetweenTasks: SECONDS_BETWEEN_TASKS });
  const entered: Record<string, number> = {};
  const retried: Record<string, number> = {};
  const onEvent = (event: LocalRunEvent) => {
    const name = event.stateName ?? '?';
    if (event.type === 'StateEntered') entered[name] = (entered[name] ?? 0) + 1;
    if (event.type === 'StateRetried') retried[name] = (retried[name] ?? 0) + 1;
  };

  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 100);
  let run: Awaited<ReturnType<typeof runStateMachineLocally>>;
  try {
    run = await runStateMachineLocally({
      definition,
      handlers,
      input: { mode: 'rotate' },
      s3: world.runData,
      deployedObjects: deployedObjects(config),
      keepEvents: false,
      onEvent,
      enforceExecutionTimeout: true,
      execution: { startTime: world.clock.now().toISOString() },
      ...(options.localChildConcurrency ? { localChildConcurrency: options.localChildConcurrency } : {}),
    });
  } finally {
    clearInterval(sampler);
    restore();
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const reports = await reportsOf(world, run);
  const outcomes: Record<string, number> = {};
  for (const report of reports) outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1;
  const names = new Set(config.targets.map((t) => t.name));
  const reported = new Map<string, number>();
  for (const report of reports) reported.set(report.targetName, (reported.get(report.targetName) ?? 0) + 1);
  const lost = [...names].filter((name) => !reported.has(name)).length;
  const unreported = reports.filter((r) => !names.has(r.targetName) || (reported.get(r.targetName) ?? 0) > 1).length;
  const allConsistent =
    lost === 0 &&
    config.targets.every((t) => {
      const held = world.azureDevOps.connection(world.connectionIds.get(t.name) ?? '')?.accessKeyId;
      return (
        held !== undefined &&
        held === world.secrets.keyIdAt(t.secretId, 'AWSCURRENT') &&
        world.iam.keys(t.iamUserName).some((k) => k.accessKeyId === held && k.status === 'Active')
      );
    });

  const largestChild = run.children.reduce(
    (max, c) => (c.quota.historyEvents > (max?.quota.historyEvents ?? -1) ? c : max),
    run.children[0],
  );
  const largestChildPayload = Math.max(0, ...run.children.map((c) => c.quota.largestPayloadBytes));
  const payloadAt = run.children.find((c) => c.quota.largestPayloadBytes === largestChildPayload)?.quota;

  const invocationsByStep: Record<string, number> = {};
  for (const step of Object.keys(handlers)) {
    const n = (entered[step] ?? 0) + (retried[step] ?? 0);
    if (n > 0) invocationsByStep[step] = round(n / options.targets, 4);
  }
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const invocations = Object.keys(handlers).reduce((n, s) => n + (entered[s] ?? 0) + (retried[s] ?? 0), 0);
  const transitions = sum(entered) + sum(retried);
  const timeoutSeconds = (definition as { TimeoutSeconds?: number }).TimeoutSeconds ?? 0;

  return {
    targets: options.targets,
    maxConcurrency: options.maxConcurrency,
    status: run.status,
    ...(run.error ? { error: `${run.error}: ${run.cause}` } : {}),
    outcomes,
    lost,
    unreported,
    allConsistent,
    quotas: {
      parent: {
        historyEvents: figure(run.quota.historyEvents, QUOTAS.historyEvents.value),
        largestPayloadBytes: figure(run.quota.largestPayloadBytes, QUOTAS.payloadBytes.value),
        largestPayloadAt: run.quota.largestPayloadAt,
      },
      largestChild: {
        historyEvents: figure(largestChild?.quota.historyEvents ?? 0, QUOTAS.historyEvents.value),
        largestPayloadBytes: figure(largestChildPayload, QUOTAS.payloadBytes.value),
        largestPayloadAt: payloadAt?.largestPayloadAt ?? '',
      },
      childExecutions: run.children.length,
    },
    perTarget: {
      stateTransitions: round(transitions / options.targets, 3),
      lambdaInvocations: round(invocations / options.targets, 3),
      retries: round(sum(retried) / options.targets, 3),
      invocationsByStep,
    },
    time: {
      projectedMs: {
        low: round(run.virtualMs.low),
        expected: round(run.virtualMs.expected),
        high: round(run.virtualMs.high),
      },
      projectedHours: round(run.virtualMs.expected / 3_600_000, 2),
      timeoutSeconds,
      percentOfTimeout: round((run.virtualMs.high / (timeoutSeconds * 1000)) * 100, 1),
      localMs: round(run.localMs),
      synthMs: round(synthMs),
    },
    memory: { baselineRssBytes: baselineRss, peakRssBytes: peakRss, peakHeapUsedBytes: peakHeap },
    cost: fleetCost({
      targets: options.targets,
      transitions,
      invocationsByStep: Object.fromEntries(
        Object.keys(handlers).map((step) => [step, (entered[step] ?? 0) + (retried[step] ?? 0)]),
      ),
      childExecutions: run.children.length,
    }),
  };
}

/** Drops what is written to stdout and stderr until the returned function is called. */
function mute(): () => void {
  const original = { out: process.stdout.write, err: process.stderr.write };
  const drop = (() => true) as typeof process.stdout.write;
  process.stdout.write = drop;
  process.stderr.write = drop;
  return () => {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  };
}
