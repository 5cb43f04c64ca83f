/**
 * Watches one local execution against the quotas of local/local-quotas.ts and records the first
 * one it crosses; the local run then ends the execution with the error the service would give.
 */
import {
  dataLimitCause,
  type EngineEvent,
  HISTORY_LIMIT_CAUSE,
  HistoryCounter,
  payloadBytes,
  QUOTAS,
} from './local-quotas.js';

export interface QuotaViolation {
  error: string;
  cause: string;
}

/** What one execution used of its quotas (the bench reports the largest of each). */
export interface QuotaUsage {
  historyEvents: number;
  largestPayloadBytes: number;
  /** Where the largest payload was seen: `<state> input|output|payload|result`, or `execution input`. */
  largestPayloadAt: string;
}

export class QuotaGuard {
  private readonly history: HistoryCounter;
  private largest = { bytes: 0, at: '' };
  private crossed: QuotaViolation | undefined;

  /**
   * @param distributedMaps names of the Distributed Map states (run locally as tasks).
   * @param onViolation called once, when the first quota is crossed (the local run aborts the engine there).
   */
  constructor(
    distributedMaps: ReadonlySet<string>,
    private readonly onViolation: (violation: QuotaViolation) => void,
  ) {
    this.history = new HistoryCounter(distributedMaps);
  }

  get violation(): QuotaViolation | undefined {
    return this.crossed;
  }

  get usage(): QuotaUsage {
    return {
      historyEvents: this.history.events,
      largestPayloadBytes: this.largest.bytes,
      largestPayloadAt: this.largest.at,
    };
  }

  /** One event of the engine, in order, with the state input or output it carries. */
  observe(event: EngineEvent & { input?: unknown; output?: unknown }): void {
    if (this.crossed) return;
    const terminal = event.type === 'ExecutionSucceeded' || event.type === 'ExecutionFailed';
    const total = this.history.add(event);
    // The 25,000th event is the ExecutionFailed itself: a state may write at most the 24,999th.
    const limit = QUOTAS.historyEvents.value;
    if (total > limit || (!terminal && total >= limit)) {
      this.fail({ error: QUOTAS.historyEvents.error, cause: HISTORY_LIMIT_CAUSE });
      return;
    }
    if (event.type === 'ExecutionStarted') this.checkPayload('input', 'execution', event.input);
    if (event.type === 'StateEntered') this.checkPayload('input', event.stateName ?? '?', event.input);
    if (event.type === 'StateExited') this.checkPayload('output', event.stateName ?? '?', event.output);
  }

  /** A payload at a point where the service checks its size; crossing the limit fails the execution. */
  checkPayload(where: 'input' | 'output' | 'task-payload' | 'task-result', stateName: string, value: unknown): void {
    if (this.crossed) return;
    const bytes = payloadBytes(value);
    if (bytes > this.largest.bytes) this.largest = { bytes, at: `${stateName} ${where}` };
    if (bytes > QUOTAS.payloadBytes.value) {
      this.fail({ error: QUOTAS.payloadBytes.error, cause: dataLimitCause(where, stateName) });
    }
  }

  private fail(violation: QuotaViolation): void {
    this.crossed = violation;
    this.onViolation(violation);
  }
}
