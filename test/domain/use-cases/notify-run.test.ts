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
});
