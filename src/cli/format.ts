import type { RotationMode } from '../domain/model.js';
import type { RunSummary, TargetOutcome } from '../domain/report.js';
import type { RunEvent } from '../domain/runner.js';
import type { TargetStatus } from '../domain/use-cases/describe-target.js';

const MARK: Record<TargetOutcome, string> = {
  rotated: '✔',
  skipped: '·',
  planned: '?',
  repaired: '✚',
  refused: '⚠',
  'rolled-back': '↺',
  failed: '✖',
};

/** Prints progress: every step for a few targets, one line per finished target for many. */
export function progressPrinter(write: (text: string) => void, mode: RotationMode): (event: RunEvent) => void {
  let finished = 0;
  return (event) => {
    switch (event.type) {
      case 'step-retried':
        write(
          `  ${event.targetName}: ${event.step} not yet (${event.errorName}), retry ${event.attempt} in ` +
            `${Math.round(event.delayMs / 1000)}s\n`,
        );
        break;
      case 'step-failed':
        write(`  ${event.targetName}: ${event.step} failed: ${event.errorName}: ${event.message}\n`);
        break;
      case 'target-finished':
        finished++;
        write(
          `${MARK[event.report.outcome]} [${finished}] ${event.targetName}: ${event.report.outcome}` +
            `${mode === 'dry-run' ? '' : ` in ${(event.report.durationMs / 1000).toFixed(1)}s`}\n`,
        );
        break;
      default:
        break;
    }
  };
}

export function formatSummary(summary: RunSummary): string {
  const counts = new Map<TargetOutcome, number>();
  for (const t of summary.targets) counts.set(t.outcome, (counts.get(t.outcome) ?? 0) + 1);
  const lines = [
    '',
    `${summary.mode} run: ${[...counts].map(([o, n]) => `${n} ${o}`).join(', ') || 'no targets'}`,
    ...summary.targets.flatMap((t) => [
      `${MARK[t.outcome]} ${t.targetName} (${t.connectionName} in ${t.project}): ${t.summary}` +
        `${t.reasonCode ? ` [${t.reasonCode}]` : ''}`,
      ...t.warnings.map((w) => `    warning: ${w}`),
      ...(t.outcome === 'refused' || t.outcome === 'rolled-back' || t.outcome === 'failed'
        ? [`    left: ${t.stateLeft}`]
        : []),
      ...t.rolledBack.map((a) => `    rolled back: ${a}`),
    ]),
    '',
  ];
  return lines.join('\n');
}

export function formatStatus(statuses: TargetStatus[]): string {
  const out: string[] = [];
  for (const s of statuses) {
    out.push(
      `${s.attention.length ? '⚠' : '✔'} ${s.targetName}  user ${s.iamUser}  connection ` +
        `${s.connectionName} (${s.connectionId ?? 'not found'})`,
    );
    for (const k of s.keys) {
      const roles = [k.heldByConnection ? 'held by connection' : '', k.inSecret ? 'in secret' : '']
        .filter(Boolean)
        .join(', ');
      out.push(
        `    ${k.accessKeyId}  ${k.status.padEnd(8)} ${String(k.ageDays).padStart(4)} days  last used ` +
          `${k.lastUsedAt ?? 'never'}${roles ? `  (${roles})` : ''}`,
      );
    }
    out.push(`    secret matches connection: ${s.secretMatchesConnection ? 'yes' : 'no'}`);
    for (const h of s.holders ?? [])
      out.push(`    ${h.matchesConnection ? '✔' : '✖'} ${h.label} holds ${h.heldAccessKeyId ?? 'no key'}`);
    if (s.canary) {
      const run = s.canary.lastRun;
      const how = run ? (run.state === 'completed' ? (run.result ?? 'completed') : run.state) : '';
      const last = run ? `last run ${run.name} ${how}  ${run.webUrl}` : 'no run yet';
      out.push(`    canary pipeline ${s.canary.pipelineId}: ${last}`);
    }
    if (s.usesOidc) out.push('    uses OIDC: nothing to rotate');
    else if (s.couldMoveToOidc)
      out.push('    could move to OIDC (AWS Toolkit 1.15+), which would remove the static key altogether');
    for (const a of s.attention) out.push(`    ⚠ ${a}`);
  }
  return `${out.join('\n')}\n`;
}
