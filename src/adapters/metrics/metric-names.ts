import type { TargetOutcome } from '../../domain/report.js';

/**
 * The rotator's CloudWatch metrics: namespace, names, units and dimensions.
 *
 * Alarms and dashboards (infra/) match these strings exactly: rename one and the alarm
 * watching it goes silent. Import them; never retype them.
 */

/** CloudWatch namespace (`POWERTOOLS_METRICS_NAMESPACE` overrides it). */
export const METRICS_NAMESPACE = 'AdoKeyRotator';

/** Value of the `service` dimension (`POWERTOOLS_SERVICE_NAME` overrides it). */
export const METRICS_SERVICE_NAME = 'ado-key-rotator';

export const METRIC_NAMES = {
  /** Count, per target: 1 when the target's outcome is `rotated`, else 0. */
  RotationsSucceeded: 'RotationsSucceeded',
  /** Count, per target: 1 when a step failed and the rollback did not complete (`failed`): a human must act now. */
  RotationsFailed: 'RotationsFailed',
  /** Count, per target: 1 when nothing needed doing (`skipped`) or on a dry run (`planned`). */
  RotationsSkipped: 'RotationsSkipped',
  /** Count, per target: 1 when the plan refused (`refused`): nothing changed, a human must act. */
  RotationsRefused: 'RotationsRefused',
  /** Count, per target: 1 when a step failed and everything was put back (`rolled-back`). */
  RotationsRolledBack: 'RotationsRolledBack',
  /** Milliseconds, per target: how long the target's run took. */
  RotationDuration: 'RotationDuration',
  /** None (days), per target: age of the key the connection holds at the end of the run, when known. */
  KeyAgeDays: 'KeyAgeDays',
  /** Count: 1 per failed Slack notification. */
  NotificationFailures: 'NotificationFailures',
  /** None (days), per target: days until the connection's stored Azure DevOps credential expires, when recorded. */
  CredentialExpiryDays: 'CredentialExpiryDays',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** CloudWatch units (CloudWatch has no "Days": `None`). An alarm that names a unit must use these. */
export const METRIC_UNITS = {
  RotationsSucceeded: 'Count',
  RotationsFailed: 'Count',
  RotationsSkipped: 'Count',
  RotationsRefused: 'Count',
  RotationsRolledBack: 'Count',
  RotationDuration: 'Milliseconds',
  KeyAgeDays: 'None',
  NotificationFailures: 'Count',
  CredentialExpiryDays: 'None',
} as const satisfies Record<MetricName, 'Count' | 'Milliseconds' | 'None'>;

/**
 * Dimension names. Every per-target metric is published twice from one EMF record: with
 * `[service, target]` (one series per target) and with `[service]` (the fleet, for alarms
 * that must not list targets). `NotificationFailures` has `[service]` only.
 */
export const METRIC_DIMENSIONS = {
  service: 'service',
  target: 'target',
} as const;

/** The count metrics every target report sets (to 1 or 0), and the outcomes each counts. */
export const OUTCOME_COUNTS = {
  RotationsSucceeded: ['rotated'],
  RotationsFailed: ['failed'],
  RotationsSkipped: ['skipped', 'planned'],
  RotationsRefused: ['refused'],
  RotationsRolledBack: ['rolled-back'],
} as const satisfies Partial<Record<MetricName, readonly TargetOutcome[]>>;
