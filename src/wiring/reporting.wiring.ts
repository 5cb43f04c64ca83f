import { createS3Client } from '../adapters/aws/clients.js';
import { S3RunResults } from '../adapters/aws/s3-run-results.adapter.js';
import { ROTATION_CONFIG } from '../adapters/config/config-targets.adapter.js';
import { createPowertoolsMetrics, POWERTOOLS_METRICS, PowertoolsMetrics } from '../adapters/metrics/index.js';
import { SLACK_SETTINGS, SlackNotifier } from '../adapters/slack/index.js';
import type { RotationConfig } from '../domain/config.js';
import { TOKENS } from '../ports/tokens.js';
import { ADAPTER_TOKENS } from './tokens.js';
import { secureParametersWiring } from './secure-parameters.wiring.js';
import { bindOnce, type Wiring } from './wiring.js';

/** CloudWatch metrics (Powertools, embedded metric format). */
export const metricsWiring: Wiring = (c) => {
  c.bind(POWERTOOLS_METRICS).toDynamicValue(() => createPowertoolsMetrics());
  c.bind(TOKENS.Metrics).to(PowertoolsMetrics);
};

/** The Slack summary (its webhook URL from SSM). */
export const slackWiring: Wiring = (c) => {
  secureParametersWiring(c);
  c.bind(SLACK_SETTINGS).toDynamicValue((ctx) => {
    const config = ctx.get<RotationConfig>(ROTATION_CONFIG);
    return {
      webhookParameter: config.slackWebhookParameter,
      consoleRegion: process.env.AWS_REGION,
      ...(config.slackWebhookHosts ? { webhookHosts: config.slackWebhookHosts } : {}),
      allowLoopbackHttp: config.allowLoopbackHttp === true,
    };
  });
  c.bind(TOKENS.Notifier).to(SlackNotifier);
};

/** The per-target reports the Distributed Map wrote to S3 (its ResultWriter), which notify reads. */
export const runResultsWiring: Wiring = (c) => {
  bindOnce(c, ADAPTER_TOKENS.S3Client, () => c.bind(ADAPTER_TOKENS.S3Client).toDynamicValue(() => createS3Client()));
  bindOnce(c, TOKENS.RunResults, () => c.bind(TOKENS.RunResults).to(S3RunResults));
};
