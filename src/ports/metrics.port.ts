import type { TargetReport } from '../domain/report.js';

/** Records a target's outcome as metrics (CloudWatch EMF). */
export interface MetricsPort {
  recordOutcome(report: TargetReport): void;
  /** Counts a notifier failure, so an alarm can fire on it. */
  recordNotificationFailure(): void;
  /** Sends what was recorded. */
  flush(): Promise<void>;
}
