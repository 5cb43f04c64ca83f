import { describe, expect, it } from 'vitest';
import { buildSlackMessage, type SlackMessage } from '../../../src/adapters/slack/slack-message.js';
import type { TargetReport } from '../../../src/domain/report.js';
import { slackLimitViolations } from '../../../local/slack-sink.js';
import { rolledBackReport, rotatedReport, summaryOf } from '../../../local/slack-fixtures.js';

const texts = (message: SlackMessage): string[] =>
  message.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : []));
const HOLDERS = [
  'connection "aws-payments-prod" in project "payments"',
  'connection "aws-payments-prod-eu" in project "payments"',
  'variable group "aws-deploy" in project "payments"',
];
const withHolders = (report: TargetReport): TargetReport => ({ ...report, holders: HOLDERS });

describe('Function: buildSlackMessage, the holders of a target', () => {
  it('lists each holder of a rotated target and of a rolled-back one', () => {
    // Act
    const message = buildSlackMessage(
      summaryOf([withHolders(rotatedReport('app-prod')), withHolders(rolledBackReport('app-staging'))]),
    );

    // Assess
    const lines = texts(message).join('\n');
    const line = `*Holders (3):* ${HOLDERS.join(' · ')}`;
    expect(lines.split(line)).toHaveLength(3);
    expect(slackLimitViolations(message)).toEqual([]);
  });

  it('says nothing of holders for a target whose key has one holder', () => {
    // Act
    const message = buildSlackMessage(summaryOf([rotatedReport('app-prod')]));

    // Assess
    expect(texts(message).join('\n')).not.toContain('*Holders');
  });
});
