/**
 * Runs the synthesized state machine locally (aws-local-stepfunctions): the real ASL, with every
 * Lambda task replaced by a local function and every wait and retry pause set to zero.
 * (Over 300 lines: the run loop, the quota guard's hooks and the Distributed Map's child runs share
 * one execution's state — its events, guard and children — and read best together.)
 * Used by test/infra and by the demo (`npm run demo`), which prints the event history as a timeline.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { RotationConfig } from '../src/domain/config.js';
import { AdoKeyRotatorStack } from '../infra/stack.js';
import { type ChildExecution, type DistributedMapState, runDistributedMap } from './local-distributed-map.js';
import { QuotaGuard, type QuotaUsage } from './local-quota-guard.js';
import { LocalS3 } from './local-s3.js';
import { QUOTAS } from './local-quotas.js';
import { type ClockStates, type Span, VirtualClock } from './virtual-clock.js';
import { TIME_MODEL } from '../infra/execution-time.js';

/** The ASL as a plain object (what `aws-local-stepfunctions` and `asl-validator` take). */
export type AslDefinition = StateMachineDefinition;

export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'us-east-1';

type CfnValue = string | { Ref: string } | { 'Fn::GetAtt': [string, string] } | { 'Fn::Join': [string, CfnValue[]] };

