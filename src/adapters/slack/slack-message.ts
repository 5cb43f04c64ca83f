import type { RunSummary, TargetOutcome, TargetReport } from '../../domain/report.js';
import { maskKeyId } from '../../domain/secret-value.js';
import { leakHeadline, leakLines } from './leak-lines.js';

/**
 * The Slack message for a run: ONE message for all targets, in Block Kit.
 *
 * Pure: a `RunSummary` in, a JSON-ready message out. It holds ids and sentences only: every
 * access key id is masked (`maskKeyId`) wherever it appears, even inside a sentence, and
 * anything shaped like a credential (a Slack webhook URL, a 40+ character token such as a
 * secret access key or a PAT, the userinfo of a URL) is replaced by `[REDACTED]` before it
 * is written, so an upstream bug cannot turn a report into a leak.
 *
 * Slack's limits are respected for any number of targets (see `SLACK_LIMITS`): targets that
 * need a human (failed, rolled back, refused) are listed one section each, first; when the
 * message would be too big, the others are summarised per outcome as lists of names, and
 * the rest is counted ("… and 12 more").
 */

export interface PlainTextObject {
  type: 'plain_text';
  text: string;
  emoji: true;
}

export interface MrkdwnTextObject {
  type: 'mrkdwn';
  text: string;
  /** True: Slack does not auto-link names or parse mentions in our text; explicit `<url|label>` links still work. */
  verbatim: true;
}

export interface HeaderBlock {
  type: 'header';
  text: PlainTextObject;
}

export interface SectionBlock {
  type: 'section';
  text: MrkdwnTextObject;
}

export interface ContextBlock {
  type: 'context';
  elements: MrkdwnTextObject[];
}

export interface DividerBlock {
  type: 'divider';
}

export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

/** What is POSTed to the incoming webhook. */
export interface SlackMessage {
  /** The notification and accessibility fallback: the header's counts and the targets that need a human. */
  text: string;
  blocks: SlackBlock[];
  /** No link previews: the only links are to the AWS console. */
  unfurl_links: false;
  unfurl_media: false;
}

/** Slack's documented limits (and the undocumented total), with our margins. */
export const SLACK_LIMITS = {
  /** Blocks per message. */
  maxBlocks: 50,
  /** Header block text (plain_text). */
  headerText: 150,
  /** Section block text. */
  sectionText: 3000,
  /** Elements of a context block. */
  contextElements: 10,
  /**
   * All block text together. Slack answers `msg_blocks_too_long` from about 12,000 characters
   * (undocumented; seen as low as ~11,300, slackapi/bolt-js#2509 and #2867): we stay far below.
   */
  totalBlockText: 8000,
  /** The top-level `text` (Slack truncates at 40,000 and advises less than 4,000). */
  fallbackText: 1000,
} as const;

export interface SlackMessageOptions {
  /** Region for the Step Functions console link when the execution id does not carry one. */
  consoleRegion?: string;
}

// ------------------------------------------------------------------------------ wording

/** Most urgent first: the message is read top-down. */
const OUTCOME_ORDER: readonly TargetOutcome[] = ['failed', 'rolled-back', 'refused', 'rotated', 'repaired', 'planned', 'skipped'];

/** Outcomes that need a human to read the details. */
const NEEDS_ATTENTION: ReadonlySet<TargetOutcome> = new Set<TargetOutcome>(['failed', 'rolled-back', 'refused']);

const LABEL: Record<TargetOutcome, string> = {
  rotated: 'rotated',
  skipped: 'skipped',
  refused: 'refused',
  planned: 'planned',
  repaired: 'repaired',
  'rolled-back': 'rolled back',
  failed: 'failed',
};

const EMOJI: Record<TargetOutcome, string> = {
  rotated: ':white_check_mark:',
  skipped: ':fast_forward:',
  refused: ':no_entry:',
  planned: ':memo:',
  repaired: ':wrench:',
  'rolled-back': ':leftwards_arrow_with_hook:',
  failed: ':rotating_light:',
};

