import type { RunSummary } from '../domain/report.js';

/** Tells people what a run did (Slack). Failures are reported by throwing `NotificationFailedError`. */
export interface NotifierPort {
  notify(summary: RunSummary): Promise<void>;
}
