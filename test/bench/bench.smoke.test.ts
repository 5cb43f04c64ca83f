/**
 * The benchmark's smoke variant (`npm run bench -- --smoke`: every measurement, small) as a test,
 * so the bench keeps working in CI. It asserts structure and sanity, never timings: CI machines
 * are shared and their figures mean nothing; the full bench reports the figures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_NAMES } from '../../scripts/bundle.js';
import { renderReport } from '../../bench/report.js';
import { type BenchResults, runBench, SMOKE } from '../../bench/run.js';
import { rateLimitReport, retryWaits } from '../../bench/scale.js';
import { percentile, summarize } from '../../bench/stats.js';
import type { RecordedRequest } from '../../local/ado-stand-in/index.js';

const positive = (n: number) => Number.isFinite(n) && n > 0;

describe('Bench: npm run bench -- --smoke', () => {
  let results: BenchResults;

  beforeAll(async () => {
    results = await runBench({ smoke: true, progress: () => undefined });
  }, 240_000);

  it('records the machine and the date', () => {
    expect(results.mode).toBe('smoke');
    expect(Number.isNaN(Date.parse(results.machine.date))).toBe(false);
    expect(results.machine.node).toMatch(/^v2[2-9]\./);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.cpuModel).not.toBe('');
    expect(results.machine.memoryGiB).toBeGreaterThan(0);
  });

  it("sizes every handler bundle, raw and gzipped, and names the largest one's contributors", () => {
    const sizes = results.bundleSizes;
    expect(sizes.handlers.map((h) => h.handler).sort()).toEqual([...HANDLER_NAMES].sort());
    for (const h of sizes.handlers) {
      expect(h.rawBytes).toBeGreaterThan(0);
      expect(h.gzipBytes).toBeGreaterThan(0);
      expect(h.gzipBytes).toBeLessThan(h.rawBytes);
    }
    expect(sizes.largest.topContributors.length).toBeGreaterThan(0);
    // the SDK is bundled, as deployed
    expect(sizes.largest.topContributors.some((c) => c.name.startsWith('@aws-sdk/'))).toBe(true);
  });

  it('cold-starts the bundled plan handler in fresh processes that really plan a rotation', () => {
    const cold = results.coldStart;
    expect(cold.runs).toBe(SMOKE.coldStartRuns);
    expect(cold.planActions).toEqual(['rotate']);
    for (const s of [cold.total, cold.bareNode, cold.nodeStartup, cold.moduleInit, cold.firstInvocation, cold.cpu])
      expect(positive(s.median)).toBe(true);
    expect(cold.total.median).toBeGreaterThan(cold.moduleInit.median);
    expect(cold.moduleInitShareOfFunction).toBeGreaterThan(0);
    expect(cold.moduleInitShareOfFunction).toBeLessThan(1);
    // SSM (the PAT), IAM (keys, last use), Secrets Manager (describe); Azure DevOps list + read.
    expect(cold.requestsPerRun.aws).toBeGreaterThanOrEqual(4);
    expect(cold.requestsPerRun.azureDevOps).toBe(1);
  });

  it('profiles one cold start: the categories of its CPU time add up to the time sampled', () => {
    const profile = results.coldStart.profile;
    expect(profile).toBeDefined();
    const total = (profile?.breakdown ?? []).reduce((sum, b) => sum + b.ms, 0);
    expect(total).toBeCloseTo(profile?.sampledMs ?? -1, 0);
    expect(profile?.breakdown.map((b) => b.category)).toContain('compile the bundle (V8 parse)');
    expect(
      profile?.breakdown.some(
        (b) => b.category.startsWith('bundle: @aws-sdk/') || b.category.startsWith('bundle: @smithy/'),
      ),
    ).toBe(true);
  });

  it('times the built CLI (--help, status over the stubs) against a bare node in the same run', () => {
    const cli = results.cliStart;
    expect(cli.runs).toBe(SMOKE.cliRuns);
    for (const s of [cli.help, cli.status, cli.bareNode]) expect(positive(s.median)).toBe(true);
    expect(cli.helpRatio).toBeGreaterThan(0);
    expect(cli.status.median).toBeGreaterThan(cli.bareNode.median * 0.5);
    // --help loads only the entry chunk: the commands (and the SDK) are in chunks of their own.
    expect(cli.entryBytes).toBeLessThan(cli.totalBytes / 4);
  });

  it('measures the delay from "the new key authenticates" to "the connection holds it" on the real clock', () => {
    const key = results.keyPropagation;
    expect(key.runs).toBe(SMOKE.keyPropagation.runs);
    expect(key.delay.median).toBeGreaterThanOrEqual(0);
    expect(key.verifyAttempts[0]).toBeGreaterThan(1); // the key really was not usable at first
    expect(key.waitsMs[0]).toBe(key.retryPolicy.initialDelayMs);
  });

  it('publishes through the real adapter, verified, with the same requests in every run', () => {
    const pub = results.publish;
    expect(pub.runs).toBe(SMOKE.publishRuns);
    expect(pub.allVerified).toBe(true);
    expect(pub.byOperation.find.requests).toEqual(['GET list by name → 200']);
    expect(pub.byOperation.update.requests).toEqual(['GET by id → 200', 'PUT by id → 200']);
    expect(pub.requestsPerRun).toBe(Object.values(pub.byOperation).reduce((n, o) => n + o.requests.length, 0));
  });

  it('rotates every target of one execution under a rate limit, leaving no 429 unretried', () => {
    const s = results.scale;
    expect(s.status).toBe('SUCCEEDED');
    expect(s.outcomes).toEqual({ rotated: SMOKE.scale.targets });
    expect(s.allConsistent).toBe(true);
    expect(s.azureDevOps.rateLimit.answered429).toBeGreaterThan(0); // the limit really bit
    expect(s.azureDevOps.rateLimit.notRetriedCorrectly).toBe(0);
    expect(s.azureDevOps.rateLimit.adapterErrors).toBe(0);
    expect(s.azureDevOps.rateLimit.waits.count).toBe(s.azureDevOps.rateLimit.answered429);
    expect(s.azureDevOps.rateLimit.waits.shorterThanRetryAfter).toBe(0);
    expect(s.azureDevOps.perRotation['PUT by id']).toBe(1);
    expect(s.transitions.enteredPerTarget).toBeGreaterThan(10);
    expect(s.transitions.billedPerTarget).toBeGreaterThanOrEqual(s.transitions.enteredPerTarget);
    expect(s.memory.peakRssBytesSampled).toBeGreaterThan(0);
  });

  it('prices a rotation from the measured figures and prints every section', () => {
    const c = results.cost;
    expect(c.perRotationUsd.stepFunctions).toBeCloseTo(results.scale.transitions.billedPerTarget * 0.000025, 10);
    expect(c.perRotationUsd.total).toBeGreaterThan(c.perRotationUsd.stepFunctions);
    expect(c.weekly.usd).toBeCloseTo(c.perRotationUsd.total * 1000, 10);
    expect(Object.keys(results.warmDurations.steps)).toEqual(
      expect.arrayContaining(['plan', 'publish', 'verify-publish', 'revoke', 'notify']),
    );
    expect(results.checks.filter((k) => k.kind === 'correctness').every((k) => k.met)).toBe(true);

    const printed = renderReport(results);
    for (const heading of ['1. Deployment size', '2. Cold start', '3. Publish', '4. Scale', '5. Cost'])
      expect(printed).toContain(heading);
    expect(printed).toContain(results.machine.node);
  });
});

describe('Bench: helpers', () => {
  it('interpolates percentiles between closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(summarize([5, 1, 3])).toMatchObject({ n: 3, median: 3, min: 1, max: 5 });
  });

  it('counts a 429 as retried only when the same request next succeeds', () => {
    const req = (method: string, url: string, status: number) => ({ method, url, status }) as RecordedRequest;
    const report = rateLimitReport([
      req('GET', '/a', 429),
      req('GET', '/b', 200),
      req('GET', '/a', 429),
      req('GET', '/a', 200),
      req('PUT', '/c', 429),
      req('PUT', '/c', 500),
      req('GET', '/d', 429),
    ]);
    expect(report).toEqual({ answered429: 4, retriedSuccessfully: 2, notRetriedCorrectly: 2 });
  });

  it('flags a retry sent before its Retry-After elapsed', () => {
    const f = (key: string, startedAt: number, status: number, retryAfter: string | null = null) => ({
      key,
      startedAt,
      answeredAt: startedAt + 1,
      status,
      retryAfter,
    });
    const waits = retryWaits([
      f('GET /a', 0, 429, '1'),
      f('GET /a', 1001, 200),
      f('PUT /b', 0, 429, '1'),
      f('PUT /b', 500, 200),
    ]);
    expect(waits).toMatchObject({ count: 2, shorterThanRetryAfter: 1 });
  });
});
