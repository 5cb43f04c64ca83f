import type { RunSummary } from '../domain/report.js';

/** Exit codes, so scripts can tell a partial failure from bad input. */
export const EXIT = { ok: 0, partialFailure: 1, badInput: 2, unexpected: 3 } as const;

/** 0 when every target rotated, was skipped, planned or repaired; 1 when any was refused, rolled back or failed. */
export function exitCodeOf(summary: RunSummary): number {
  const bad = summary.targets.some(
    (t) => t.outcome === 'refused' || t.outcome === 'rolled-back' || t.outcome === 'failed',
  );
  return bad ? EXIT.partialFailure : EXIT.ok;
}
