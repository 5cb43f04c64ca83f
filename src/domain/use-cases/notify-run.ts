import type { MetricsPort } from '../../ports/metrics.port.js';
import type { NotifierPort } from '../../ports/notifier.port.js';
import type { RunSummary } from '../report.js';

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
  ) {}

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
