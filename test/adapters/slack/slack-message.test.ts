import { redactShapes } from '../../../src/adapters/redaction/redaction.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSlackMessage,
  executionConsoleUrl,
  formatDuration,
  SLACK_LIMITS,
  type SectionBlock,
  type SlackMessage,
  totalBlockText,
} from '../../../src/adapters/slack/slack-message.js';
import type { TargetOutcome, TargetReport } from '../../../src/domain/report.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { slackLimitViolations } from '../../../local/slack-sink.js';
import {
  EXECUTION_ARN,
  EXECUTION_CONSOLE_URL,
  failedReport,
  failureSummary,
  largeSummary,
  multiTargetSummary,
  NEW_KEY,
  OLD_KEY,
  refusedReport,
  rolledBackReport,
  rotatedReport,
  skippedReport,
  successSummary,
  summaryOf,
} from '../../../local/slack-fixtures.js';

const sections = (message: SlackMessage): string[] =>
  message.blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text.text);

const headerOf = (message: SlackMessage): string => {
  const header = message.blocks[0];
  if (header?.type !== 'header') throw new Error('the first block is not a header');
  return header.text.text;
};

/** Every limit Slack enforces, plus our own (8,000 characters in all). */
function expectWithinSlackLimits(message: SlackMessage): void {
  expect(slackLimitViolations(message)).toEqual([]);
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
  expect(totalBlockText(message.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.totalBlockText);
  for (const text of sections(message)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  expect(headerOf(message).length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
}

describe('Function: buildSlackMessage', () => {
  describe('a run that rotated one target', () => {
    it('is pinned: header with the counts and mode, run context, one section with masked key ids', () => {
      const message = buildSlackMessage(successSummary());

      expect(message).toMatchInlineSnapshot(`
        {
          "blocks": [
            {
              "text": {
                "emoji": true,
                "text": ":white_check_mark: Key rotation (rotate): 1 rotated · 0 skipped · 0 refused · 0 rolled back · 0 failed",
                "type": "plain_text",
              },
              "type": "header",
            },
            {
              "elements": [
                {
                  "text": "*Mode:* rotate",
                  "type": "mrkdwn",
                  "verbatim": true,
                },
                {
                  "text": "*Targets:* 1",
                  "type": "mrkdwn",
                  "verbatim": true,
                },
                {
                  "text": "*Started:* 2025-06-02 03:00:00 UTC · took 2 min 42 s",
                  "type": "mrkdwn",
                  "verbatim": true,
                },
                {
                  "text": "<https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:ado-key-rotator:weekly-2025-06-02|Step Functions execution>",
                  "type": "mrkdwn",
                  "verbatim": true,
                },
              ],
              "type": "context",
            },
            {
              "type": "divider",
            },
            {
              "text": {
                "text": ":white_check_mark: *app-prod* — rotated
        Connection *aws-app-prod* in project *payments*
        New key \`****************WXYZ\` · old key \`****************ABCD\` is now inactive · took 42.3 s",
                "type": "mrkdwn",
                "verbatim": true,
              },
              "type": "section",
            },
          ],
          "text": "Key rotation (rotate): 1 rotated, 0 skipped, 0 refused, 0 rolled back, 0 failed",
          "unfurl_links": false,
          "unfurl_media": false,
        }
      `);
    });

    it('never shows an access key id in full, only its last four characters', () => {
      const json = JSON.stringify(buildSlackMessage(successSummary()));

      expect(json).not.toContain(NEW_KEY);
      expect(json).not.toContain(OLD_KEY);
      expect(json).toContain('****************WXYZ');
      expect(json).toContain('****************ABCD');
    });

    it('lists the warnings of a rotated target', () => {
      const message = buildSlackMessage(
        summaryOf([rotatedReport('web-prod', { warnings: ['the old key was used 2 hours ago'] })]),
      );

      expect(sections(message)[0]).toContain(':warning: the old key was used 2 hours ago');
    });

    it.each([
      ['Inactive', 'is now inactive'],
      ['Deleted', 'was deleted'],
      ['Active', 'is still active'],
    ] as const)('says what became of the old key (%s)', (status, words) => {
      const report: TargetReport = { ...rotatedReport(), oldKeyStatus: status };

      expect(sections(buildSlackMessage(summaryOf([report])))[0]).toContain(
        `old key \`****************ABCD\` ${words}`,
      );
    });
  });

  describe('a run whose target failed and was rolled back', () => {
    it('is pinned: failed step, error, what was rolled back, the state left and the console link', () => {
      const message = buildSlackMessage(failureSummary());

      expect(headerOf(message)).toBe(
        ':warning: Key rotation (rotate): 0 rotated · 0 skipped · 0 refused · 1 rolled back · 0 failed',
      );
      expect(message.blocks.map((b) => b.type)).toEqual(['header', 'context', 'divider', 'section']);
      expect(sections(message)[0]).toMatchInlineSnapshot(`
        ":leftwards_arrow_with_hook: *app-staging* — rolled back after step *publish* failed
        *Error:* \`AzureDevOpsRequestError\`: Azure DevOps answered 400 (VS402870: the endpoint data is not valid) updating connection aws-app-staging in project payments
        *Rolled back:* dropped the pending secret version 0f8e5b7a-3c1d-4e2f-9a6b-1c2d3e4f5a6b; deleted the new key ****************WXYZ
        *Left in:* Unchanged: the connection and the secret hold the old key ****************ABCD, which is active; the new key was deleted.
        Connection *aws-app-staging* in project *payments* · took 18.9 s
        <https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:ado-key-rotator:weekly-2025-06-02|Open the execution in the Step Functions console>"
      `);
      expect(message.text).toBe(
        'Key rotation (rotate): 0 rotated, 0 skipped, 0 refused, 1 rolled back, 0 failed. Needs a human: ' +
          'app-staging (rolled back)',
      );
    });

    it('says the rollback did not complete, and raises the alarm in the header, when the target is left failed', () => {
      const message = buildSlackMessage(summaryOf([failedReport()]));
      const text = sections(message)[0] ?? '';

      expect(headerOf(message)).toMatch(/^:rotating_light: .* 1 failed$/);
      expect(text).toContain(':rotating_light: *data-prod* — failed at step *promote*; the rollback did not complete');
      expect(text).toContain(
        '*Error:* `AwsAccessDeniedError`: secretsmanager:UpdateSecretVersionStage was denied on secret ' +
          'rotator/data-prod',
      );
      expect(text).toContain(
        '*Rolled back:* restored the connection to the old key ****************ABCD; stopped: ' +
          'secretsmanager:UpdateSecretVersionStage was denied',
      );
      expect(text).toContain('*Left in:* Needs a human: the rollback did not finish');
      expect(text).toContain(`<${EXECUTION_CONSOLE_URL}|Open the execution in the Step Functions console>`);
    });

    it("links a failed target to its own (child) execution's console page when the results name it", () => {
      // Prepare
      const child = 'arn:aws:states:eu-west-1:123456789012:execution:ado-key-rotator/rotateeachtarget:0b2e61fb-b19a';

      // Act
      const text = sections(buildSlackMessage(summaryOf([{ ...failedReport(), executionArn: child }])))[0] ?? '';

      // Assess
      expect(text).toContain(
        `<https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${child}|` +
          "Open this target's execution in the Step Functions console>",
      );
      expect(text).not.toContain('Open the execution in the Step Functions console');
    });

    it('says "nothing" when nothing was rolled back, and leaves the link out for a local run', () => {
      const report: TargetReport = { ...rolledBackReport(), rolledBack: [] };

      const text = sections(buildSlackMessage(summaryOf([report], { executionId: null })))[0] ?? '';

      expect(text).toContain('*Rolled back:* nothing');
      expect(text).not.toContain('console.aws.amazon.com');
    });
  });

  describe('a run over several targets', () => {
    it('is one message: counts in the header, the targets that need a human first, then the others', () => {
      const message = buildSlackMessage(multiTargetSummary());

      expect(headerOf(message)).toBe(
        ':rotating_light: Key rotation (rotate): 2 rotated · 1 skipped · 1 refused · 1 rolled back · 1 failed',
      );
      expect(message.blocks.map((b) => b.type)).toEqual([
        'header',
        'context',
        'divider',
        'section',
        'section',
        'section',
        'section',
        'section',
        'section',
      ]);
      expect(sections(message).map((t) => t.split('\n')[0])).toMatchInlineSnapshot(`
        [
          ":rotating_light: *data-prod* — failed at step *promote*; the rollback did not complete",
          ":leftwards_arrow_with_hook: *app-staging* — rolled back after step *publish* failed",
          ":no_entry: *legacy-app* — refused: service connection aws-legacy-app uses OIDC (workload identity federation): it holds no access key, so there is nothing to rotate; remove the target from the configuration (\`ConnectionUsesOidcError\`)",
          ":white_check_mark: *app-prod* — rotated",
          ":white_check_mark: *web-prod* — rotated",
          ":fast_forward: *tools* — skipped: key ****************ABCD is 3 days old; it is rotated from 6 days",
        ]
      `);
      expect(message.text).toBe(
        'Key rotation (rotate): 2 rotated, 1 skipped, 1 refused, 1 rolled back, 1 failed. Needs a human: ' +
          'data-prod (failed), app-staging (rolled back), legacy-app (refused)',
      );
      expect(JSON.stringify(message)).not.toMatch(/AKIA[A-Z0-9]{16}/);
    });

    it('says why a target was refused and what it is left in', () => {
      const text = sections(buildSlackMessage(summaryOf([refusedReport()])))[0] ?? '';

      expect(text).toContain('(`ConnectionUsesOidcError`)');
      expect(text).toContain('*Left in:* Unchanged. A human must act before the next run.');
      expect(text).toContain('Connection *aws-legacy-app* in project *legacy*');
    });

    it('counts dry-run plans in the header and shows what each would do', () => {
      const planned: TargetReport = {
        ...skippedReport('tools'),
        mode: 'dry-run',
        outcome: 'planned',
        summary: 'Dry run: would rotate: key AKIAOLDKEY000000ABCD is 9 days old',
      };

      const message = buildSlackMessage(summaryOf([planned], { mode: 'dry-run' }));

      expect(headerOf(message)).toBe(
        ':white_check_mark: Key rotation (dry-run): 0 rotated · 0 skipped · 0 refused · 0 rolled back · 0 ' +
          'failed · 1 planned',
      );
      expect(sections(message)[0]).toContain(
        ':memo: *tools* — Dry run: would rotate: key ****************ABCD is 9 days old',
      );
    });

    it('says so when no target was processed', () => {
      const message = buildSlackMessage(summaryOf([]));

      expect(sections(message)).toEqual(['No targets were processed.']);
      expectWithinSlackLimits(message);
    });
  });

  describe('Slack limits', () => {
    it('keeps a 1,000-target run within every limit, listing the targets that need a human first', () => {
      const summary = largeSummary(1000);

      const message = buildSlackMessage(summary);

      expectWithinSlackLimits(message);
      expect(headerOf(message)).toBe(
        ':rotating_light: Key rotation (rotate): 900 rotated · 50 skipped · 30 refused · 15 rolled back · 5 failed',
      );
      const texts = sections(message);
      // Every failed target is shown in full; the others that need a human get a line, or are counted.
      for (let i = 1; i <= 5; i++)
        expect(texts.some((t) => t.startsWith(`:rotating_light: *target-000${i}* — failed at step *promote*`))).toBe(
          true,
        );
      expect(texts.join('\n')).toMatch(/… and \d+ more need(s)? a human/);
      expect(texts.some((t) => t.startsWith(':white_check_mark: *Rotated (900):* target-0101, target-0102'))).toBe(
        true,
      );
      expect(texts.some((t) => t.startsWith(':fast_forward: *Skipped (50):* target-0051'))).toBe(true);
      expect(texts.at(-1)).toMatch(/… and \d+ more$/);
    });

    it('accounts for every target that needs a human: shown in full, on a line, or counted', () => {
      const summary = largeSummary(1000);
      const message = buildSlackMessage(summary);
      const text = sections(message).join('\n');

      const attention = summary.targets.filter((t) => ['failed', 'rolled-back', 'refused'].includes(t.outcome));
      const named = attention.filter((t) => text.includes(`*${t.targetName}*`)).length;
      const counted = Number(/… and (\d+) more need/.exec(text)?.[1] ?? 0);
      expect(named + counted).toBe(attention.length);
    });

    it.each([
      ['1,000 failed targets', () => largeSummary(1000, { failed: 1000 })],
      ['45 failed targets (few enough blocks, too much text)', () => largeSummary(45, { failed: 45 })],
      ['1,000 rotated targets', () => largeSummary(1000, { failed: 0, rolledBack: 0, refused: 0, skipped: 0 })],
      [
        '1,000 refused targets with long names and reasons',
        () => {
          const summary = largeSummary(1000, { failed: 0, rolledBack: 0, refused: 1000, skipped: 0 });
          summary.targets = summary.targets.map((t, i) => ({
            ...t,
            targetName: `${'x'.repeat(200)}-${i}`,
            summary: 'why '.repeat(2000),
          }));
          return summary;
        },
      ],
      [
        'one target with huge texts',
        () =>
          summaryOf([
            {
              ...failedReport(),
              warnings: Array.from({ length: 40 }, () => 'w'.repeat(5000)),
              stateLeft: 's '.repeat(9000),
              failure: { step: 'publish' as const, name: 'E', message: 'm '.repeat(9000) },
              rolledBack: Array.from({ length: 100 }, () => 'a '.repeat(100)),
            },
          ]),
      ],
    ])('keeps %s within every limit', (_, make) => {
      expectWithinSlackLimits(buildSlackMessage(make()));
    });

    it('keeps any mix of outcomes, names and texts within every limit (property)', () => {
      const outcome = fc.constantFrom<TargetOutcome>(
        'rotated',
        'skipped',
        'refused',
        'planned',
        'repaired',
        'rolled-back',
        'failed',
      );
      const report = fc.record({
        outcome,
        name: fc.string({ minLength: 1, maxLength: 300 }),
        text: fc.string({ maxLength: 4000 }),
        warnings: fc.array(fc.string({ maxLength: 600 }), { maxLength: 8 }),
      });
      fc.assert(
        fc.property(fc.array(report, { maxLength: 300 }), (items) => {
          const targets = items.map((item, i): TargetReport => {
            const base =
              item.outcome === 'failed'
                ? failedReport()
                : item.outcome === 'rolled-back'
                  ? rolledBackReport()
                  : rotatedReport();
            return {
              ...base,
              outcome: item.outcome,
              targetName: `${item.name}${i}`,
              summary: item.text,
              stateLeft: item.text,
              warnings: item.warnings,
              connectionName: item.name,
              project: item.text.slice(0, 200),
            };
          });
          const message = buildSlackMessage(summaryOf(targets));
          return (
            slackLimitViolations(message).length === 0 &&
            message.blocks.length <= SLACK_LIMITS.maxBlocks &&
            totalBlockText(message.blocks) <= SLACK_LIMITS.totalBlockText
          );
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('secrets and formatting', () => {
    const CANARY_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYSEC1';
    const CANARY_WEBHOOK = 'https://hooks.slack.com/services/TCANARY00/BCANARY00/canaryWebhookTokenXyZ';
    const CANARY_PAT = 'canarypat2345canarypat2345canarypat2345canarypat2345';

    it('never writes a secret that reached a report by mistake (secret key, webhook URL, PAT, URL credentials)', () => {
      const leaky: TargetReport = {
        ...failedReport(),
        failure: {
          step: 'publish',
          name: 'AzureDevOpsRequestError',
          message: `body was {"secretKey":"${CANARY_SECRET}"}`,
        },
        warnings: [`posting to ${CANARY_WEBHOOK} failed`, `token ${CANARY_PAT} expires soon`],
        stateLeft: 'see https://user:hunter2-canary@example.com/x',
      };

      const json = JSON.stringify(
        buildSlackMessage(summaryOf([leaky, { ...rotatedReport(), summary: CANARY_SECRET }])),
      );

      for (const canary of [CANARY_SECRET, CANARY_WEBHOOK, 'canaryWebhookTokenXyZ', CANARY_PAT, 'hunter2-canary'])
        expect(json).not.toContain(canary);
      expect(json).toContain('[REDACTED]');
    });

    it('never writes a secret that reached a report URL-encoded (a 400 that quoted the value it rejected)', () => {
      const encoded = encodeURIComponent(CANARY_SECRET);
      const leaky: TargetReport = {
        ...failedReport(),
        failure: { step: 'publish', name: 'AzureDevOpsRequestError', message: `VS403: value ${encoded} is not valid` },
      };

      const json = JSON.stringify(buildSlackMessage(summaryOf([leaky])));

      expect(json).not.toContain(encoded);
      expect(json).not.toContain(CANARY_SECRET);
      expect(json).toContain('VS403: value [REDACTED] is not valid');
    });

    it('escapes the characters Slack reads as markup, so a name cannot mention @channel or inject a link', () => {
      const report: TargetReport = { ...rotatedReport(), targetName: '<!channel> & <https://evil.example|click>' };

      const text = sections(buildSlackMessage(summaryOf([report])))[0] ?? '';

      expect(text).toContain('*&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;* — rotated');
      expect(text).not.toContain('<!channel>');
    });

    it('redactShapes masks key ids inside sentences and leaves ordinary words alone', () => {
      expect(redactShapes(`the connection holds ${OLD_KEY}, which is active`)).toBe(
        'the connection holds ****************ABCD, which is active',
      );
      expect(redactShapes('rotator/app-prod arn:aws:iam::123456789012:user/ado-app-prod')).toBe(
        'rotator/app-prod arn:aws:iam::123456789012:user/ado-app-prod',
      );
    });

    it.each([
      [0, '0 ms'],
      [850, '850 ms'],
      [42_300, '42.3 s'],
      [161_500, '2 min 42 s'],
      [3_725_000, '1 h 2 min'],
      [Number.NaN, 'unknown'],
    ])('formats %d ms as %s', (ms, text) => {
      expect(formatDuration(ms)).toBe(text);
    });
  });
});

describe('Function: executionConsoleUrl', () => {
  it('builds the Step Functions console link from the execution ARN', () => {
    expect(executionConsoleUrl({ executionId: EXECUTION_ARN, executionUrl: null })).toBe(EXECUTION_CONSOLE_URL);
  });

  it('prefers the execution URL the run carries', () => {
    expect(executionConsoleUrl({ executionId: EXECUTION_ARN, executionUrl: 'https://console.example/x' })).toBe(
      'https://console.example/x',
    );
  });

  it('ignores an execution URL that is not plain https (it would break the link or the markup)', () => {
    expect(executionConsoleUrl({ executionId: null, executionUrl: 'javascript:alert(1)' })).toBeNull();
    expect(executionConsoleUrl({ executionId: null, executionUrl: 'https://x.example/a|b>' })).toBeNull();
  });

  it('uses the configured region when the ARN has none, and gives up without one', () => {
    const arn = 'arn:aws:states::123456789012:execution:sm:run-1';

    expect(executionConsoleUrl({ executionId: arn, executionUrl: null }, { consoleRegion: 'eu-central-1' })).toBe(
      `https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/${arn}`,
    );
    expect(executionConsoleUrl({ executionId: arn, executionUrl: null })).toBeNull();
  });

  it('has no link for a local run id', () => {
    expect(executionConsoleUrl({ executionId: 'local-0f8e5b7a', executionUrl: null })).toBeNull();
  });
});

describe('Function: buildSlackMessage with the domain', () => {
  it('describes a real run of the fakes (one rotated, one rolled back) without a full key id', async () => {
    const world = new FakeWorld({ targets: 2 });
    world.faults.fail('ado.updateCredential', () => new Error('socket hang up'), { skip: 1 });

    const { summary } = await world
      .runner()
      .run({ mode: 'rotate', targetNames: ['target-1', 'target-2'], newRotationId: () => world.newRotationId() });
    const message = buildSlackMessage(summary);

    expect(summary.targets.map((t) => t.outcome).sort()).toEqual(['rolled-back', 'rotated']);
    expectWithinSlackLimits(message);
    expect(headerOf(message)).toContain('1 rotated · 0 skipped · 0 refused · 1 rolled back · 0 failed');
    expect(JSON.stringify(message)).not.toMatch(/AKIA[A-Z0-9]{16}/);
    expect(JSON.stringify(message)).not.toContain(world.snapshot('target-1').connectionSecret ?? 'no-secret');
  });
});
