export {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_UNITS,
  METRICS_NAMESPACE,
  METRICS_SERVICE_NAME,
  type MetricName,
  OUTCOME_COUNTS,
} from './metric-names.js';
export {
  createPowertoolsMetrics,
  type MetricsWarningLogger,
  POWERTOOLS_METRICS,
  PowertoolsMetrics,
  type PowertoolsMetricsLike,
} from './powertools-metrics.js';
