import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RotationConfig } from '../src/domain/config.js';
import { CREDENTIAL_ALARM_DAYS } from '../src/domain/credential-expiry.js';
import {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  METRICS_SERVICE_NAME,
  type MetricName,
} from './metric-names.js';
import type { LambdaStep } from './steps.js';

export interface RotatorMonitoringProps {
  config: RotationConfig;
  stateMachine: sfn.StateMachine;
  functions: Readonly<Record<LambdaStep, lambda.IFunction>>;
  scheduleGroup: scheduler.IScheduleGroup;
  /** Default: a new topic (encrypted, TLS only) with the configured e-mail subscribed. */
  alarmTopic?: sns.ITopic;
}

/**
 * Above this, a held key is older than a rotation plus the retired key's grace period allow: rotation is not happening.
 */
export function keyAgeThreshold(config: RotationConfig): number {
  return config.settings.minKeyAgeDays + config.settings.gracePeriodDays + 1;
}

/**
 * Alarms (to an SNS topic) and a dashboard.
 *
 * The rotator's own metrics come from the `report` and `notify` Lambdas (Powertools, embedded
 * metric format): fleet-wide series carry `[service]`, per-target ones `[service, target]`.
 * A weekly run produces a data point a week, so the alarms treat missing data as "no news".
 */
export class RotatorMonitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: RotatorMonitoringProps) {
    super(scope, id);
    const { config, stateMachine } = props;
    this.topic = props.alarmTopic ?? this.createTopic(config);
    const alarmAction = new actions.SnsAction(this.topic);