/** Counted in the header even when zero (the five an operator looks for). */
const HEADER_ALWAYS: readonly TargetOutcome[] = ['rotated', 'skipped', 'refused', 'rolled-back', 'failed'];
/** Counted in the header only when present. */
const HEADER_WHEN_PRESENT: readonly TargetOutcome[] = ['planned', 'repaired'];

/** Per-piece caps, so one long error message cannot crowd out the other targets. */
const CAP = {
  name: 120,
  errorMessage: 400,
  sentence: 400,
  rolledBack: 500,
  warning: 240,
  warnings: 5,
  attentionSection: 1500,
} as const;

// ------------------------------------------------------------------------------ scrubbing

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,124}\b/g;
const SLACK_WEBHOOK = /https?:\/\/hooks\.slack(?:-gov)?\.com\/\S*/gi;
const URL_USERINFO = /\b(https?:\/\/)[^\s/@:]+:[^\s/@]+@/gi;
/** A secret access key (40), an Azure DevOps PAT (52 or 84), a JWT segment, a base64 blob... */
const LONG_TOKEN = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/=]{40,}(?![A-Za-z0-9+/=])/g;

export const REDACTED = '[REDACTED]';

/** Masks access key ids and removes anything shaped like a credential from free text. */
export function scrubText(text: string): string {
  return text
    .replace(SLACK_WEBHOOK, REDACTED)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(ACCESS_KEY_ID, (id) => maskKeyId(id))
    .replace(LONG_TOKEN, REDACTED);
}

/** Slack's three control characters (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** Free text from a report, made safe for a mrkdwn field: scrubbed, capped, escaped, on one line. */
function safe(text: string, max: number): string {
  return escapeMrkdwn(truncate(scrubText(text).replace(/\s+/g, ' ').trim(), max));
}

/** Cuts mrkdwn without leaving half an entity (`&am`) or half a link (`<https://...`). */
function fitMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut.trimEnd()}…`;
}

// ------------------------------------------------------------------------------ formatting

function keyId(id: string | null): string {
  return id ? `\`${maskKeyId(id)}\`` : 'none';
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${totalSeconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return safe(iso, 40);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const EXECUTION_ARN = /^arn:aws:states:([a-z0-9-]*):\d{12}:execution:[A-Za-z0-9_.:-]+$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/**
 * The Step Functions console page of the run's execution: `summary.executionUrl` when it is a
 * plain https URL, else built from the execution ARN (commercial partition). Null when there
 * is none (a local run).
 */
export function executionConsoleUrl(summary: Pick<RunSummary, 'executionId' | 'executionUrl'>, options: SlackMessageOptions = {}): string | null {
  if (summary.executionUrl && /^https:\/\/[^\s<>|]+$/.test(summary.executionUrl)) return summary.executionUrl;
  const match = summary.executionId ? EXECUTION_ARN.exec(summary.executionId) : null;
  if (!match || !summary.executionId) return null;
  const region = match[1] || options.consoleRegion;
  if (!region || !REGION.test(region)) return null;
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${summary.executionId}`;
}

function connectionLine(report: TargetReport): string {
  return `Connection *${safe(report.connectionName, CAP.name)}* in project *${safe(report.project, CAP.name)}*`;
}

function oldKeyPhrase(report: TargetReport): string {
  if (!report.oldAccessKeyId) return 'there was no old key';
  const status = report.oldKeyStatus;
  const phrase = status === 'Inactive' ? 'is now inactive' : status === 'Deleted' ? 'was deleted' : status === 'Active' ? 'is still active' : 'status unknown';
  return `old key ${keyId(report.oldAccessKeyId)} ${phrase}`;
}

function warningLines(report: TargetReport): string[] {
  const shown = report.warnings.slice(0, CAP.warnings).map((w) => `:warning: ${safe(w, CAP.warning)}`);
  const hidden = report.warnings.length - shown.length;
  return hidden > 0 ? [...shown, `:warning: … and ${hidden} more warning${hidden === 1 ? '' : 's'}`] : shown;
}

function targetTitle(report: TargetReport, what: string): string {
  return `${EMOJI[report.outcome]} *${safe(report.targetName, CAP.name)}* — ${what}`;
}

function failureLines(report: TargetReport, consoleUrl: string | null): string[] {
  const failure = report.failure;
  const step = failure ? `*${safe(failure.step, 40)}*` : 'an unknown step';
  const title =
    report.outcome === 'rolled-back'
      ? targetTitle(report, `rolled back after step ${step} failed`)
      : targetTitle(report, failure ? `failed at step ${step}; the rollback did not complete` : safe(report.summary, CAP.sentence));
  const rolledBack = report.rolledBack.length > 0 ? safe(report.rolledBack.join('; '), CAP.rolledBack) : 'nothing';
  return [
    title,
    failure ? `*Error:* \`${safe(failure.name, 80)}\`: ${safe(failure.message, CAP.errorMessage)}` : null,
    `*Rolled back:* ${rolledBack}`,
    `*Left in:* ${safe(report.stateLeft, CAP.sentence)}`,
    `${connectionLine(report)} · took ${formatDuration(report.durationMs)}`,
    consoleUrl ? `<${consoleUrl}|Open the execution in the Step Functions console>` : null,
  ].filter((line): line is string => line !== null);
}

