/**
 * The metric contract between the Lambdas (src/adapters/metrics) and the alarms and dashboard
 * (infra/monitoring.ts). Re-exported, never retyped: a renamed metric must break the build,
 * not silence an alarm.
 *
 * Every per-target metric is published with the dimensions `[service, target]` (one series per
 * target) and `[service]` (the fleet); `NotificationFailures` with `[service]` only.
 */
export {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_UNITS,
  type MetricName,
  METRICS_NAMESPACE,
  METRICS_SERVICE_NAME,
} from '../src/adapters/metrics/metric-names.js';
