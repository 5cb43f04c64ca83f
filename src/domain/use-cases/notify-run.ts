import type { MetricsPort } from '../../ports/metrics.port.js';
import type { NotifierPort } from '../../ports/notifier.port.js';
import type { ResultsLocation, RunResultsPort } from '../../ports/run-results.port.js';
import { reportsFromChildResults } from '../map-run-results.js';
import type { RunSummary, TargetReport } from '../report.js';

export interface NotifyResult {
  notified: boolean;
  /** Why the notification failed, if it did (never a webhook URL). */
  error?: string;
}

/**
 * Last step: one message for the whole run. A notifier failure is counted and returned,
 * never thrown: it must not hide the rotation's own outcome, nor fail a rotation that worked.
 */
export class NotifyRun {
  constructor(
    private readonly notifier: NotifierPort,
    private readonly metrics: MetricsPort,
    private readonly runResults?: RunResultsPort,
  ) {}

  /**
   * Every target's report, from where the Distributed Map wrote its children's results: a child
   * that failed outright becomes a `failed` report naming its execution, so none goes unreported.
   */
  async reportsAt(location: ResultsLocation): Promise<TargetReport[]> {
    if (!this.runResults)
      throw new Error("NotifyRun was built without a RunResults port: it cannot read the run's results");
    return reportsFromChildResults(await this.runResults.read(location));
  }

  async execute(summary: RunSummary): Promise<NotifyResult> {
    try {
      await this.notifier.notify(summary);
      return { notified: true };
    } catch (error) {
      this.metrics.recordNotificationFailure();
      await this.metrics.flush().catch(() => undefined);
      return { notified: false, error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error' };
    }
  }
}
