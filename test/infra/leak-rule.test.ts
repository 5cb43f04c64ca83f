import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeakEventForwarder } from '../../infra/leak-rule.js';
import { synthesizeLocally } from '../../local/local-run.js';
import { AdoKeyRotatorStack } from '../../infra/stack.js';
import { buildSlackMessage } from '../../src/adapters/slack/slack-message.js';
import { logger } from '../../src/adapters/observability/logger.js';
import { LEAKED_KEY_NOT_HELD } from '../../src/domain/leak.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { deliver } from '../../local/eventbridge-local.js';
import { type AslDefinition, runInWorld, worldConfig } from '../../local/local-state-machine.js';

type TemplateJson = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

const HEALTH_EVENT = JSON.parse(
  readFileSync(new URL('../fixtures/aws-health/AWS_RISK_CREDENTIALS_EXPOSED.json', import.meta.url), 'utf8'),
) as Record<string, unknown> & { detail: Record<string, unknown> };

/** The fixture event, for `keyIds`, raised `minutesAgo` before the world's clock. */
function healthEvent(
  world: FakeWorld,
  keyIds: string[],
  minutesAgo = 3,
  eventTypeCode = 'AWS_RISK_CREDENTIALS_EXPOSED',
) {
  const event = structuredClone(HEALTH_EVENT);
  event.time = new Date(world.clock.now().getTime() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.detail.eventTypeCode = eventTypeCode;
  event.detail.affectedEntities = keyIds.map((entityValue) => ({ entityValue }));
  return event;
}

let template: TemplateJson;
let definition: AslDefinition;
let stateMachineId: string;
beforeAll(() => {
  const synth = synthesizeLocally(worldConfig(new FakeWorld({ targets: 3 })));
  template = synth.template.toJSON() as TemplateJson;
  definition = synth.definition;
  stateMachineId = Object.entries(template.Resources ?? {}).find(
    ([, r]) => (r as { Type: string }).Type === 'AWS::StepFunctions::StateMachine',
  )?.[0] as string;
  logger.setLogLevel('SILENT');
});
afterAll(() => logger.setLogLevel('INFO'));

describe('Leaked key: the AWS Health rule', () => {
  it('is in the synthesized template: Health RISK AWS_RISK_CREDENTIALS_EXPOSED events start the state machine', () => {
    // Prepare / Act
    const rules = Object.values(template.Resources ?? {}).filter(
      (r) => r.Type === 'AWS::Events::Rule',
    ) as unknown as Array<{
      Properties: { EventPattern: unknown; Targets: Array<{ Arn: unknown; RetryPolicy: unknown }> };
    }>;
    // Assess
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventPattern).toEqual({
      source: ['aws.health'],
      'detail-type': ['AWS Health Event'],
      detail: { service: ['RISK'], eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] },
    });
    expect(rules[0]?.Properties.Targets.map((t) => t.Arn)).toEqual([{ Ref: stateMachineId }]);
    expect(rules[0]?.Properties.Targets[0]?.RetryPolicy).toEqual({
      MaximumEventAgeInSeconds: 7200,
      MaximumRetryAttempts: 5,
    });
  });

  it('turns a real-shaped Health event into an emergency execution input naming the key', () => {
    // Prepare
    const world = new FakeWorld({ targets: 1 });
    const event = healthEvent(world, ['AKIAEXAMPLEEXAMPLE01']);
    // Act
    const delivered = deliver(template, event);
    // Assess
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.target).toEqual({ Ref: stateMachineId });
    expect(delivered[0]?.input).toEqual({
      mode: 'emergency',
      leak: { accessKeyIds: ['AKIAEXAMPLEEXAMPLE01'], detectedAt: event.time, eventArn: event.detail.eventArn },
    });
  });

  it.each(['AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED', 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED'])(
    'ignores other Health events (%s)',
    (code) => {
      const world = new FakeWorld({ targets: 1 });
      expect(deliver(template, healthEvent(world, ['AKIAEXAMPLEEXAMPLE01'], 3, code))).toEqual([]);
    },
  );

  it(
    'rotates the target holding the leaked key in emergency mode, leaves the others, and says so first ' + 'in Slack',
    async () => {
      // Prepare
      const world = new FakeWorld({ targets: 3 });
      const leaked = world.snapshot('target-2').connectionKeyId as string;
      const untouched = world.snapshot('target-1');
      const [delivery] = deliver(template, healthEvent(world, [leaked], 4));
      // Act
      const run = await runInWorld(world, { definition, input: delivery?.input });
      // Assess
      expect(run.status).toBe('SUCCEEDED');
      expect(run.reports.map((r) => [r.targetName, r.mode, r.outcome])).toEqual([
        ['target-1', 'emergency', 'skipped'],
        ['target-2', 'emergency', 'rotated'],
        ['target-3', 'emergency', 'skipped'],
      ]);
      expect(run.report('target-1').summary).toContain('holds none of the leaked keys');
      const after = world.snapshot('target-2');
      expect(after.connectionKeyId).not.toBe(leaked);
      expect(after.keys.map((k) => k.accessKeyId)).not.toContain(leaked); // deleted at once, as emergency mode does
      expect(world.violations('target-2', { final: true })).toEqual([]);
      expect(world.snapshot('target-1')).toEqual(untouched);
      const summary = world.notifier.sent[0];
      expect(summary?.leak).toMatchObject({ accessKeyIds: [leaked], unheld: [] });
      const eventToLive = run.report('target-2').leak?.eventToLiveMs as number;
      expect(eventToLive).toBeGreaterThanOrEqual(4 * 60_000);
      const message = buildSlackMessage(summary as NonNullable<typeof summary>);
      const header = (message.blocks[0] as { text: { text: string } }).text.text;
      expect(header).toMatch(/^:rotating_light: leaked key rotated: \*+[A-Z0-9]{4} \(target-2\)/);
      expect(header).toContain('target-2');
      expect(header).toMatch(/new key live within 4 min \d+ s of the event/);
      expect(JSON.stringify(message)).not.toContain(leaked);
    },
  );

  it('reports a leaked key that no target holds, changing nothing', async () => {
    // Prepare
    const world = new FakeWorld({ targets: 3 });
    const before = [world.snapshot('target-1'), world.snapshot('target-2'), world.snapshot('target-3')];
    const [delivery] = deliver(template, healthEvent(world, ['AKIANOBODYHOLDSTHIS1']));
    // Act
    const run = await runInWorld(world, { definition, input: delivery?.input });
    // Assess
    expect(run.reports.map((r) => r.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(run.reports.map((r) => r.leak)).toEqual([0, 1, 2].map(() => ({ held: [], eventToLiveMs: null })));
    expect([world.snapshot('target-1'), world.snapshot('target-2'), world.snapshot('target-3')]).toEqual(before);
    const summary = world.notifier.sent[0] as NonNullable<(typeof world.notifier.sent)[0]>;
    expect(summary.leak?.unheld).toEqual(['AKIANOBODYHOLDSTHIS1']);
    const message = buildSlackMessage(summary);
    expect((message.blocks[0] as { text: { text: string } }).text.text).toMatch(
      /^:rotating_light: leaked key held by no target: \*+HIS1: find and deactivate it by hand$/,
    );
    expect(JSON.stringify(message.blocks)).toContain('is held by no configured target');
    expect(message.text).toMatch(/^leaked key held by no target/);
  });

  it('refuses a leak input outside emergency mode, changing nothing', async () => {
    const world = new FakeWorld({ targets: 1 });
    const before = world.snapshot('target-1');
    const run = await runInWorld(world, {
      definition,
      input: {
        mode: 'rotate',
        leak: { accessKeyIds: [before.connectionKeyId], detectedAt: world.clock.now().toISOString(), eventArn: null },
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidStepInputError');
    expect(world.snapshot('target-1')).toEqual(before);
  });

  it.each([
    { region: 'us-east-1', leakedKeyRotation: true, rules: 1, warnings: 0 },
    { region: 'eu-west-1', leakedKeyRotation: true, rules: 1, warnings: 1 },
    { region: 'eu-west-1', leakedKeyRotation: false, rules: 0, warnings: 0 },
  ])(
    'in $region with leakedKeyRotation $leakedKeyRotation: $rules rule(s), $warnings region warning(s)',
    ({ region, leakedKeyRotation, rules, warnings }) => {
      // Prepare
      const app = new App();
      const stack = new AdoKeyRotatorStack(app, 'Leak', {
        env: { account: '123456789012', region },
        config: worldConfig(new FakeWorld({ targets: 1 })),
        overrides: {
          lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({})'),
          leakedKeyRotation,
        },
      });
      // Act
      const synthesized = Template.fromStack(stack);
      // Assess
      expect(Object.keys(synthesized.findResources('AWS::Events::Rule'))).toHaveLength(rules);
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('LeakEventForwarder'))).toHaveLength(
        warnings,
      );
    },
  );

  it("LeakEventForwarder sends the same events from us-east-1 to the rotator region's default bus", () => {
    const stack = new Stack(new App(), 'Forwarder', { env: { account: '123456789012', region: 'us-east-1' } });
    new LeakEventForwarder(stack, 'Forward', { rotatorRegion: 'eu-west-1' });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.health'], detail: { eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] } },
    });
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::Events::Rule'))).toContain(
      ':events:eu-west-1:123456789012:event-bus/default',
    );
  });

  it(`a target that holds none of the leaked keys is a skip with reason code ${LEAKED_KEY_NOT_HELD}`, async () => {
    const world = new FakeWorld({ targets: 3 });
    const [delivery] = deliver(template, healthEvent(world, ['AKIANOBODYHOLDSTHIS1']));
    const run = await runInWorld(world, { definition, input: delivery?.input });
    const planned = run.events.find((e) => e.type === 'StateExited' && e.stateName === 'plan')?.output as {
      state: { plan: { code: string } };
    };
    expect(planned.state.plan.code).toBe(LEAKED_KEY_NOT_HELD);
  });
});
