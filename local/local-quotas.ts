/**
 * The Step Functions quotas the local run enforces, in one table, each with the AWS page it comes
 * from, and the rules that turn the local engine's events into the history events AWS would write.
 * The local run (local/local-run.ts) fails an execution that crosses one of them with the error
 * and cause the service gives, so a design that cannot run in AWS cannot pass locally either.
 */

const QUOTAS_PAGE = 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html';

export interface StepFunctionsQuota {
  /** What is limited. */
  what: string;
  value: number;
  unit: 'bytes' | 'events' | 'iterations' | 'child executions';
  /** The error the execution fails with when the quota is crossed (none: the service caps it silently). */
  error?: string;
  source: string;
}

export const QUOTAS = {
  /** Counted as UTF-8 bytes of the JSON text; applies to a state's input, its output and a Task's payload. */
  payloadBytes: {
    what: 'input or output of a task, state or execution (UTF-8 bytes of the JSON)',
    value: 262_144,
    unit: 'bytes',
    error: 'States.DataLimitExceeded',
    source: `${QUOTAS_PAGE}#service-limits-task-executions`,
  },
  /** Event 25,000 is the ExecutionFailed event itself: the 24,999th is the last one the states produce. */
  historyEvents: {
    what: 'events in one execution history (a Distributed Map child execution has its own)',
    value: 25_000,
    unit: 'events',
    error: 'States.Runtime',
    source: `${QUOTAS_PAGE}#service-limits-state-machine-executions`,
  },
  /**
   * An inline Map runs at most 40 iterations at once, whatever its MaxConcurrency says (0 means "as many as allowed").
   */
  inlineMapConcurrency: {
    what: 'concurrent iterations of an inline Map state',
    value: 40,
    unit: 'iterations',
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html',
  },
  /**
   * A Distributed Map runs at most 10,000 child workflow executions at once (its default when MaxConcurrency is unset).
   */
  distributedMapConcurrency: {
    what: 'concurrent child workflow executions of a Distributed Map state',
    value: 10_000,
    unit: 'child executions',
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html',
  },
} as const satisfies Record<string, StepFunctionsQuota>;

/** The size Step Functions counts for a payload: UTF-8 bytes of its JSON text. */
export function payloadBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

export const HISTORY_LIMIT_CAUSE =
  `The execution reached the maximum number of history events (` + `${QUOTAS.historyEvents.value}).`;

/** The cause the service gives for a payload over the limit, by where it was found. */
export function dataLimitCause(where: 'input' | 'output' | 'task-payload' | 'task-result', stateName: string): string {
  switch (where) {
    case 'input':
      return (
        `The state '${stateName}' received an input with a size exceeding the maximum number of bytes ` +
        `service limit.`
      );
    case 'output':
      return (
        `The state '${stateName}' returned an output with a size exceeding the maximum number of bytes ` +
        `service limit.`
      );
    case 'task-payload':
      return (
        `The task '${stateName}' was given a payload with a size exceeding the maximum number of bytes ` +
        `service limit.`
      );
    case 'task-result':
      return (
        `The state/task '${stateName}' returned a result with a size exceeding the maximum number of ` +
        `bytes service limit.`
      );
  }
}

/** An event of the local engine (aws-local-stepfunctions), as far as history counting needs it. */
export interface EngineEvent {
  type: string;
  stateName?: string;
  stateType?: string;
  mapIndex?: number;
}

/**
 * Counts the history events AWS writes, from the local engine's events. Per state type (the
 * HistoryEvent types of the Step Functions API):
 * - Task (Lambda): TaskStateEntered, TaskScheduled, TaskStarted on entry; TaskFailed per failed
 *   attempt; TaskScheduled, TaskStarted per retry; TaskSucceeded and TaskStateExited on success,
 *   only TaskStateExited when a Catch takes the error;
 * - Pass, Choice, Wait, Succeed: <Type>StateEntered and <Type>StateExited; Fail: FailStateEntered;
 * - inline Map and Parallel: <Type>StateEntered, <Type>StateStarted, then <Type>StateSucceeded
 *   and <Type>StateExited (or <Type>StateFailed), and two events per iteration or branch;
 * - Distributed Map (a Task locally): MapStateEntered, MapStateStarted, MapRunStarted, then MapRunSucceeded,
 *   MapStateSucceeded, MapStateExited; its iterations are child executions with their own history;
 * - the execution: ExecutionStarted, and ExecutionSucceeded or ExecutionFailed.
 */
export class HistoryCounter {
  private count = 0;
  /** States (by name and Map iteration) whose error a Catch took: their exit is a TaskStateExited only. */
  private readonly caught = new Set<string>();

  /** @param distributedMaps names of the Distributed Map states, run locally as tasks. */
  constructor(private readonly distributedMaps: ReadonlySet<string> = new Set()) {}

  get events(): number {
    return this.count;
  }

  /** Adds the events AWS would write for this engine event; returns the new total. */
  add(event: EngineEvent): number {
    this.count += this.eventsFor(event);
    return this.count;
  }

  private eventsFor(event: EngineEvent): number {
    const key = `${event.stateName}#${event.mapIndex ?? ''}`;
    const type = this.distributedMaps.has(event.stateName ?? '') ? 'DistributedMap' : event.stateType;
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        return 1;
      case 'StateEntered':
        if (type === 'Task') return 3;
        if (type === 'DistributedMap') return 3;
        if (type === 'Map' || type === 'Parallel') return 2;
        return 1;
      case 'StateExited':
        if (type === 'Task') return this.caught.delete(key) ? 1 : 2;
        if (type === 'DistributedMap') return this.caught.delete(key) ? 1 : 3;
        if (type === 'Map' || type === 'Parallel') return this.caught.delete(key) ? 1 : 2;
        return 1;
      case 'StateFailed':
        // Pass, Choice and Fail states write no failure event of their own: ExecutionFailed follows.
        if (type === 'DistributedMap') return 2; // MapRunFailed, MapStateFailed
        return type === 'Task' || type === 'Map' || type === 'Parallel' ? 1 : 0;
      case 'StateRetried':
        return 2;
      case 'StateCaught':
        this.caught.add(key);
        return 0;
      default:
        return 0;
    }
  }
}
