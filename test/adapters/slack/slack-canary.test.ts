import { describe, expect, it } from 'vitest';
import { buildSlackMessage, type SlackMessage } from '../../../src/adapters/slack/slack-message.js';
import { canaryLine } from '../../../src/adapters/slack/slack-wording.js';
import type { TargetReport } from '../../../src/domain/report.js';
import { slackLimitViolations } from '../../../local/slack-sink.js';
import { rolledBackReport, rotatedReport, summaryOf } from '../../../local/slack-fixtures.js';

const texts = (message: SlackMessage): string[] =>
  message.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : []));
const URL = 'https://dev.azure.com/contoso/payments/_build/results?buildId=501';

const withCanary = (
  report: TargetReport,
  outcome: NonNullable<TargetReport['canary']>['outcome'],
  webUrl: string | null = URL,
): TargetReport => ({
  ...report,
  canary: { pipelineId: 42, runId: 501, runName: '20261129.501', outcome, webUrl },
});

describe('Function: buildSlackMessage, the canary run', () => {
  it('shows a succeeded canary run under a rotated target, with a link to the run', () => {
    // Act
    const message = buildSlackMessage(summaryOf([withCanary(rotatedReport('app-prod'), 'succeeded')]));

    // Assess
    expect(texts(message).join('\n')).toContain(
      `*Canary:* run 20261129.501 of pipeline 42: succeeded · <${URL}|open the run>`,
    );
    expect(slackLimitViolations(message)).toEqual([]);
  });

  it('says which run failed, with its link, under a rolled-back target', () => {
    // Act
    const message = buildSlackMessage(summaryOf([withCanary(rolledBackReport('app-staging'), 'timed out')]));

    // Assess
    expect(texts(message).join('\n')).toContain(
      `*Canary:* run 20261129.501 of pipeline 42: timed out · <${URL}|open the run>`,
    );
  });

  it('leaves out a link Slack could not render safely, and says nothing for a target without a canary', () => {
    // Act / Assess
    expect(canaryLine(withCanary(rotatedReport(), 'failed', 'https://evil.example/a|b>c'))).toBe(
      '*Canary:* run 20261129.501 of pipeline 42: failed',
    );
    expect(canaryLine(rotatedReport())).toBeNull();
  });
});
