/**
 * The virtual clock of one local execution: the time the real service would spend on it, while the
 * local run itself zeroes every wait and retry interval. It advances, from the engine's events, by
 * each Wait state's Seconds, each retry's interval (as Step Functions computes it from the retrier:
 * IntervalSeconds × BackoffRate^(n-1), capped at MaxDelaySeconds, FULL jitter giving [0, delay]),
 * each Lambda task attempt's modelled duration and each other state's transition
 * (infra/execution-time.ts, the model the execution timeouts are derived from). A Map's iterations
 * run over min(MaxConcurrency, the service's ceiling) slots: the Map takes the schedule of its
 * iterations over those slots (`schedule`), in index order as the service starts them. A
 * Distributed Map's children are separate executions: the local run adds their schedule
 * (`advance`). Nested inline Maps are not modelled (the rotator has none).
 */
import {
  type AslRetrier,
  fixed,
  isLambdaStep,
  modelledTaskMs,
  plus,
  retryDelayMs,
  type Span,
  TIME_MODEL,
  ZERO,
} from '../infra/execution-time.js';

export type { Span };

/** The states the clock needs to know: the Wait states' Seconds, the inline Maps' MaxConcurrency. */
export interface ClockStates {
  [name: string]: { Type: string; Seconds?: number; MaxConcurrency?: number };
}

export interface ClockEvent {
  type: string;
  stateName?: string;
  stateType?: string;
  mapIndex?: number;
  retrier?: AslRetrier;
  retryAttempt?: number;
}

export class VirtualClock {
  private elapsedSpan: Span = ZERO;
  /** Each iteration's own clock, while an inline Map runs. */
  private readonly iterations = new Map<number, Span>();

  /**
   * @param states the execution's states (nested ones too), by name.
   * @param taskMs the modelled duration of a Task that is not a Lambda step (S3 tasks; tests' own tasks), or
   *   undefined for one that is timed otherwise (a Distributed Map, which `advance` times).
   */
  constructor(
    private readonly states: ClockStates,
    private readonly taskMs: (stateName: string) => number | undefined = () => TIME_MODEL.s3CallMs,
    private readonly inlineMapCeiling = 40,
  ) {}

  get elapsed(): Span {
    return this.elapsedSpan;
  }

  /** Adds time spent elsewhere (a Distributed Map's children, scheduled over its slots). */
  advance(span: Span): void {
    this.elapsedSpan = plus(this.elapsedSpan, span);
  }

  observe(event: ClockEvent): void {
    const name = event.stateName ?? '';
    const state = this.states[name];
    let spent: Span = ZERO;
    if (event.type === 'StateEntered') {
      if (event.stateType === 'Task') spent = fixed(this.attemptMs(name));
      else if (event.stateType === 'Wait') spent = fixed((state?.Seconds ?? 0) * 1000);
      else spent = fixed(TIME_MODEL.transitionMs);
    } else if (event.type === 'StateRetried' && event.retrier) {
      spent = plus(retryDelayMs(event.retrier, event.retryAttempt ?? 1), fixed(this.attemptMs(name)));
    } else if (event.type === 'StateExited' && event.stateType === 'Map' && event.mapIndex === undefined) {
      const slots = Math.min(state?.MaxConcurrency || this.inlineMapCeiling, this.inlineMapCeiling);
      spent = schedule(
        [...this.iterations.entries()].sort(([a], [b]) => a - b).map(([, span]) => span),
        slots,
      );
      this.iterations.clear();
    }
    if (event.mapIndex !== undefined && event.type.startsWith('State')) {
      this.iterations.set(event.mapIndex, plus(this.iterations.get(event.mapIndex) ?? ZERO, spent));
    } else {
      this.advance(spent);
    }
  }

  private attemptMs(name: string): number {
    return isLambdaStep(name) ? modelledTaskMs(name) : (this.taskMs(name) ?? 0);
  }
}

/**
 * How long `durations` take over `slots` parallel slots, each started, in order, on the first slot
 * to free up (the service's Map does not reorder its items). Computed for each bound of the spans.
 */
export function schedule(durations: readonly Span[], slots: number): Span {
  const bound = (pick: (s: Span) => number) => makespan(durations.map(pick), Math.max(1, slots));
  return { low: bound((s) => s.low), expected: bound((s) => s.expected), high: bound((s) => s.high) };
}

function makespan(durations: readonly number[], slots: number): number {
  if (durations.length <= slots) return durations.reduce((max, d) => Math.max(max, d), 0);
  // A binary min-heap of the slots' finishing times.
  const heap = new Array<number>(slots).fill(0);
  const siftDown = () => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < slots && (heap[left] as number) < (heap[smallest] as number)) smallest = left;
      if (right < slots && (heap[right] as number) < (heap[smallest] as number)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as number, heap[i] as number];
      i = smallest;
    }
  };
  for (const duration of durations) {
    heap[0] = (heap[0] as number) + duration;
    siftDown();
  }
  return Math.max(...heap);
}
