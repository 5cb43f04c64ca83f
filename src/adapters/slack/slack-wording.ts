import type { RunSummary, TargetOutcome, TargetReport } from '../../domain/report.js';
import { maskKeyId } from '../../domain/secret-value.js';
import { CAP, type SectionBlock, section } from './slack-blocks.js';
import { safe } from './slack-text.js';

/**
 * The wording of the Slack message: what each outcome is called and in which order it is read,
 * and the sentences of one target's section. Every piece of report text goes through `safe`.
 */

export interface SlackMessageOptions {
  /** Region for the Step Functions console link when the execution id does not carry one. */
  consoleRegion?: string;
}

/** Most urgent first: the message is read top-down. */
export const OUTCOME_ORDER: readonly TargetOutcome[] = [
  'failed',
  'rolled-back',
  'refused',
  'rotated',
  'repaired',
  'planned',
  'skipped',
];

/** Outcomes that need a human to read the details. */
export const NEEDS_ATTENTION: ReadonlySet<TargetOutcome> = new Set<TargetOutcome>(['failed', 'rolled-back', 'refused']);

export const LABEL: Record<TargetOutcome, string> = {
  rotated: 'rotated',
  skipped: 'skipped',
  refused: 'refused',
  planned: 'planned',
  repaired: 'repaired',
  'rolled-back': 'rolled back',
  failed: 'failed',
};

