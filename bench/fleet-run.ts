/**
 * `npm run bench:fleet` (tsx bench/fleet-run.ts): 10,000 targets under the Step Functions quota
 * model through the synthesized definition (bench/fleet.ts), recorded as `fleet` in
 * bench/results.json (the rest of the file, `npm run bench`'s figures, is kept), and printed.
 *
 *   npm run bench:fleet                      10,000 targets, maxConcurrency 40, writes bench/results.json
 *   npm run bench:fleet -- --targets 600     another size (written only with --out)
 *   npm run bench:fleet -- --out FILE        write the results elsewhere
 *
 * Only correctness fails the command: a target lost or unreported, an inconsistent target, a quota
 * crossed, a run that did not succeed.
 */
import './env.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type FleetResult, measureFleet } from './fleet.js';
import { describeMachine, type MachineInfo } from './machine.js';
import { DEFAULT_RESULTS_FILE } from './run.js';
import { kib, mib, round } from './stats.js';

export const FLEET = { targets: 10_000, maxConcurrency: 40 } as const;

export interface FleetRecord extends FleetResult {
  command: string;
  machine: MachineInfo;
  loadAverageAtEnd: number[];
  /** What must hold: every check true. */
  checks: Record<string, boolean>;
}

export function fleetChecks(r: FleetResult): Record<string, boolean> {
  return {
    succeeded: r.status === 'SUCCEEDED',
    noTargetLostOrUnreported: r.lost === 0 && r.unreported === 0,
    everyTargetRotatedAndConsistent: (r.outcomes.rotated ?? 0) === r.targets && r.allConsistent,
    quotasUnderLimits:
      r.quotas.parent.historyEvents.percentOfLimit < 100 &&
      r.quotas.parent.largestPayloadBytes.percentOfLimit < 100 &&
      r.quotas.largestChild.historyEvents.percentOfLimit < 100 &&
      r.quotas.largestChild.largestPayloadBytes.percentOfLimit < 100,
    projectedRunWithinTimeout: r.time.percentOfTimeout < 100,
  };
}

export function renderFleet(r: FleetRecord): string {
  const q = r.quotas;
  const hours = (ms: number) => `${(ms / 3_600_000).toFixed(2)} h`;
  return [
    `fleet: ${r.targets} targets, maxConcurrency ${r.maxConcurrency} — ${r.machine.date}`,
    `machine: ${r.machine.cores} cores, load average ${r.machine.loadAverage.join(' / ')} at the start, ` +
      `${r.loadAverageAtEnd.join(' / ')} at the end`,
    `  status ${r.status}${r.error ? ` (${r.error})` : ''}; outcomes ${JSON.stringify(r.outcomes)}; lost ${r.lost}, ` +
      `unreported ${r.unreported}; consistent ${r.allConsistent}`,
    `  parent: ${q.parent.historyEvents.value} history events (${q.parent.historyEvents.percentOfLimit}% of 25,000), ` +
      `largest payload ${kib(q.parent.largestPayloadBytes.value)} (${q.parent.largestPayloadAt})`,
    `  largest child: ${q.largestChild.historyEvents.value} history events ` +
      `(${q.largestChild.historyEvents.percentOfLimit}%), largest payload ` +
      `${kib(q.largestChild.largestPayloadBytes.value)} (${q.largestChild.largestPayloadAt}); ` +
      `${q.childExecutions} child executions`,
    `  per target: ${r.perTarget.stateTransitions} state transitions, ${r.perTarget.lambdaInvocations} Lambda ` +
      `invocations, ${r.perTarget.retries} retries`,
    `  projected wall time (virtual clock): ${hours(r.time.projectedMs.expected)} ` +
      `(${hours(r.time.projectedMs.low)}–${hours(r.time.projectedMs.high)} with retry jitter), ` +
      `${r.time.percentOfTimeout}% of the TimeoutSeconds ${r.time.timeoutSeconds}`,
    `  local wall time: ${(r.time.localMs / 1000).toFixed(1)} s (synth ${(r.time.synthMs / 1000).toFixed(1)} s); ` +
      `peak RSS ${mib(r.memory.peakRssBytes)}, heap ${mib(r.memory.peakHeapUsedBytes)}`,
    `  cost per week: $${r.cost.weeklyUsd.total} (Step Functions $${r.cost.weeklyUsd.stepFunctions}, Lambda ` +
      `$${round(r.cost.weeklyUsd.lambdaRequests + r.cost.weeklyUsd.lambdaDuration, 4)} for ` +
      `${r.cost.lambdaGbSeconds} GB-s, S3 $${r.cost.weeklyUsd.s3}); $${r.cost.yearlyUsd} a year`,
    `  checks: ${Object.entries(r.checks)
      .map(([name, ok]) => `${ok ? '✔' : '✖'} ${name}`)
      .join(', ')}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string' },
      'max-concurrency': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const targets = Number(values.targets ?? FLEET.targets);
  const maxConcurrency = Number(values['max-concurrency'] ?? FLEET.maxConcurrency);
  const machine = describeMachine();
  process.stderr.write(`bench:fleet: ${targets} targets, maxConcurrency ${maxConcurrency} ...\n`);
  const result = await measureFleet({ targets, maxConcurrency });
  const record: FleetRecord = {
    command: `npm run bench:fleet${values.targets ? ` -- --targets ${targets}` : ''}`,
    machine,
    loadAverageAtEnd: loadavg().map((x) => round(x)),
    ...result,
    checks: fleetChecks(result),
  };
  // Only the full fleet replaces the figures the README quotes.
  const out =
    values.out ??
    (targets === FLEET.targets && maxConcurrency === FLEET.maxConcurrency ? DEFAULT_RESULTS_FILE : undefined);
  if (out) {
    const existing = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(out, `${JSON.stringify({ ...existing, fleet: record }, null, 2)}\n`);
  }
  process.stdout.write(`${renderFleet(record)}\n`);
  if (out) process.stdout.write(`results written to ${path.relative(process.cwd(), out) || out} (fleet)\n`);
  return Object.values(record.checks).every(Boolean) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`✖ bench:fleet failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    },
  );
}
