/**
 * Use case NotifyRun (src/domain/use-cases/notify-run.ts), which sends the run's one Slack summary: its guards and
 * messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and context),
 * what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { NotificationFailedError } from '../../../src/domain/errors.js';
import type { RunSummary } from '../../../src/domain/report.js';
import { NotifyRun } from '../../../src/domain/use-cases/index.js';
import type { MetricsPort } from '../../../src/ports/metrics.port.js';
import type { ResultsLocation } from '../../../src/ports/run-results.port.js';

describe('Use case: NotifyRun', () => {
  const summary: RunSummary = {
    executionId: null,
    executionUrl: null,
    mode: 'rotate',
    startedAt: 's',
    finishedAt: 'f',
    targets: [],
  };
  const metrics = () => {
    const m = { failures: 0, flushes: 0, failFlush: false };
    const port: MetricsPort = {
      recordOutcome: () => undefined,
      recordNotificationFailure: () => void m.failures++,
      flush: async () => {
        m.flushes++;
        if (m.failFlush) throw new Error('flush failed');
      },
    };
    return { m, port };
  };

  it('says the run was notified, and counts nothing', async () => {
    const { m, port } = metrics();
    const result = await new NotifyRun({ notify: async () => undefined }, port).execute(summary);

    expect(result).toEqual({ notified: true });
    expect(m).toMatchObject({ failures: 0, flushes: 0 });
  });

  it('counts a failed notification, flushes it, and returns the error by name and message', async () => {
    const { m, port } = metrics();
    const result = await new NotifyRun(
      { notify: async () => Promise.reject(new NotificationFailedError('Slack answered 404')) },
      port,
    ).execute(summary);

    expect(result).toEqual({ notified: false, error: 'NotificationFailedError: Slack answered 404' });
    expect(m).toMatchObject({ failures: 1, flushes: 1 });
  });

  it('survives a metrics flush that fails too, and a thrown non-error', async () => {
    const { m, port } = metrics();
    m.failFlush = true;
    const result = await new NotifyRun({ notify: async () => Promise.reject('down') }, port).execute(summary);

    expect(result).toEqual({ notified: false, error: 'unknown error' });
  });
  it("reads every child's report from where the map wrote them, each naming its execution", async () => {
    // Prepare
    const { port } = metrics();
    const read: ResultsLocation[] = [];
    const report = { targetName: 'target-1', outcome: 'rotated' };
    const runResults = {
      read: async (location: ResultsLocation) => {
        read.push(location);
        return [
          {
            executionArn: 'arn:child-1',
            status: 'SUCCEEDED' as const,
            input: '{}',
            output: JSON.stringify(report),
          },
        ];
      },
    };
    const location = { bucket: 'run-data', key: 'results/manifest.json' };

    // Act
    const reports = await new NotifyRun({ notify: async () => undefined }, port, runResults).reportsAt(location);

    // Assess
    expect(read).toEqual([location]);
    expect(reports).toEqual([{ ...report, executionArn: 'arn:child-1' }]);
  });

  it('refuses to read the results when it was built without a place to read them from', async () => {
    const { port } = metrics();

    await expect(
      new NotifyRun({ notify: async () => undefined }, port).reportsAt({ bucket: 'b', key: 'k' }),
    ).rejects.toThrow("NotifyRun was built without a RunResults port: it cannot read the run's results");
  });
});