export const EMOJI: Record<TargetOutcome, string> = {
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

export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return safe(iso, 40);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A run's execution ARN, or a Distributed Map child's (`execution:<machine>/<map label>:<id>`). */
const EXECUTION_ARN = /^arn:aws:states:([a-z0-9-]*):\d{12}:execution:[A-Za-z0-9_.:/-]+$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/**
 * The Step Functions console page of the run's execution: `summary.executionUrl` when it is a
 * plain https URL, else built from the execution ARN (commercial partition). Null when there
 * is none (a local run).
 */
export function executionConsoleUrl(
  summary: Pick<RunSummary, 'executionId' | 'executionUrl'>,
  options: SlackMessageOptions = {},
): string | null {
  if (summary.executionUrl && /^https:\/\/[^\s<>|]+$/.test(summary.executionUrl)) return summary.executionUrl;
  const match = summary.executionId ? EXECUTION_ARN.exec(summary.executionId) : null;
  if (!match || !summary.executionId) return null;
  const region = match[1] || options.consoleRegion;
  if (!region || !REGION.test(region)) return null;
  return (
    `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/` +
    `${summary.executionId}`
  );
}

function connectionLine(report: TargetReport): string {
  return `Connection *${safe(report.connectionName, CAP.name)}* in project *${safe(report.project, CAP.name)}*`;
}

function oldKeyPhrase(report: TargetReport): string {
  if (!report.oldAccessKeyId) return 'there was no old key';
  const status = report.oldKeyStatus;
  const phrase =
    status === 'Inactive'
      ? 'is now inactive'
      : status === 'Deleted'
        ? 'was deleted'
        : status === 'Active'
          ? 'is still active'
          : 'status unknown';
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

/** A link Slack can render: http(s), nothing that would end the `<url|text>` markup. */
const LINKABLE = /^https?:\/\/[^\s<>|]+$/;

/** The canary run, for a target naming one: how it ended and a link to it. */
export function canaryLine(report: TargetReport): string | null {
  const canary = report.canary;
  if (!canary) return null;
  const run =
    canary.runId === null
      ? `pipeline ${canary.pipelineId}`
      : `run ${safe(canary.runName ?? String(canary.runId), 60)} of pipeline ${canary.pipelineId}`;
  const link = canary.webUrl && LINKABLE.test(canary.webUrl) ? ` · <${canary.webUrl}|open the run>` : '';
  return `*Canary:* ${run}: ${canary.outcome}${link}`;
}

/** Every holder of a target with several (connections, variable groups): the reader sees where the key lives. */
export function holdersLine(report: TargetReport): string | null {
  const holders = report.holders;
  if (!holders || holders.length < 2) return null;
  return `*Holders (${holders.length}):* ${safe(holders.join(' · '), CAP.sentence)}`;
}

function failureLines(report: TargetReport, runUrl: string | null, options: SlackMessageOptions): string[] {
  // The target's own (child) execution when the results name it: its history shows the failure; else the run's.
  const childUrl = report.executionArn
    ? executionConsoleUrl({ executionId: report.executionArn, executionUrl: null }, options)
    : null;
  const failure = report.failure;
  const step = failure ? `*${safe(failure.step, 40)}*` : 'an unknown step';
  const title =
    report.outcome === 'rolled-back'
      ? targetTitle(report, `rolled back after step ${step} failed`)
      : targetTitle(
          report,
          failure ? `failed at step ${step}; the rollback did not complete` : safe(report.summary, CAP.sentence),
        );
  const rolledBack = report.rolledBack.length > 0 ? safe(report.rolledBack.join('; '), CAP.rolledBack) : 'nothing';
  return [
    title,
    failure ? `*Error:* \`${safe(failure.name, 80)}\`: ${safe(failure.message, CAP.errorMessage)}` : null,
    canaryLine(report),
    holdersLine(report),
    `*Rolled back:* ${rolledBack}`,
    `*Left in:* ${safe(report.stateLeft, CAP.sentence)}`,
    `${connectionLine(report)} · took ${formatDuration(report.durationMs)}`,
    childUrl
      ? `<${childUrl}|Open this target's execution in the Step Functions console>`
      : runUrl
        ? `<${runUrl}|Open the execution in the Step Functions console>`
        : null,
  ].filter((line): line is string => line !== null);
}

/** One target, in full: what happened, to which connection, with which keys, and why. */
export function targetSection(
  report: TargetReport,
  consoleUrl: string | null,
  options: SlackMessageOptions = {},
): SectionBlock {
  let lines: string[];
  switch (report.outcome) {
    case 'rotated':
      lines = [
        targetTitle(report, 'rotated'),
        connectionLine(report),
        `New key ${keyId(report.newAccessKeyId)} · ${oldKeyPhrase(report)} · took ${formatDuration(report.durationMs)}`,
        ...[holdersLine(report), canaryLine(report)].filter((line): line is string => line !== null),
      ];
      break;
    case 'failed':
    case 'rolled-back':
      lines = failureLines(report, consoleUrl, options);
      break;
    case 'refused':
      lines = [
        targetTitle(
          report,
          `refused: ${safe(report.summary, CAP.sentence)}` +
            `${report.reasonCode ? ` (\`${safe(report.reasonCode, 80)}\`)` : ''}`,
        ),
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
      lines = [
        targetTitle(report, `${LABEL[report.outcome]}: ${safe(report.summary, CAP.sentence)}`),
        connectionLine(report),
      ];
      break;
  }
  return section([...lines, ...warningLines(report)].join('\n'), CAP.attentionSection);
}

/** One line for a target that needs a human, when there is no room for its section. */
export function attentionLine(report: TargetReport): string {
  const name = `${EMOJI[report.outcome]} *${safe(report.targetName, CAP.name)}*`;
  const error = report.failure
    ? ` (\`${safe(report.failure.name, 80)}\`)`
    : report.reasonCode
      ? ` (\`${safe(report.reasonCode, 80)}\`)`
      : '';
  switch (report.outcome) {
    case 'failed':
      return (
        `${name} — failed${report.failure ? ` at *${safe(report.failure.step, 40)}*` : ''}${error}; the ` +
        `rollback did not complete`
      );
    case 'rolled-back':
      return `${name} — rolled back after *${safe(report.failure?.step ?? 'a step', 40)}* failed${error}`;
    default:
      return `${name} — ${LABEL[report.outcome]}${error}`;
  }
}

export function countsOf(targets: readonly TargetReport[]): Record<TargetOutcome, number> {
  const counts: Record<TargetOutcome, number> = {
    rotated: 0,
    skipped: 0,
    refused: 0,
    planned: 0,
    repaired: 0,
    'rolled-back': 0,
    failed: 0,
  };
  for (const t of targets) counts[t.outcome]++;
  return counts;
}

export function countsPhrase(counts: Record<TargetOutcome, number>, separator: string): string {
  const shown = [...HEADER_ALWAYS, ...HEADER_WHEN_PRESENT.filter((o) => counts[o] > 0)];
  return shown.map((o) => `${counts[o]} ${LABEL[o]}`).join(separator);
}