    const rotatorMetric = (name: MetricName, statistic: string, target?: string, period = Duration.hours(1)) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC_NAMES[name],
        dimensionsMap: {
          [METRIC_DIMENSIONS.service]: METRICS_SERVICE_NAME,
          ...(target ? { [METRIC_DIMENSIONS.target]: target } : {}),
        },
        statistic,
        period,
      });
    const alarm = (
      alarmId: string,
      metric: cloudwatch.Metric,
      description: string,
      options: Partial<cloudwatch.CreateAlarmOptions> = {},
    ) => {
      const created = metric.createAlarm(this, alarmId, {
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(alarmAction);
      this.alarms.push(created);
      return created;
    };

    // The state machine itself: a run that did not finish means some targets were not even reported.
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    alarm(
      'ExecutionsFailed',
      stateMachine.metricFailed(fiveMinutes),
      'A key rotation execution failed: open it in the Step Functions console; some targets may not have been ' +
        'rotated or reported.',
    );
    alarm(
      'ExecutionsTimedOut',
      stateMachine.metricTimedOut(fiveMinutes),
      'A key rotation execution timed out: some targets may be left mid-rotation; run `ado-key-rotator status`.',
    );
    alarm(
      'ExecutionsAborted',
      stateMachine.metricAborted(fiveMinutes),
      'A key rotation execution was stopped: some targets may be left mid-rotation; run `ado-key-rotator status`.',
    );
    alarm(
      'ScheduleDropped',
      props.scheduleGroup.metricDropped({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      'The rotation schedule could not start the state machine (the invocation was dropped after its retries): ' +
        'no rotation ran.',
    );

    // What the runs did.
    alarm(
      'RotationsFailed',
      rotatorMetric('RotationsFailed', cloudwatch.Stats.SUM),
      'A rotation failed and its rollback did not complete: a human must act now (see the Slack summary or the ' +
        'execution).',
    );
    alarm(
      'RotationsRolledBack',
      rotatorMetric('RotationsRolledBack', cloudwatch.Stats.SUM),
      'A rotation failed and was rolled back: the old key is still in use; see the Slack summary for the step ' +
        'and the error.',
    );
    alarm(
      'NotificationFailures',
      rotatorMetric('NotificationFailures', cloudwatch.Stats.SUM),
      'The Slack summary of a rotation run could not be delivered: check the webhook URL parameter.',
    );
    // One alarm over the oldest key of the fleet (the [service] series carries every target's value),
    // not one per target: a fleet of hundreds of targets would blow CloudFormation's 500-resource limit.
    // The dashboard's per-target graph says which target it is.
    const threshold = keyAgeThreshold(config);
    alarm(
      'KeyAge',
      rotatorMetric('KeyAgeDays', cloudwatch.Stats.MAXIMUM, undefined, Duration.days(1)),
      `A key held by a service connection is more than ${threshold - 1} days old: its rotations are refused, ` +
        `failing or not running; the dashboard's key-age graph shows which target.`,
      {
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // Reported once a run: an old key stays an old key until a run says otherwise.
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      },
    );

    // The rotator's own PAT or client secret (when the configuration records its expiry): a week's notice,
    // after the 14 days of warnings in status and Slack. Only when some target records one.
    if (config.targets.some((t) => t.connection.credentialParameter && t.connection.credentialExpiresOn)) {
      alarm(
        'CredentialExpiry',
        rotatorMetric('CredentialExpiryDays', cloudwatch.Stats.MINIMUM, undefined, Duration.days(1)),
        `The Azure DevOps credential (PAT or client secret) of some target expires in ${CREDENTIAL_ALARM_DAYS} ` +
          `days or less: renew it, update its SSM parameter and credentialExpiresOn (the Slack summary and ` +
          `\`ado-key-rotator status\` name it), or move to federatedCredential.`,
        {
          threshold: CREDENTIAL_ALARM_DAYS,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
          // Reported once a run: an expiring credential stays so until a run reports a renewed one.
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        },
      );
    }

    this.dashboard = this.createDashboard(props, rotatorMetric, threshold);
  }

  private createTopic(config: RotationConfig): sns.Topic {
    // CloudWatch must be able to use the key to publish to an encrypted topic (an AWS managed key cannot be shared).
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the ado-key-rotator alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'ADO key rotator alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    return topic;
  }

  private createDashboard(
    props: RotatorMonitoringProps,
    rotatorMetric: (name: MetricName, statistic: string, target?: string, period?: Duration) => cloudwatch.Metric,
    keyAgeLimit: number,
  ): cloudwatch.Dashboard {
    const { stateMachine } = props;
    const day = { period: Duration.days(1), statistic: cloudwatch.Stats.SUM };
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(35) });
    // A SEARCH draws one line per target however many there are (a metric per target would hit the widget limits).
    const perTarget = (metric: MetricName, stat: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},service,target} MetricName="${metric}"', '${stat}', 86400)`,
        label: '',
        period: Duration.days(1),
      });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# ADO key rotator\nWeekly rotation of the AWS access keys behind Azure DevOps service connections. ' +
          'A red alarm says what to do; `ado-key-rotator status` shows what each connection holds.',
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
      new cloudwatch.GraphWidget({
        title: 'Executions',
        left: [
          stateMachine.metricStarted(day),
          stateMachine.metricSucceeded(day),
          stateMachine.metricFailed(day),
          stateMachine.metricTimedOut(day),
          stateMachine.metricAborted(day),
        ],
        view: cloudwatch.GraphWidgetView.BAR,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Target outcomes (all targets)',
        left: (
          [
            'RotationsSucceeded',
            'RotationsSkipped',
            'RotationsRefused',
            'RotationsRolledBack',
            'RotationsFailed',
          ] as const
        ).map((name) => rotatorMetric(name, cloudwatch.Stats.SUM, undefined, Duration.days(1)).with({ label: name })),
        view: cloudwatch.GraphWidgetView.BAR,
        stacked: true,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Age of the key each connection holds (days)',
        left: [perTarget('KeyAgeDays', 'Maximum')],
        leftAnnotations: [{ value: keyAgeLimit, label: 'alarm', color: cloudwatch.Color.RED }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Rotation duration per target (ms)',
        left: [perTarget('RotationDuration', 'Maximum')],
        width: 12,
      }),
      new cloudwatch.SingleValueWidget({
        title: 'Slack notification failures (35 days)',
        metrics: [rotatorMetric('NotificationFailures', cloudwatch.Stats.SUM, undefined, Duration.days(35))],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors per step',
        left: Object.entries(props.functions).map(([step, fn]) => fn.metricErrors(day).with({ label: step })),
        view: cloudwatch.GraphWidgetView.BAR,
        stacked: true,
        width: 12,
      }),
    );
    return dashboard;
  }
}
