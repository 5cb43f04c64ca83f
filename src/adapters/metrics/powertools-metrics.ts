import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { inject, injectable, optional } from 'inversify';
import type { TargetReport } from '../../domain/report.js';
import type { MetricsPort } from '../../ports/metrics.port.js';
import { TOKENS } from '../../ports/tokens.js';
import {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_UNITS,
  METRICS_NAMESPACE,
  METRICS_SERVICE_NAME,
  type MetricName,
  OUTCOME_COUNTS,
} from './metric-names.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/** Binds the Powertools `Metrics` instance the adapter publishes with (tests bind their own). */
// Its token lives with the other adapter tokens, next to the wiring (src/wiring/tokens.ts).
export const POWERTOOLS_METRICS = ADAPTER_TOKENS.PowertoolsMetrics;

/** The part of Powertools `Metrics` the adapter uses. */
export type PowertoolsMetricsLike = Pick<
  Metrics,
  'addDimension' | 'addDimensions' | 'addMetric' | 'publishStoredMetrics' | 'hasStoredMetrics'
>;

/** Where the adapter reports its own trouble (the Powertools Logger fits). */
export interface MetricsWarningLogger {
  warn(message: string, ...extra: unknown[]): void;
}

/**
 * The Powertools `Metrics` for the composition root: namespace `AdoKeyRotator` and service
 * `ado-key-rotator`, unless `POWERTOOLS_METRICS_NAMESPACE` / `POWERTOOLS_SERVICE_NAME` say otherwise.
 */
export function createPowertoolsMetrics(options: MetricsOptions = {}, env: NodeJS.ProcessEnv = process.env): Metrics {
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME || METRICS_SERVICE_NAME,
    ...options,
  });
}

const UNIT: Record<(typeof METRIC_UNITS)[MetricName], (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  None: MetricUnit.NoUnit,
};

interface PendingValue {
  name: MetricName;
  value: number;
}

/**
 * `MetricsPort` on Powertools Metrics (CloudWatch Embedded Metric Format on stdout).
 *
 * `recordOutcome` buffers; `flush` writes one EMF record per target, dimensioned by `target`
 * (and, in the same record, by `service` alone, for fleet-wide alarms), then one record for
 * `NotificationFailures` if any. Each count metric is written as 1 or 0 so every target has a
 * data point on every run. Metrics never fail a rotation: a Powertools error is logged, not thrown.
 */
@injectable()
export class PowertoolsMetrics implements MetricsPort {
  /** Per target, in the order first recorded. */
  private readonly pending = new Map<string, PendingValue[]>();
  private notificationFailures = 0;

  constructor(
    @inject(POWERTOOLS_METRICS) private readonly metrics: PowertoolsMetricsLike,
    @inject(TOKENS.Logger) @optional() private readonly logger?: MetricsWarningLogger,
  ) {}

  recordOutcome(report: TargetReport): void {
    const values: PendingValue[] = [];
    for (const [name, outcomes] of Object.entries(OUTCOME_COUNTS) as [MetricName, readonly string[]][]) {
      values.push({ name, value: outcomes.includes(report.outcome) ? 1 : 0 });
    }
    if (Number.isFinite(report.durationMs) && report.durationMs >= 0) {
      values.push({ name: METRIC_NAMES.RotationDuration, value: report.durationMs });
    }
    if (report.heldKeyAgeDays !== null && Number.isFinite(report.heldKeyAgeDays)) {
      values.push({ name: METRIC_NAMES.KeyAgeDays, value: report.heldKeyAgeDays });
    }
    if (report.credentialExpiry && Number.isFinite(report.credentialExpiry.daysLeft)) {
      values.push({ name: METRIC_NAMES.CredentialExpiryDays, value: report.credentialExpiry.daysLeft });
    }
    const target = report.targetName.trim() || '(unknown)';
    const list = this.pending.get(target) ?? [];
    list.push(...values);
    this.pending.set(target, list);
  }

  recordNotificationFailure(): void {
    this.notificationFailures++;
  }

  async flush(): Promise<void> {
    const pending = [...this.pending.entries()];
    const notificationFailures = this.notificationFailures;
    this.pending.clear();
    this.notificationFailures = 0;
    try {
      // Whatever someone else buffered on the shared instance goes out first, without our dimensions.
      if (pending.length > 0 && this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
      for (const [target, values] of pending) {
        this.metrics.addDimension(METRIC_DIMENSIONS.target, target);
        // An empty dimension set: the same record also feeds the [service] series.
        this.metrics.addDimensions({});
        for (const { name, value } of values) this.metrics.addMetric(name, UNIT[METRIC_UNITS[name]], value);
        this.metrics.publishStoredMetrics();
      }
      if (notificationFailures > 0) {
        this.metrics.addMetric(
          METRIC_NAMES.NotificationFailures,
          UNIT[METRIC_UNITS.NotificationFailures],
          notificationFailures,
        );
        this.metrics.publishStoredMetrics();
      }
    } catch (error) {
      this.logger?.warn('Could not publish the rotation metrics', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        targets: pending.map(([target]) => target),
      });
    }
  }
}
