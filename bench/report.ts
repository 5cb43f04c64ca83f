/** The table `npm run bench` prints: every figure with its target, the method in one line, and the machine. */
import type { BenchResults } from './run.js';
import { kib, mib, ms, spread, usd } from './stats.js';

/** Left-aligned columns, padded to the widest cell. */
function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

const mark = (met: boolean) => (met ? '✔' : '✖');
const percent = (share: number) => `${Math.round(share * 100)}%`;

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  const section = (title: string) => out.push('', title);

  out.push(`ado-key-rotator bench (${r.mode}) — ${m.date}`);
  out.push(
    `machine: ${m.os} · ${m.cpuModel} · ${m.cores} cores · ${m.memoryGiB} GiB · Node ${m.node} · load average ` +
      `${m.loadAverage.join(' / ')} at the start, ${r.loadAverageAtEnd.join(' / ')} at the end`,
  );

  // 1. Size
  const sizes = r.bundleSizes;
  const largest = sizes.handlers.find((h) => h.handler === sizes.largest.handler);
  section(
    `1. Deployment size: each handler's esbuild bundle as deployed (ESM, minified, AWS SDK bundled); target < ` +
      `${kib(sizes.targetGzipBytes)} gzipped`,
  );
  out.push(
    table([
      ['handler', 'raw', 'gzip', ''],
      ...sizes.handlers.map((h) => [
        h.handler,
        kib(h.rawBytes),
        kib(h.gzipBytes),
        mark(h.gzipBytes < sizes.targetGzipBytes),
      ]),
    ]),
  );
  if (largest) {
    out.push(
      `  for scale: ${sizes.replacedImplementation.what}: ${mib(sizes.replacedImplementation.bytes)} (quoted ` +
        `from issue #9), ` +
        `${Math.round(sizes.replacedImplementation.bytes / largest.gzipBytes).toLocaleString('en-US')}× the ` +
        `largest bundle gzipped`,
    );
  }
  out.push(`  top contributors of the largest bundle (${sizes.largest.handler}, bytes in the minified output):`);
  out.push(
    table(
      sizes.largest.topContributors.map((c) => [c.name, kib(c.bytes), `${c.share}%`]),
      '    ',
    ),
  );

  // 2. Cold start
  const cold = r.coldStart;
  section(
    `2. Cold start: bundled ${cold.handler} handler, fresh Node process per run, ${cold.runs} runs; target ` +
      `median < ${cold.targetMs} ms`,
  );
  out.push(
    table([
      ['spawn → first response', spread(cold.total), mark(cold.medianUnderTarget)],
      ['  Node start-up', spread(cold.nodeStartup), ''],
      ['  module init (import)', spread(cold.moduleInit), ''],
      ['  first invocation', spread(cold.firstInvocation), ''],
      ['bare Node, for reference', spread(cold.bareNode), ''],
      ['CPU time of the child to its answer', spread(cold.cpu), ''],
    ]),
  );
  out.push(
    `  module init is ${percent(cold.moduleInitShareOfFunction)} of the function's own time (import + first ` +
      `invocation), ${percent(cold.moduleInitShareOfTotal)} of the total`,
  );
  out.push(
    `  first invocation = ${cold.requestsPerRun.aws} AWS requests (wire stubs, loopback) + ` +
      `${cold.requestsPerRun.azureDevOps} Azure DevOps requests (stand-in)`,
  );

  if (cold.profile) {
    out.push(
      `  where one profiled cold start's ${ms(cold.profile.sampledMs)} went (self time; bench/cold-start-profile.ts):`,
    );
    out.push(
      table(
        cold.profile.breakdown.slice(0, 12).map((b) => [b.category, ms(b.ms), percent(b.share)]),
        '    ',
      ),
    );
  }

  // 2b. The CLI and the key-propagation delay (issue #15)
  const cli = r.cliStart;
  section(
    `2b. The built CLI, fresh Node per run, spawn → exit, ${cli.runs} runs each; targets: --help < ` +
      `${cli.targets.helpMs} ms, status < ${cli.targets.statusMs} ms`,
  );
  out.push(
    table([
      ['--help', spread(cli.help), `${cli.helpRatio}× bare node`, mark(cli.helpUnderTarget)],
      [
        'status (one target, loopback stubs)',
        spread(cli.status),
        `${cli.statusRatio}× bare node`,
        mark(cli.statusUnderTarget),
      ],
      ['bare `node -e 0`', spread(cli.bareNode), '', ''],
    ]),
  );
  out.push(`  entry chunk (all --help loads) ${kib(cli.entryBytes)} of ${kib(cli.totalBytes)} in all`);
  const key = r.keyPropagation;
  out.push(
    `  key authenticates → connection holds it (keys propagating in ${(key.propagationMs / 1000).toFixed(1)} ` +
      `s, ${key.runs} rotations): ${spread(key.delay)} ${mark(key.medianUnderTarget)} (target < ` +
      `${ms(key.targetMs)}); verify-key attempts ${key.verifyAttempts.join(', ')}, waits ${key.waitsMs.join(', ')} ms`,
  );

  // 3. Publish
  const pub = r.publish;
  section(
    `3. Publish: real Azure DevOps adapter ↔ local stand-in over loopback HTTP, ${pub.runs} runs; target ` +
      `median < ${pub.targetMs} ms, ${pub.targetRequests} requests`,
  );
  out.push(
    table([
      ['find → read → update → verify', spread(pub.total), mark(pub.medianUnderTarget)],
      ...Object.entries(pub.byOperation).map(([op, o]) => [
        `  ${op}`,
        `${ms(o.time.median)} median, p90 ${ms(o.time.p90)}`,
        o.requests.join(', '),
      ]),
    ]),
  );
  const adoBySteps = Object.entries(r.warmDurations.steps)
    .filter(([, s]) => s.azureDevOpsCalls > 0)
    .map(([step, s]) => `${step} ${s.azureDevOpsCalls}`)
    .join(', ');
  out.push(
    `  requests per run: ${pub.requestsPerRun} (target ${pub.targetRequests}) ` +
      `${mark(pub.requestsPerRun <= pub.targetRequests)}`,
  );
  out.push(
    `  per rotation in the state machine: ${r.scale.azureDevOps.successfulPerRotation} successful requests (` +
      `${adoBySteps})`,
  );

  // 4. Scale
  const s = r.scale;
  const rl = s.azureDevOps.rateLimit;
  section(
    `4. Scale: one execution of the synthesized state machine over ${s.targets.toLocaleString('en-US')} ` +
      `targets (aws-local-stepfunctions, real handlers, Map concurrency ${s.maxConcurrency}), stand-in limited ` +
      `to ${s.rateLimit.limit} requests / ${s.rateLimit.windowMs} ms`,
  );
  out.push(
    table([
      [
        'status',
        `${s.status}; ${Object.entries(s.outcomes)
          .map(([o, n]) => `${n} ${o}`)
          .join(', ')}; connection = secret AWSCURRENT for every target: ${s.allConsistent ? 'yes' : 'NO'}`,
      ],
      [
        'execution time',
        `${(s.executionMs / 1000).toFixed(1)} s (+ ${(s.synthMs / 1000).toFixed(1)} s CDK synth); Retry-After ` +
          `waits: ${(rl.waits.totalMs / 1000).toFixed(1)} lane-seconds, ≈ ` +
          `${(rl.waits.totalMs / 1000 / s.maxConcurrency).toFixed(1)} s over ${s.maxConcurrency} lanes`,
      ],
      [
        'peak memory (RSS)',
        `${mib(s.memory.peakRssBytesSampled)} sampled during the execution (${mib(s.memory.baselineRssBytes)} ` +
          `before it); process maxRSS ${mib(s.memory.processMaxRssBytes)}`,
      ],
      [
        'Azure DevOps requests',
        `${s.azureDevOps.requests.toLocaleString('en-US')} (${Object.entries(s.azureDevOps.perRotation)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')} per rotation)`,
      ],
      [
        '429 rate limited',
        `${rl.answered429} answered, ${rl.retriedSuccessfully} followed by a successful retry of the same ` +
          `request → ${rl.notRetriedCorrectly} not retried correctly ${mark(rl.notRetriedCorrectly === 0)}; ` +
          `adapter errors from 429: ${rl.adapterErrors}`,
      ],
      [
        'Retry-After honoured',
        `${rl.waits.count} waits after a 429 (median ${rl.waits.medianMs ?? '-'} ms, shortest ` +
          `${rl.waits.minMs ?? '-'} ms); shorter than Retry-After: ${rl.waits.shorterThanRetryAfter} ` +
          `${mark(rl.waits.shorterThanRetryAfter === 0)}`,
      ],
      [
        'state transitions',
        `${s.transitions.enteredPerTarget} StateEntered per target; ` +
          `${s.transitions.billedPerTarget} billed per target with retries (${
            Object.entries(s.transitions.retriesByState)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ') || 'none'
          })`,
      ],
    ]),
  );

  // 5. Cost
  const c = r.cost;
  const rot = c.perRotationUsd;
  section(
    `5. Cost on paper (list prices; Lambda arm64 ${c.inputs.prices.lambdaMemoryMb} MB; warm step durations ` +
      `from ${r.warmDurations.rotations} rotations through the bundles)`,
  );
  out.push(
    table([
      [
        'per rotation',
        `${usd(rot.total)} = Step Functions ${usd(rot.stepFunctions)} + Lambda requests ` +
          `${usd(rot.lambdaRequests)} + duration ${usd(rot.lambdaDuration)} + cold-start init ${usd(rot.lambdaInit)}`,
      ],
      [
        '  with network',
        `${usd(c.perRotationWithNetworkUsd)} if every remote call took ${c.inputs.assumedRemoteCallMs} ms ` +
          `(assumed, not measured)`,
      ],
      [
        `weekly, ${c.weekly.targets.toLocaleString('en-US')} targets`,
        `${usd(c.weekly.usd)} (Step Functions ${usd(c.weekly.stepFunctionsUsd)} for ` +
          `${c.weekly.transitions.toLocaleString('en-US')} transitions, Lambda ${usd(c.weekly.lambdaUsd)}); ` +
          `${usd(c.yearlyUsd)} a year`,
      ],
      [
        'warm durations',
        Object.entries(r.warmDurations.steps)
          .map(([step, d]) => `${step} ${d.time.median.toFixed(1)}`)
          .join(', ') + ' ms (median)',
      ],
    ]),
  );

  section('Targets (reported) and correctness (enforced)');
  out.push(table(r.checks.map((k) => [mark(k.met), k.kind, k.name, k.detail])));
  out.push('', `bench took ${(r.benchDurationMs / 1000).toFixed(1)} s · reproduce with: ${r.command}`, '');
  return out.join('\n');
}
