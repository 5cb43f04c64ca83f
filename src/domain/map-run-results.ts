import { InvalidStepInputError } from './errors.js';
import { ROTATION_MODES, type RotationMode } from './model.js';
import type { TargetReport } from './report.js';
import type { ChildResult, ResultsLocation } from '../ports/run-results.port.js';

/**
 * The reports of a run from its map run's results: a child that finished carries its report as its
 * output; a child that failed outright (its own quota, a timeout, an abort: not a rotation failure,
 * which the child reports itself) becomes a `failed` report naming its execution, so no target is
 * ever left out of the summary.
 */
export function reportsFromChildResults(results: readonly ChildResult[]): TargetReport[] {
  return results.map((result) => {
    const report =
      result.status === 'SUCCEEDED' && result.output !== undefined
        ? (JSON.parse(result.output) as TargetReport)
        : failedChildReport(result);
    // The Slack message links a failed target to its own execution's console page.
    return result.executionArn ? { ...report, executionArn: result.executionArn } : report;
  });
}

function failedChildReport(result: ChildResult): TargetReport {
  const input = safeParse(result.input) as
    | { state?: { rotationId?: unknown; targetName?: unknown; mode?: unknown } }
    | undefined;
  const state = input?.state ?? {};
  const mode = (ROTATION_MODES as readonly unknown[]).includes(state.mode) ? (state.mode as RotationMode) : 'rotate';
  const error = result.error ?? (result.status === 'PENDING' ? 'NotStarted' : 'Unknown');
  return {
    rotationId: typeof state.rotationId === 'string' ? state.rotationId : '',
    targetName: typeof state.targetName === 'string' ? state.targetName : `(unknown target of ${result.executionArn})`,
    connectionName: '',
    project: '',
    organizationUrl: '',
    connectionId: null,
    mode,
    outcome: 'failed',
    summary:
      `Its execution ended with ${error} before it could report; what it did is in the execution ` +
      `history of ${result.executionArn}.`,
    newAccessKeyId: null,
    oldAccessKeyId: null,
    oldKeyStatus: null,
    heldKeyAgeDays: null,
    durationMs: 0,
    warnings: [],
    reasonCode: error,
    failure: null,
    rolledBack: [],
    stateLeft: 'Unknown: run `ado-key-rotator status` to see which key the connection holds.',
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the child's input names no target.
  }
  return undefined;
}

/** The notify input's `results` (the Map's `ResultWriterDetails`), checked. */
export function parseResultsLocation(value: unknown): ResultsLocation {
  const raw = (value ?? {}) as { Bucket?: unknown; Key?: unknown };
  if (typeof raw.Bucket !== 'string' || raw.Bucket === '' || typeof raw.Key !== 'string' || raw.Key === '') {
    throw new InvalidStepInputError(
      'Notify input field "results" must be the Map\'s ResultWriterDetails { Bucket, Key }',
      {
        context: { field: 'results' },
      },
    );
  }
  return { bucket: raw.Bucket, key: raw.Key };
}
