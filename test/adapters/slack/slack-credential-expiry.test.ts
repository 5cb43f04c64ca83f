import { describe, expect, it } from 'vitest';
import { buildSlackMessage, type SlackMessage } from '../../../src/adapters/slack/slack-message.js';
import type { TargetReport } from '../../../src/domain/report.js';
import { slackLimitViolations } from '../../../local/slack-sink.js';
import { largeSummary, rotatedReport, skippedReport, summaryOf } from '../../../local/slack-fixtures.js';

const texts = (message: SlackMessage): string[] =>
  message.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : []));

const expiring = (report: TargetReport, parameter: string, daysLeft: number, warning: string | null): TargetReport => ({
  ...report,
  credentialExpiry: { parameter, expiresOn: '2025-06-12', daysLeft, warning },
});

describe('Function: buildSlackMessage, the rotator credential expiry warnings', () => {
  it('warns once per credential, soonest first, above the targets', () => {
    // Prepare: two targets share one PAT, a third uses another; one is far from expiry.
    const summary = summaryOf([
      expiring(
        rotatedReport('app-prod'),
        '/ado/pat',
        10,
        'the Azure DevOps credential in /ado/pat expires in 10 days (2025-06-12): renew it',
      ),
      expiring(
        rotatedReport('app-test'),
        '/ado/pat',
        10,
        'the Azure DevOps credential in /ado/pat expires in 10 days (2025-06-12): renew it',
      ),
      expiring(
        skippedReport('tools'),
        '/ado/server-pat',
        3,
        'the Azure DevOps credential in /ado/server-pat expires in 3 days (2025-06-05): renew it',
      ),
      expiring(skippedReport('docs'), '/ado/docs-pat', 200, null),
    ]);

    // Act
    const message = buildSlackMessage(summary);

    // Assess
    const first = texts(message)[0] ?? '';
    expect(first.split('\n')).toEqual([
      ':hourglass: the Azure DevOps credential in /ado/server-pat expires in 3 days (2025-06-05): renew it',
      ':hourglass: the Azure DevOps credential in /ado/pat expires in 10 days (2025-06-12): renew it',
    ]);
    expect(texts(message).join('\n')).not.toContain('/ado/docs-pat');
  });

  it('adds nothing when no credential is near its expiry', () => {
    // Prepare, Act
    const message = buildSlackMessage(summaryOf([rotatedReport('app-prod')]));

    // Assess
    expect(texts(message).join('\n')).not.toContain(':hourglass:');
  });

  it('keeps the warnings in the compact layout of a large run, within Slack limits', () => {
    // Prepare
    const summary = largeSummary(300);
    summary.targets = summary.targets.map((t, i) =>
      expiring(
        t,
        `/ado/pat-${i % 9}`,
        i % 9,
        `the Azure DevOps credential in /ado/pat-${i % 9} expires soon: renew it`,
      ),
    );

    // Act
    const message = buildSlackMessage(summary);

    // Assess: five shown, the other four counted.
    const first = texts(message)[0] ?? '';
    expect(first.split('\n')).toHaveLength(6);
    expect(first).toContain('… and 4 more expiring credentials');
    expect(slackLimitViolations(message)).toEqual([]);
  });
});