/** Resolves the few intrinsics a DefinitionString contains to fake but well-formed values. */
function resolveIntrinsic(value: CfnValue): string {
  if (typeof value === 'string') return value;
  if ('Fn::Join' in value) return value['Fn::Join'][1].map(resolveIntrinsic).join(value['Fn::Join'][0]);
  if ('Fn::GetAtt' in value) {
    const [logicalId, attribute] = value['Fn::GetAtt'];
    if (attribute !== 'Arn')
      throw new Error(`DefinitionString references ${logicalId}.${attribute}; only .Arn is resolved locally`);
    return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${logicalId}`;
  }
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': FAKE_REGION,
    'AWS::AccountId': FAKE_ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  return pseudo[value.Ref] ?? value.Ref;
}

/**
 * The state machine's ASL out of a synthesized template, with `Fn::Join`/`Fn::GetAtt` placeholders resolved to fake
 * ARNs.
 */
export function definitionFromTemplate(template: {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}): AslDefinition {
  const machines = Object.entries(template.Resources ?? {}).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new Error(`expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}`);
  const [, machine] = machines[0] as [string, { Properties?: Record<string, unknown> }];
  const body = machine.Properties?.DefinitionString as CfnValue | undefined;
  if (body === undefined) throw new Error('the state machine has no DefinitionString');
  return JSON.parse(resolveIntrinsic(body)) as AslDefinition;
}

/**
 * Synthesizes the stack for a configuration, without bundling (stub Lambda code: the ASL only
 * names the functions) and without CDK's built-in template validation (seconds per synth), and
 * returns the template and the state machine definition.
 */
export function synthesizeLocally(config: RotationConfig): {
  stack: Stack;
  template: Template;
  definition: AslDefinition;
} {
  // A throwaway cloud assembly directory (CDK would otherwise leave one in the temp directory per synth).
  const outdir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-synth-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new AdoKeyRotatorStack(app, 'AdoKeyRotatorLocal', {
      config,
      // Never deployed: its stand-ins listen on http://127.0.0.1 (allowLoopbackHttp), which a deployable stack refuses.
      overrides: {
        localRunOnly: true,
        lambdaCode: () =>
          lambda.Code.fromInline('exports.handler = async () => { throw new Error("stub: run locally"); };'),
      },
    });
    const template = Template.fromStack(stack);
    return { stack, template, definition: definitionFromTemplate(template.toJSON()) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

type AnyState = {
  Type: string;
  Retry?: unknown[];
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
};

/** Every state, in nested Map and Parallel definitions too, as [name, state]. */
export function allStates(definition: AslDefinition): Array<[string, AnyState]> {
  const found: Array<[string, AnyState]> = [];
  for (const [name, state] of Object.entries(definition.States) as Array<[string, AnyState]>) {
    found.push([name, state]);
    for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (nested) found.push(...allStates(nested));
    }
  }
  return found;
}

export type LocalTaskHandler = (input: unknown) => Promise<unknown>;

/** One entry of the execution history, with timing. */
export interface LocalRunEvent {
  type:
    | 'ExecutionStarted'
    | 'ExecutionSucceeded'
    | 'ExecutionFailed'
    | 'ExecutionAborted'
    | 'ExecutionTimeout'
    | 'MapIterationStarted'
    | 'MapIterationSucceeded'
    | 'MapIterationFailed'
    | 'ParallelBranchStarted'
    | 'ParallelBranchSucceeded'
    | 'ParallelBranchFailed'
    | 'StateEntered'
    | 'StateExited'
    | 'StateFailed'
    | 'StateRetried'
    | 'StateCaught';
  /** Epoch milliseconds. */
  timestamp: number;
  /** Milliseconds since the execution started. */
  elapsedMs: number;
  /** The state (for state events) or the Map state (for iteration events). */
  stateName?: string;
  stateType?: string;
  /** The Map iteration the event belongs to, when inside one. */
  mapIndex?: number;
  /** The target of the Map iteration, when the state's input names one. */
  targetName?: string;
  error?: string;
  cause?: string;
  /** For StateRetried: the retry number (1 = first retry). */
  retryAttempt?: number;
  /** For StateCaught: the state the error goes to. */
  caughtBy?: string;
  /** State input and output (StateEntered/StateExited). */
  input?: unknown;
  output?: unknown;
}

export interface LocalRunOptions {
  definition: AslDefinition;
  /** A local function for every Task state, by state name. A task without one would call real AWS, so it is refused. */
  handlers: Readonly<Record<string, LocalTaskHandler>>;
  input: unknown;
  /** Called for each event as it happens (the demo prints a live timeline). */
  onEvent?: (event: LocalRunEvent) => void;
  /** Context object fields (`$$.Execution.*`). Default: a fresh execution id, now as the start time. */
  execution?: { id?: string; startTime?: string };
  /** The S3 stand-in Distributed Maps and `aws-sdk:s3` tasks read and write. Default: an empty one. */
  s3?: LocalS3;
  /** Objects the deployment writes (by key), put into every bucket a Distributed Map's ItemReader names. */
  deployedObjects?: Readonly<Record<string, string>>;
  /** Keep every event, child executions' included (default). A fleet run keeps only the counts. */
  keepEvents?: boolean;
  /** How many child executions of a Distributed Map run at once locally (default 32; MaxConcurrency still caps it). */
  localChildConcurrency?: number;
  /**
   * Fail the execution with `States.Timeout` when its virtual time passes its TimeoutSeconds (default false).
   * Off unless asked: the handlers keep their own clock (a world's fake clock, moved a fixed step per task),
   * not the virtual one, so a loop bounded by a budget on that clock (check-canary polling a run that never
   * ends) runs as many rounds as that clock allows, each a 30 s Wait on the virtual clock, and its virtual
   * time says nothing of the service's. The fleet bench and the clock's own tests ask for it.
   */
  enforceExecutionTimeout?: boolean;
}

/** A child execution of a Distributed Map, as the parent's result lists it. */
export interface ChildRunSummary {
  mapState: string;
  index: number;
  executionId: string;
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  quota: QuotaUsage;
  /** Its virtual wall time (local/virtual-clock.ts). */
  virtualMs: Span;
}

export interface LocalRunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  /** For a failed execution: the error name (e.g. `InvalidStepInputError`, `States.Runtime`) and its cause. */
  error?: string;
  cause?: string;
  events: LocalRunEvent[];
  executionId: string;
  /** What the execution used of its Step Functions quotas (history events, largest payload). */
  quota: QuotaUsage;
  /** The child executions its Distributed Maps started (each with its own quotas). */
  children: ChildRunSummary[];
  /**
   * The wall time the real execution would take (local/virtual-clock.ts): low, expected and high
   * bound (retry jitter), in ms. The local run itself takes `localMs`.
   */
  virtualMs: Span;
  localMs: number;
}

/** Definitions (as given, before the clone) the engine has validated already. */
const VALIDATED = new WeakSet<object>();

const targetOf = (input: unknown): string | undefined => {
  const value = input as { targetName?: unknown; state?: { targetName?: unknown } } | null;
  const name = value?.state?.targetName ?? value?.targetName;
  return typeof name === 'string' ? name : undefined;
};

/**
 * Runs a definition locally and returns its output and event history.
 * The definition is cloned first: aws-local-stepfunctions mutates what it is given.
 *
 * The run enforces the Step Functions quotas of local/local-quotas.ts as the service does: a state
 * input or output, or a Task payload or result, over 256 KiB fails the execution with
 * `States.DataLimitExceeded`; the 25,000th history event fails it with `States.Runtime`; an inline
 * Map runs at most 40 iterations at once. Once a quota is crossed no further task runs.
 */
export async function runStateMachineLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const definition = structuredClone(options.definition);
  const states = allStates(definition);
  const s3 = options.s3 ?? new LocalS3();
  const builtIn = s3Tasks(states, s3);
  const missing = states
    .filter(([name, s]) => s.Type === 'Task' && !options.handlers[name] && !builtIn[name])
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(
      `no local handler for task state(s) ${missing.join(', ')}: without one, aws-local-stepfunctions would ` +
        `invoke the real Lambda`,
    );
  }
  capInlineMapConcurrency(states);
  const localStart = performance.now();
  const clockStates: ClockStates = Object.fromEntries(states as Array<[string, ClockStates[string]]>);
  const retryIntervalOverrides = Object.fromEntries(states.filter(([, s]) => s.Retry).map(([name]) => [name, 0]));
  const waitTimeOverrides = Object.fromEntries(states.filter(([, s]) => s.Type === 'Wait').map(([name]) => [name, 0]));

  const executionId =
    options.execution?.id ??
    `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:AdoKeyRotatorLocal:${randomUUID()}`;
  const startTime = options.execution?.startTime ?? new Date().toISOString();
  const events: LocalRunEvent[] = [];
  const keepEvents = options.keepEvents ?? true;
  const record = (event: LocalRunEvent) => {
    if (keepEvents) events.push(event);
    options.onEvent?.(event);
  };
  const children: ChildRunSummary[] = [];
  const distributed = distributedMapsAsTasks(definition, s3, options.deployedObjects);
  // A Distributed Map's time is its children's schedule (added below); an S3 task is one call; any other task
  // (tests' own) one invocation.
  const clock = new VirtualClock(
    clockStates,
    (name) => (name in distributed ? 0 : name in builtIn ? TIME_MODEL.s3CallMs : TIME_MODEL.invokeMs),
    QUOTAS.inlineMapConcurrency.value,
  );
  const mapHandlers = Object.fromEntries(
    Object.entries(distributed).map(([name, state]) => {
      const handler: LocalTaskHandler = async (input) => {
        const { output, virtualMs } = await runDistributedMap(
          {
            stateName: name,
            state,
            s3,
            localConcurrency: options.localChildConcurrency ?? 32,
            context: {
              Execution: {
                Id: executionId,
                Name: executionId.split(':').pop(),
                StartTime: startTime,
                Input: options.input,
              },
              StateMachine: { Id: executionId.replace(':execution:', ':stateMachine:').replace(/:[^:]*$/, '') },
            },
            runChild: async (childDefinition, childInput, childId, index) => {
              const started = new Date().toISOString();
              const child = await runStateMachineLocally({
                ...options,
                definition: childDefinition as unknown as AslDefinition,
                input: childInput,
                execution: { id: childId, startTime: started },
                s3,
                onEvent: (event) => record(asIterationEvent(event, name, index)),
              });
              children.push({
                mapState: name,
                index,
                executionId: childId,
                status: child.status,
                ...(child.error ? { error: child.error } : {}),
                quota: child.quota,
                virtualMs: child.virtualMs,
              });
              children.push(...child.children);
              const done: ChildExecution = {
                index,
                executionArn: childId,
                input: childInput,
                status: child.status,
                startDate: started,
                stopDate: new Date().toISOString(),
                virtualMs: child.virtualMs,
              };
              if (child.status === 'SUCCEEDED') done.output = child.output;
              else Object.assign(done, { error: child.error, cause: child.cause });
              return done;
            },
          },
          input,
        );
        clock.advance(virtualMs);
        return output;
      };
      return [name, handler];
    }),
  );
  const allHandlers: Record<string, LocalTaskHandler> = { ...builtIn, ...options.handlers, ...mapHandlers };

  let abort: () => void = () => undefined;
  const guard = new QuotaGuard(new Set(Object.keys(distributed)), () => abort());
  /** Once a quota is crossed the service runs nothing more: the task never answers, and the abort ends the run. */
  const stopped = () => new Promise<never>(() => undefined);
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(allHandlers).map(([name, handler]) => {
      const guarded = async (input: unknown) => {
        // Let the event consumer see every event dispatched so far (the StateEntered of this task included).
        await new Promise((resolve) => setImmediate(resolve));
        guard.checkPayload('task-payload', name, input);
        if (guard.violation) return stopped();
        const result = await handler(input);
        guard.checkPayload('task-result', name, result);
        if (guard.violation) return stopped();
        return result as never;
      };
      return [name, guarded];
    }),
  );

  // The ASL is validated once per definition: a Distributed Map's thousands of children share theirs, and the
  // validator compiles its JSON schema on every construction (a third of a second each).
  const machine = new StateMachine(
    definition,
    VALIDATED.has(options.definition) ? { validationOptions: { noValidate: true } } : undefined,
  );
  VALIDATED.add(options.definition);
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides },
    noThrowOnAbort: true,
    context: {
      Execution: {
        Id: executionId,
        Name: executionId.split(':').pop(),
        StartTime: startTime,
        Input: options.input as never,
      },
    },
  });
  abort = execution.abort;

  const started = Date.now();
  const collecting = (async () => {
    for await (const raw of execution.eventLogs) {
      const e = raw as unknown as Record<string, unknown> & {
        type: LocalRunEvent['type'];
        timestamp: number;
        state?: { name: string; type: string; input?: unknown; output?: unknown };
        parentState?: { name: string; type: string; input?: unknown };
        index?: number;
        Error?: string;
        Cause?: unknown;
        catch?: { catcher: { Next: string } };
        retry?: { attempt: number; retrier: unknown };
        input?: unknown;
        output?: unknown;
      };
      clock.observe({
        type: e.type,
        stateName: e.state?.name,
        stateType: e.state?.type,
        ...(typeof e.index === 'number' ? { mapIndex: e.index } : {}),
        ...(e.retry ? { retrier: e.retry.retrier as never, retryAttempt: e.retry.attempt } : {}),
      });
      guard.observe({
        type: e.type,
        stateName: (e.state ?? e.parentState)?.name,
        stateType: (e.state ?? e.parentState)?.type,
        mapIndex: e.index,
        input: e.type === 'ExecutionStarted' ? e.input : e.state?.input,
        output: e.state?.output,
      });
      // The service's history ends at the crossing; the abort that follows is how the local run stops.
      if (guard.violation && e.type === 'ExecutionAborted') continue;
      const event: LocalRunEvent = { type: e.type, timestamp: e.timestamp, elapsedMs: e.timestamp - started };
      const state = e.state ?? e.parentState;
      if (state) {
        event.stateName = state.name;
        event.stateType = state.type;
        const target = targetOf(state.input);
        if (target) event.targetName = target;
      }
      if (e.state?.input !== undefined) event.input = e.state.input;
      if (e.state?.output !== undefined) event.output = e.state.output;
      if (typeof e.index === 'number') event.mapIndex = e.index;
      if (typeof e.Error === 'string') event.error = e.Error;
      if (e.Cause !== undefined) event.cause = typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause);
      if (e.retry) event.retryAttempt = e.retry.attempt;
      if (e.catch) event.caughtBy = e.catch.catcher.Next;
      if (!keepEvents) {
        delete event.input;
        delete event.output;
      }
      record(event);
    }
  })();

  let result: Omit<LocalRunResult, 'quota' | 'children' | 'virtualMs' | 'localMs'>;
  try {
    const output = await execution.result;
    result = { status: 'SUCCEEDED', output, events, executionId };
  } catch (error) {
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    result = {
      status: 'FAILED',
      output: undefined,
      error: cause?.name ?? (error as Error).name,
      cause: cause?.message ?? (error as Error).message,
      events,
      executionId,
    };
  }
  await collecting;
  const timing = { virtualMs: clock.elapsed, localMs: performance.now() - localStart };
  const timeout = options.enforceExecutionTimeout ? timedOut(definition, clock.elapsed) : undefined;
  const violation = guard.violation ?? timeout;
  if (violation) {
    const failed: LocalRunEvent = {
      type: timeout && !guard.violation ? 'ExecutionTimeout' : 'ExecutionFailed',
      timestamp: Date.now(),
      elapsedMs: Date.now() - started,
      ...violation,
    };
    record(failed);
    return {
      status: 'FAILED',
      output: undefined,
      ...violation,
      events,
      executionId,
      quota: guard.usage,
      children,
      ...timing,
    };
  }
  return { ...result, quota: guard.usage, children, ...timing };
}

/**
 * The service stops an execution at its TimeoutSeconds: the local run fails one whose virtual time,
 * at the high bound of its retries' jitter, passes it (never more lenient than the service).
 */
function timedOut(definition: AslDefinition, elapsed: Span): { error: string; cause: string } | undefined {
  const limit = (definition as { TimeoutSeconds?: number }).TimeoutSeconds;
  if (limit === undefined || elapsed.high <= limit * 1000) return undefined;
  return {
    error: 'States.Timeout',
    cause:
      `The execution would run ${(elapsed.high / 1000).toFixed(0)} s (virtual clock, retries at their longest), ` +
      `past its TimeoutSeconds of ${limit}.`,
  };
}

/** A child execution's event, as the parent's timeline shows it (like an inline Map's iteration). */
function asIterationEvent(event: LocalRunEvent, mapState: string, index: number): LocalRunEvent {
  const renamed: Partial<Record<LocalRunEvent['type'], LocalRunEvent['type']>> = {
    ExecutionStarted: 'MapIterationStarted',
    ExecutionSucceeded: 'MapIterationSucceeded',
    ExecutionFailed: 'MapIterationFailed',
  };
  const type = renamed[event.type];
  if (type) return { ...event, type, stateName: mapState, stateType: 'Map', mapIndex: index };
  return { ...event, mapIndex: event.mapIndex ?? index };
}

/**
 * Replaces each top-level Distributed Map state by a Task of the same name (the local run executes
 * it: local/local-distributed-map.ts), keeping the fields a Task shares with a Map, and creates the
 * buckets its ItemReader and ResultWriter name, with the deployment's objects in them.
 */
function distributedMapsAsTasks(
  definition: AslDefinition,
  s3: LocalS3,
  deployed: Readonly<Record<string, string>> = {},
): Record<string, DistributedMapState> {
  const found: Record<string, DistributedMapState> = {};
  const states = definition.States as Record<string, AnyState & Record<string, unknown>>;
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Map' || !isDistributed(state)) continue;
    found[name] = state as unknown as DistributedMapState;
    const kept = [
      'Comment',
      'InputPath',
      'ResultSelector',
      'ResultPath',
      'OutputPath',
      'Next',
      'End',
      'Retry',
      'Catch',
    ];
    states[name] = {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-local:distributedMap',
      ...Object.fromEntries(kept.filter((k) => k in state).map((k) => [k, state[k]])),
    } as never;
    for (const bucket of [found[name].ItemReader?.Parameters?.Bucket, found[name].ResultWriter?.Parameters?.Bucket]) {
      if (typeof bucket === 'string') s3.seed(bucket, deployed);
    }
  }
  return found;
}

/** Local handlers for the `aws-sdk:s3` tasks a definition contains (the S3 stand-in answers them). */
function s3Tasks(states: Array<[string, AnyState]>, s3: LocalS3): Record<string, LocalTaskHandler> {
  const handlers: Record<string, LocalTaskHandler> = {};
  for (const [name, state] of states as Array<[string, AnyState & { Resource?: string }]>) {
    if (state.Type !== 'Task' || state.Resource !== 'arn:aws:states:::aws-sdk:s3:putObject') continue;
    handlers[name] = async (input) => {
      const { Bucket, Key, Body } = input as { Bucket: string; Key: string; Body: unknown };
      // Step Functions writes a JSON Body as its JSON text.
      return s3.put(Bucket, Key, typeof Body === 'string' ? Body : JSON.stringify(Body));
    };
  }
  return handlers;
}

/** An inline Map runs at most 40 iterations at once in AWS (0 or no MaxConcurrency means "as many as allowed"). */
function capInlineMapConcurrency(states: Array<[string, AnyState]>): void {
  const ceiling = QUOTAS.inlineMapConcurrency.value;
  for (const [, state] of states) {
    if (state.Type !== 'Map' || isDistributed(state)) continue;
    const map = state as AnyState & { MaxConcurrency?: number };
    if (!map.MaxConcurrency || map.MaxConcurrency > ceiling) map.MaxConcurrency = ceiling;
  }
}

/** A Map state in DISTRIBUTED mode (its iterations are child executions). */
export function isDistributed(state: AnyState): boolean {
  const processor = state.ItemProcessor as (AslDefinition & { ProcessorConfig?: { Mode?: string } }) | undefined;
  return processor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}
