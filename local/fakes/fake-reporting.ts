import { NotificationFailedError } from '../../src/domain/errors.js';
import type { RunSummary, TargetReport } from '../../src/domain/report.js';
import type { MetricsPort } from '../../src/ports/metrics.port.js';
import type { NotifierPort } from '../../src/ports/notifier.port.js';
import { FaultInjector } from './faults.js';

/** Keeps every summary it is asked to send. */
export class FakeNotifier implements NotifierPort {
  readonly sent: RunSummary[] = [];
  private readonly faults: FaultInjector;

  constructor(options: { faults?: FaultInjector } = {}) {
    this.faults = options.faults ?? new FaultInjector();
  }

  async notify(summary: RunSummary): Promise<void> {
    return this.faults.around('notifier.notify', () => {
      this.sent.push(structuredClone(summary));
    });
  }

  /** Makes every notification fail, as a broken webhook would. */
  breakWebhook(): void {
    this.faults.fail('notifier.notify', () => new NotificationFailedError('Slack answered 404 no_service'), {
      times: Number.POSITIVE_INFINITY,
    });
  }
}

/** Keeps every recorded outcome. */
export class FakeMetrics implements MetricsPort {
  readonly outcomes: TargetReport[] = [];
  notificationFailures = 0;
  flushes = 0;

  recordOutcome(report: TargetReport): void {
    this.outcomes.push(structuredClone(report));
  }

  recordNotificationFailure(): void {
    this.notificationFailures++;
  }

  async flush(): Promise<void> {
    this.flushes++;
  }
}
