import type { RotationSettings, RotationTarget } from './model.js';

/**
 * The rotator's whole configuration, parsed and trusted: what to rotate, how often and whom to tell.
 *
 * One file (`rotation.config.json`) feeds the CDK app, the CLI and the demo; it is checked at the
 * edge (`parseRotationConfig` in src/config/) and the CDK stack bundles it next to each Lambda's
 * code (a Lambda environment holds only 4 KB). It holds names only: the Azure DevOps credential
 * and the Slack webhook URL live in SSM SecureString parameters that the configuration merely names.
 */
export interface RotationConfig {
  targets: RotationTarget[];
  settings: RotationSettings;
  schedule: ScheduleConfig;
  /** SSM SecureString parameter holding the Slack incoming-webhook URL. No Slack message when absent. */
  slackWebhookParameter?: string;
  /** Subscribed to the alarm topic (the subscription must be confirmed from the mailbox). */
  alarmEmail?: string;
  /** How many targets rotate at once (the state machine's Map concurrency). */
  maxConcurrency: number;
  /**
   * Azure DevOps Server hosts an organizationUrl may name, besides dev.azure.com and
   * {org}.visualstudio.com: the rotator sends a credential only to these.
   */
  azureDevOpsServerHosts?: string[];
  /** Hosts the Slack webhook URL may name. Default: hooks.slack.com only. */
  slackWebhookHosts?: string[];
  /**
   * Plain http to this machine (127.0.0.1, localhost), for local demos and tests against stand-ins.
   * `cdk synth` refuses a configuration with it: deployed code never sends a credential over http.
   */
  allowLoopbackHttp?: boolean;
  /**
   * Where the rotator's secrets and SSM parameters live; every configured name must be under them, and the policies
   * name only those. Default `DEFAULT_RESOURCE_PREFIXES` (each key separately).
   */
  resourcePrefixes?: ResourcePrefixes;
}

export interface ResourcePrefixes {
  /** Secrets Manager names start with this (e.g. `ado-key-rotator/`). */
  secrets?: string;
  /** SSM parameter names start with this (e.g. `/ado-key-rotator/`). */
  parameters?: string;
}

/**
 * Where the rotator's secrets and SSM parameters live unless the configuration says otherwise: a configuration
 * that names a secret or a parameter outside them is refused, so one edit cannot make the rotator read an
 * arbitrary SecureString (a database password) and send it to Azure DevOps as a credential.
 */
export const DEFAULT_RESOURCE_PREFIXES: Readonly<Required<ResourcePrefixes>> = {
  secrets: 'ado-key-rotator/',
  parameters: '/ado-key-rotator/',
};

export const DEFAULT_SLACK_WEBHOOK_HOSTS: readonly string[] = ['hooks.slack.com'];

export interface ScheduleConfig {
  /**
   * An EventBridge Scheduler expression: `cron(minutes hours day-of-month month day-of-week year)` or `rate(n unit)`.
   */
  expression: string;
  /** IANA time zone the cron expression is read in. */
  timeZone: string;
}

/** Weekly, Sunday 03:00: a quiet hour, and a week matches the default `minKeyAgeDays` of 6. */
export const DEFAULT_SCHEDULE: ScheduleConfig = { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' };
export const DEFAULT_MAX_CONCURRENCY = 5;
/** Beyond this, Azure DevOps rate limits and the inline Map's practical limit bite. */
export const MAX_CONCURRENCY_LIMIT = 40;
