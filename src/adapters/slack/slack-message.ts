import type { RunSummary, TargetOutcome, TargetReport } from '../../domain/report.js';
import { leakHeadline, leakLines } from './leak-lines.js';
import {
  CAP,
  type ContextBlock,
  type HeaderBlock,
  mrkdwn,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  section,
  totalBlockText,
} from './slack-blocks.js';
import { compactBlocks, compactList } from './slack-layout.js';
import { safe, truncate } from './slack-text.js';
import {
  countsOf,
  countsPhrase,
  executionConsoleUrl,
  formatDuration,
  formatTime,
  LABEL,
  NEEDS_ATTENTION,
  OUTCOME_ORDER,
  type SlackMessageOptions,
  targetSection,
} from './slack-wording.js';

/**
 * The Slack message for a run: ONE message for all targets, in Block Kit.
 *
 * Pure: a `RunSummary` in, a JSON-ready message out. It holds ids and sentences only: every
 * access key id is masked (`maskKeyId`) wherever it appears, even inside a sentence, and
 * anything shaped like a credential (a Slack webhook URL, a 40+ character token such as a
 * secret access key or a PAT, the userinfo of a URL) is replaced by `[REDACTED]` before it
 * is written, so an upstream bug cannot turn a report into a leak.
 *
 * Slack's limits are respected for any number of targets (`SLACK_LIMITS` in slack-blocks.ts):
 * targets that need a human (failed, rolled back, refused) are listed one section each, first;
 * when the message would be too big, the others are summarised per outcome as lists of names,
 * and the rest is counted ("… and 12 more").
 */

// Parts: block types and named limits (slack-blocks.ts), safe text (slack-text.ts), wording
// (slack-wording.ts), the compact layout for many targets (slack-layout.ts). Their public names
// stay importable from here.
export {
  type ContextBlock,
  type DividerBlock,
  type HeaderBlock,
  type MrkdwnTextObject,
  type PlainTextObject,
  SLACK_LIMITS,
  type SectionBlock,
  type SlackBlock,
  type SlackMessage,
  totalBlockText,
} from './slack-blocks.js';
export { REDACTED } from './slack-text.js';
export { executionConsoleUrl, formatDuration, type SlackMessageOptions, targetSection } from './slack-wording.js';

/** Builds the one Slack message of a run. Pure. */
export function buildSlackMessage(summary: RunSummary, options: SlackMessageOptions = {}): SlackMessage {
  const targets = [...summary.targets].sort(
    (a, b) => OUTCOME_ORDER.indexOf(a.outcome) - OUTCOME_ORDER.indexOf(b.outcome),
  );
  const counts = countsOf(targets);
  const consoleUrl = executionConsoleUrl(summary, options);
  const mode = safe(summary.mode, 20);

  const status =
    counts.failed > 0
      ? ':rotating_light:'
      : counts['rolled-back'] + counts.refused > 0
        ? ':warning:'
        : ':white_check_mark:';
  const header: HeaderBlock = {
    type: 'header',
    // A run for a leaked key leads with the leak: whether it was rotated, and how fast.
    text: {
      type: 'plain_text',
      text: truncate(
        leakHeadline(summary, formatDuration) ??
          `${status} Key rotation (${summary.mode}): ${countsPhrase(counts, ' · ')}`,
        SLACK_LIMITS.headerText,
      ),
      emoji: true,
    },
  };
  const runTook = Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
  const context: ContextBlock = {
    type: 'context',
    elements: [
      mrkdwn(`*Mode:* ${mode}`),
      mrkdwn(`*Targets:* ${targets.length}`),
      mrkdwn(`*Started:* ${formatTime(summary.startedAt)} · took ${formatDuration(runTook)}`),
      mrkdwn(
        consoleUrl
          ? `<${consoleUrl}|Step Functions execution>`
          : summary.executionId
            ? `*Run:* \`${safe(summary.executionId, 120)}\``
            : '*Run:* local',
      ),
    ],
  };
  const leak = leakLines(summary);
  const expiring = credentialWarnings(targets);
  const fixed: SlackBlock[] = [
    header,
    context,
    ...(leak.length ? [section(leak.map((l) => safe(l, 600)).join('\n'))] : []),
    ...(expiring.length ? [section(expiring.join('\n'))] : []),
    { type: 'divider' },
  ];

  const attention = targets.filter((t) => NEEDS_ATTENTION.has(t.outcome));
  const routine = targets.filter((t) => !NEEDS_ATTENTION.has(t.outcome));

  // Every target in full, when that fits.
  const full = targets.map((t) => targetSection(t, consoleUrl, options));
  let blocks: SlackBlock[];
  if (
    fixed.length + full.length <= SLACK_LIMITS.maxBlocks &&
    totalBlockText([...fixed, ...full]) <= SLACK_LIMITS.totalBlockText
  ) {
    blocks = [...fixed, ...full];
    if (targets.length === 0) blocks.push(section('No targets were processed.'));
  } else {
    blocks = [
      ...fixed,
      ...compactBlocks(
        attention,
        routine,
        consoleUrl,
        SLACK_LIMITS.totalBlockText - totalBlockText(fixed),
        SLACK_LIMITS.maxBlocks - fixed.length,
      ),
    ];
  }

  return { text: fallbackText(summary, counts, attention), blocks, unfurl_links: false, unfurl_media: false };
}

/**
 * The rotator's own expiring credentials, once each (many targets share one PAT), soonest first:
 * at the top, whatever the layout, since every rotation stops the day one expires.
 */
function credentialWarnings(targets: readonly TargetReport[]): string[] {
  const byParameter = new Map<string, { daysLeft: number; warning: string }>();
  for (const t of targets) {
    const expiry = t.credentialExpiry;
    if (expiry?.warning && !byParameter.has(expiry.parameter))
      byParameter.set(expiry.parameter, { daysLeft: expiry.daysLeft, warning: expiry.warning });
  }
  const sorted = [...byParameter.values()].sort((a, b) => a.daysLeft - b.daysLeft);
  const shown = sorted
    .slice(0, CREDENTIAL_WARNINGS_SHOWN)
    .map((e) => `:hourglass: ${safe(e.warning, CAP.warning * 2)}`);
  const hidden = sorted.length - shown.length;
  return hidden > 0
    ? [
        ...shown,
        `:hourglass: … and ${hidden} more expiring credential${hidden === 1 ? '' : 's'}: see \`ado-key-rotator ` +
          `status\``,
      ]
    : shown;
}

/** Enough to act on; the rest are counted (the section must stay within Slack's 3,000 characters). */
const CREDENTIAL_WARNINGS_SHOWN = 5;

function fallbackText(
  summary: RunSummary,
  counts: Record<TargetOutcome, number>,
  attention: readonly TargetReport[],
): string {
  const leak = leakHeadline(summary, formatDuration)?.replace(/^:rotating_light: /, '');
  const base = `${leak ? `${leak}. ` : ''}Key rotation (${safe(summary.mode, 20)}): ${countsPhrase(counts, ', ')}`;
  if (attention.length === 0) return base;
  return compactList(
    `${base}. Needs a human: `,
    attention,
    (r) => `${safe(r.targetName, CAP.name)} (${LABEL[r.outcome]})`,
    SLACK_LIMITS.fallbackText,
  );
}