/** One target, in full: what happened, to which connection, with which keys, and why. */
export function targetSection(report: TargetReport, consoleUrl: string | null): SectionBlock {
  let lines: string[];
  switch (report.outcome) {
    case 'rotated':
      lines = [
        targetTitle(report, 'rotated'),
        connectionLine(report),
        `New key ${keyId(report.newAccessKeyId)} · ${oldKeyPhrase(report)} · took ${formatDuration(report.durationMs)}`,
      ];
      break;
    case 'failed':
    case 'rolled-back':
      lines = failureLines(report, consoleUrl);
      break;
    case 'refused':
      lines = [
        targetTitle(report, `refused: ${safe(report.summary, CAP.sentence)}${report.reasonCode ? ` (\`${safe(report.reasonCode, 80)}\`)` : ''}`),
        connectionLine(report),
        `*Left in:* ${safe(report.stateLeft, CAP.sentence)} A human must act before the next run.`,
      ];
      break;
    case 'planned':
      // The summary reads "Dry run: would rotate: key ... is 9 days old".
      lines = [targetTitle(report, safe(report.summary, CAP.sentence)), connectionLine(report)];
      break;
    case 'skipped':
    case 'repaired':
      lines = [targetTitle(report, `${LABEL[report.outcome]}: ${safe(report.summary, CAP.sentence)}`), connectionLine(report)];
      break;
  }
  return section([...lines, ...warningLines(report)].join('\n'), CAP.attentionSection);
}

function section(text: string, max: number = SLACK_LIMITS.sectionText): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: fitMrkdwn(text, Math.min(max, SLACK_LIMITS.sectionText)), verbatim: true } };
}

function mrkdwn(text: string): MrkdwnTextObject {
  return { type: 'mrkdwn', text, verbatim: true };
}

/**
 * A compact list, `{prefix}name, name, name… and N more`, within `max` characters.
 * `describe` gives each item's words (already safe for mrkdwn).
 */
function compactList(prefix: string, items: readonly TargetReport[], describe: (r: TargetReport) => string, max: number): string {
  let text = prefix;
  for (const [i, item] of items.entries()) {
    const piece = `${i === 0 ? '' : ', '}${describe(item)}`;
    const rest = items.length - i;
    const tail = ` … and ${rest} more`;
    // Keep room for the "and N more" that would follow if this item were the last to fit.
    const room = rest > 1 ? max - tail.length : max;
    if (text.length + piece.length > room) return `${text}${i === 0 ? '' : ','}${tail}`;
    text += piece;
  }
  return text;
}

function countsOf(targets: readonly TargetReport[]): Record<TargetOutcome, number> {
  const counts: Record<TargetOutcome, number> = { rotated: 0, skipped: 0, refused: 0, planned: 0, repaired: 0, 'rolled-back': 0, failed: 0 };
  for (const t of targets) counts[t.outcome]++;
  return counts;
}

function countsPhrase(counts: Record<TargetOutcome, number>, separator: string): string {
  const shown = [...HEADER_ALWAYS, ...HEADER_WHEN_PRESENT.filter((o) => counts[o] > 0)];
  return shown.map((o) => `${counts[o]} ${LABEL[o]}`).join(separator);
}

function blockText(block: SlackBlock): number {
  switch (block.type) {
    case 'header':
    case 'section':
      return block.text.text.length;
    case 'context':
      return block.elements.reduce((n, e) => n + e.text.length, 0);
    case 'divider':
      return 0;
  }
}

/** Characters of text in all blocks (what Slack's undocumented total limit counts). */
export function totalBlockText(blocks: readonly SlackBlock[]): number {
  return blocks.reduce((n, b) => n + blockText(b), 0);
}

// ------------------------------------------------------------------------------ the message

/** Builds the one Slack message of a run. Pure. */
export function buildSlackMessage(summary: RunSummary, options: SlackMessageOptions = {}): SlackMessage {
  const targets = [...summary.targets].sort((a, b) => OUTCOME_ORDER.indexOf(a.outcome) - OUTCOME_ORDER.indexOf(b.outcome));
  const counts = countsOf(targets);
  const consoleUrl = executionConsoleUrl(summary, options);
  const mode = safe(summary.mode, 20);

  const status = counts.failed > 0 ? ':rotating_light:' : counts['rolled-back'] + counts.refused > 0 ? ':warning:' : ':white_check_mark:';
  const header: HeaderBlock = {
    type: 'header',
    // A run for a leaked key leads with the leak: whether it was rotated, and how fast.
    text: {
      type: 'plain_text',
      text: truncate(leakHeadline(summary, formatDuration) ?? `${status} Key rotation (${summary.mode}): ${countsPhrase(counts, ' · ')}`, SLACK_LIMITS.headerText),
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
  const fixed: SlackBlock[] = [header, context, ...(leak.length ? [section(leak.map((l) => safe(l, 600)).join('\n'))] : []), { type: 'divider' }];

  const attention = targets.filter((t) => NEEDS_ATTENTION.has(t.outcome));
  const routine = targets.filter((t) => !NEEDS_ATTENTION.has(t.outcome));

  // Every target in full, when that fits.
  const full = targets.map((t) => targetSection(t, consoleUrl));
  let blocks: SlackBlock[];
  if (fixed.length + full.length <= SLACK_LIMITS.maxBlocks && totalBlockText([...fixed, ...full]) <= SLACK_LIMITS.totalBlockText) {
    blocks = [...fixed, ...full];
    if (targets.length === 0) blocks.push(section('No targets were processed.'));
  } else {
    blocks = [...fixed, ...compactBlocks(attention, routine, consoleUrl, SLACK_LIMITS.totalBlockText - totalBlockText(fixed), SLACK_LIMITS.maxBlocks - fixed.length)];
  }

  return { text: fallbackText(summary, counts, attention), blocks, unfurl_links: false, unfurl_media: false };
}

/** One line for a target that needs a human, when there is no room for its section. */
function attentionLine(report: TargetReport): string {
  const name = `${EMOJI[report.outcome]} *${safe(report.targetName, CAP.name)}*`;
  const error = report.failure ? ` (\`${safe(report.failure.name, 80)}\`)` : report.reasonCode ? ` (\`${safe(report.reasonCode, 80)}\`)` : '';
  switch (report.outcome) {
    case 'failed':
      return `${name} — failed${report.failure ? ` at *${safe(report.failure.step, 40)}*` : ''}${error}; the rollback did not complete`;
    case 'rolled-back':
      return `${name} — rolled back after *${safe(report.failure?.step ?? 'a step', 40)}* failed${error}`;
    default:
      return `${name} — ${LABEL[report.outcome]}${error}`;
  }
}

/**
 * Many targets. Those that need a human come first: in full while half the text budget lasts,
 * then one line each while the budget lasts, then counted. The others are summarised per
 * outcome as lists of names. The execution link is in the context block at the top.
 */
function compactBlocks(attention: readonly TargetReport[], routine: readonly TargetReport[], consoleUrl: string | null, textBudget: number, blockBudget: number): SlackBlock[] {
  const groups = OUTCOME_ORDER.filter((o) => !NEEDS_ATTENTION.has(o))
    .map((outcome) => ({ outcome, items: routine.filter((r) => r.outcome === outcome) }))
    .filter((g) => g.items.length > 0);
  const routineReserve = groups.length * 400;
  const reservedBlocks = groups.length + (groups.length > 0 && attention.length > 0 ? 1 : 0);
  const attentionBudget = textBudget - routineReserve;
  const blocks: SlackBlock[] = [];
  let used = 0;
  let placed = 0;

  // 1. In full, while half the budget lasts (a block is kept for the one-line list).
  for (const report of attention) {
    const block = targetSection(report, null);
    const size = blockText(block);
    const listBlock = placed + 1 < attention.length ? 1 : 0;
    if (blocks.length + 1 + listBlock + reservedBlocks > blockBudget) break;
    if (used + size > attentionBudget / 2) break;
    blocks.push(block);
    used += size;
    placed++;
  }

  // 2. One line each, in sections of at most SLACK_LIMITS.sectionText, while the budget lasts.
  const rest = attention.slice(placed);
  if (rest.length > 0) {
    const link = consoleUrl ? ` <${consoleUrl}|Open the execution>` : '';
    const tailRoom = 60 + link.length;
    const sections: string[] = [placed > 0 ? '*Also needing a human:*' : '*Needing a human:*'];
    let shown = 0;
    for (const report of rest) {
      const line = attentionLine(report);
      const current = sections[sections.length - 1] ?? '';
      const total = used + sections.reduce((n, t) => n + t.length + 1, 0) + line.length + tailRoom;
      if (total > attentionBudget) break;
      if (current.length + 1 + line.length + tailRoom <= SLACK_LIMITS.sectionText - 100) {
        sections[sections.length - 1] = `${current}\n${line}`;
      } else if (blocks.length + sections.length + 1 + reservedBlocks <= blockBudget) {
        sections.push(line);
      } else {
        break;
      }
      shown++;
    }
    const hidden = rest.length - shown;
    if (hidden > 0) sections[sections.length - 1] += `\n… and ${hidden} more need${hidden === 1 ? 's' : ''} a human:${link || ' see the execution'}`;
    for (const text of sections) {
      const block = section(text);
      blocks.push(block);
      used += blockText(block);
    }
  }

  // 3. The others, one section per outcome, names only.
  if (groups.length > 0) {
    if (attention.length > 0) blocks.push({ type: 'divider' });
    const perGroup = Math.max(200, Math.min(SLACK_LIMITS.sectionText, Math.floor((textBudget - used) / groups.length)));
    for (const { outcome, items } of groups) {
      const label = LABEL[outcome];
      const prefix = `${EMOJI[outcome]} *${label[0]?.toUpperCase()}${label.slice(1)} (${items.length}):* `;
      blocks.push(section(compactList(prefix, items, (r) => safe(r.targetName, CAP.name), perGroup)));
    }
  }
  return blocks;
}

function fallbackText(summary: RunSummary, counts: Record<TargetOutcome, number>, attention: readonly TargetReport[]): string {
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
