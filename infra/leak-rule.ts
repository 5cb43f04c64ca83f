import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * Rotates at once when AWS reports a leaked key.
 *
 * AWS Health raises `AWS_RISK_CREDENTIALS_EXPOSED` (service `RISK`) when it finds one of the account's
 * access keys exposed, e.g. in a public repository; the event's affected entities are the access key
 * ids. IAM is a global service, so AWS Health delivers these events to EventBridge in **us-east-1**:
 * deploy the stack there, or forward them from us-east-1 with `LeakEventForwarder` (below).
 *
 * The rule starts the state machine with `{ mode: "emergency", leak: { accessKeyIds, detectedAt,
 * eventArn } }`: the plan step rotates only the targets whose user, connection or secret holds a
 * leaked key (the old key is deleted at once), and the Slack summary leads with "leaked key rotated"
 * or names the key no target holds.
 */

/** The event pattern: Health's exposed-credentials events, nothing else. */
export const LEAK_EVENT_PATTERN: events.EventPattern = {
  source: ['aws.health'],
  detailType: ['AWS Health Event'],
  detail: { service: ['RISK'], eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] },
};

/** The execution input built from the event by EventBridge's input transformation. */
export const LEAK_EXECUTION_INPUT = events.RuleTargetInput.fromObject({
  mode: 'emergency',
  leak: {
    // Every affected entity: the state machine's Pass state picks the values.
    accessKeyIds: events.EventField.fromPath('$.detail.affectedEntities[*].entityValue'),
    detectedAt: events.EventField.time,
    eventArn: events.EventField.fromPath('$.detail.eventArn'),
  },
});

export interface LeakedKeyRuleProps {
  readonly stateMachine: sfn.IStateMachine;
}

/** The EventBridge rule on the default bus of the stack's region. */
export class LeakedKeyRule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LeakedKeyRuleProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.rule = new events.Rule(this, 'Rule', {
      description:
        'AWS Health AWS_RISK_CREDENTIALS_EXPOSED: starts an emergency rotation of the target holding the leaked key ' +
        '(IAM Health events arrive in us-east-1: deploy there or forward them here)',
      eventPattern: LEAK_EVENT_PATTERN,
      targets: [
        new targets.SfnStateMachine(props.stateMachine, {
          input: LEAK_EXECUTION_INPUT,
          retryAttempts: 5,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    if (!Token.isUnresolved(region) && region !== 'us-east-1') {
      Annotations.of(this).addWarningV2(
        'ado-key-rotator:leak-rule-region',
        `the leaked-key rule is in ${region}, but AWS Health sends IAM events to us-east-1: deploy a ` +
          `LeakEventForwarder there`,
      );
    }
  }
}

export interface LeakEventForwarderProps {
  /** The region the rotator is deployed in (its default event bus receives the events). */
  readonly rotatorRegion: string;
}

/**
 * For a rotator deployed outside us-east-1: in a small stack in us-east-1, forwards the same Health
 * events to the rotator region's default event bus, where `LeakedKeyRule` picks them up.
 */
export class LeakEventForwarder extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LeakEventForwarderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const bus = events.EventBus.fromEventBusArn(
      this,
      'RotatorBus',
      `arn:${stack.partition}:events:${props.rotatorRegion}:${stack.account}:event-bus/default`,
    );
    this.rule = new events.Rule(this, 'Rule', {
      description:
        `Forwards AWS Health AWS_RISK_CREDENTIALS_EXPOSED events to ${props.rotatorRegion}, where ` +
        `ado-key-rotator rotates the leaked key`,
      eventPattern: LEAK_EVENT_PATTERN,
      targets: [new targets.EventBus(bus)],
    });
  }
}
