/**
 * A Distributed Map state, run locally as the service runs it (aws-local-stepfunctions knows only
 * inline Maps): items read from S3 (`ItemReader`, JSON) or from the state input (`ItemsPath`), one
 * child workflow execution per item, each a separate local execution with its own history and
 * payload quotas, `MaxConcurrency` children at once, `ToleratedFailureCount`/`Percentage` applied
 * as children finish, and the children's results written to S3 (`ResultWriter`) in the service's
 * layout: `<Prefix>/<map run id>/manifest.json` listing `SUCCEEDED_0.json` and `FAILED_0.json`.
 */
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { LocalS3 } from './local-s3.js';
import { QUOTAS } from './local-quotas.js';
import { schedule, type Span } from './virtual-clock.js';

type Json = Record<string, unknown>;

/** The Distributed Map fields the local run implements. */
export interface DistributedMapState {
  Type: 'Map';
  ItemProcessor: { StartAt: string; States: Json; ProcessorConfig?: { Mode?: string; ExecutionType?: string } };
  ItemReader?: { Resource: string; ReaderConfig?: { InputType?: string; MaxItems?: number }; Parameters?: Json };
  ItemsPath?: string;
  ItemSelector?: Json;
  MaxConcurrency?: number;
  ToleratedFailureCount?: number;
  ToleratedFailurePercentage?: number;
  ResultWriter?: { Resource: string; Parameters?: Json };
  Label?: string;
}

/** One child execution, as the parent's map run records it. */
export interface ChildExecution {
  index: number;
  executionArn: string;
  input: unknown;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate: string;
  /** The child's virtual wall time (local/virtual-clock.ts). */
  virtualMs?: Span;
}

export interface DistributedMapRun {
  stateName: string;
  state: DistributedMapState;
  /** The parent's context object (`$$`), for ItemSelector and the ItemReader/ResultWriter parameters. */
  context: { Execution: Json; StateMachine?: Json };
  s3: LocalS3;
  /** Runs one child execution (a separate local execution, with its own quotas). */
  runChild: (definition: Json, input: unknown, executionArn: string, index: number) => Promise<ChildExecution>;
  /** How many children the local run executes at once (the service's MaxConcurrency is still honoured as a ceiling). */
  localConcurrency: number;
}

/** An error the Map state fails with (a Catch on the Map can take it, as in the service). */
export class MapStateError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** Evaluates a payload template (`"x.$": "$.path"`, intrinsics, `$$` context) with the engine itself. */
async function evaluate(template: Json, input: unknown, context: Json): Promise<Json> {
  const machine = new StateMachine(
    { StartAt: 't', States: { t: { Type: 'Pass', Parameters: template, End: true } } } as never,
    {
      validationOptions: { noValidate: true },
    },
  );
  return (await machine.run(input as never, { context: context as never }).result) as Json;
}

async function readItems(run: DistributedMapRun, input: unknown): Promise<unknown[]> {
  const { state } = run;
  if (!state.ItemReader) {
    const { items } = await evaluate({ 'items.$': state.ItemsPath ?? '$' }, input, run.context);
    if (!Array.isArray(items))
      throw new MapStateError('States.Runtime', `${run.stateName}: ItemsPath does not point to an array`);
    return items;
  }
  const reader = state.ItemReader;
  if (!reader.Resource.endsWith(':s3:getObject') || (reader.ReaderConfig?.InputType ?? 'JSON') !== 'JSON') {
    throw new Error(
      `${run.stateName}: the local run reads items from a JSON object in S3 only (s3:getObject, InputType JSON)`,
    );
  }
  const { Bucket, Key } = (await evaluate(reader.Parameters ?? {}, input, run.context)) as {
    Bucket: string;
    Key: string;
  };
  let items: unknown;
  try {
    items = JSON.parse(run.s3.get(Bucket, Key));
  } catch (error) {
    throw new MapStateError(
      'States.ItemReaderFailed',
      `Unable to read items from s3://${Bucket}/${Key}: ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(items))
    throw new MapStateError('States.ItemReaderFailed', `s3://${Bucket}/${Key} does not hold a JSON array`);
  const max = reader.ReaderConfig?.MaxItems;
  return max ? items.slice(0, max) : items;
}

/** Whether the failures so far exceed the tolerated threshold (none set: any failure does). */
function exceedsTolerance(state: DistributedMapState, failed: number, total: number): boolean {
  const count = state.ToleratedFailureCount;
  const percentage = state.ToleratedFailurePercentage;
  if (count === undefined && percentage === undefined) return failed > 0;
  if (count !== undefined && failed > count) return true;
  if (percentage !== undefined && total > 0 && (failed / total) * 100 > percentage) return true;
  return false;
}

/**
 * Runs the Map state: returns its output (the ResultWriter details, or the children's outputs) and
 * its virtual time: the children's virtual times scheduled over its MaxConcurrency slots.
 */
export async function runDistributedMap(
  run: DistributedMapRun,
  input: unknown,
): Promise<{ output: unknown; children: ChildExecution[]; virtualMs: Span }> {
  const { state, context } = run;
  const items = await readItems(run, input);
  const mapRunId = randomUUID();
  const executionArn = String(context.Execution.Id);
  const [, , , region, account, , machineAndName] = executionArn.split(':');
  const machineName = (machineAndName ?? 'local').split('/')[0];
  const label = state.Label ?? run.stateName.replace(/[^A-Za-z0-9_-]/g, '');
  const childDefinition: Json = { StartAt: state.ItemProcessor.StartAt, States: state.ItemProcessor.States };

  const ceiling = Math.min(
    state.MaxConcurrency || QUOTAS.distributedMapConcurrency.value,
    QUOTAS.distributedMapConcurrency.value,
  );
  const lanes = Math.max(1, Math.min(ceiling, run.localConcurrency));
  const children: ChildExecution[] = new Array(items.length);
  let next = 0;
  let failed = 0;
  let stopped = false;
  const lane = async () => {
    while (!stopped && next < items.length) {
      const index = next++;
      const childInput = state.ItemSelector
        ? await evaluate(state.ItemSelector, input, {
            ...context,
            Map: { Item: { Index: index, Value: items[index] } },
          })
        : items[index];
      const arn = `arn:aws:states:${region}:${account}:execution:${machineName}/${label}:${randomUUID()}`;
      const child = await run.runChild(childDefinition, childInput, arn, index);
      children[index] = child;
      if (child.status === 'FAILED') failed++;
      // The map run stops starting children once the threshold is crossed, as the service does.
      if (exceedsTolerance(state, failed, items.length)) stopped = true;
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  const finished = children.filter(Boolean);
  if (stopped) {
    throw new MapStateError(
      'States.ExceedToleratedFailureThreshold',
      `The specified tolerated failure threshold was exceeded (${failed} of ${items.length} child executions failed)`,
    );
  }

  const mapRunArn = `arn:aws:states:${region}:${account}:mapRun:${machineName}/${label}:${mapRunId}`;
  const virtualMs = schedule(
    finished.map((c) => c.virtualMs ?? { low: 0, expected: 0, high: 0 }),
    ceiling,
  );
  if (!state.ResultWriter) return { output: finished.map((c) => c.output), children: finished, virtualMs };
  return { output: await writeResults(run, input, mapRunArn, mapRunId, finished), children: finished, virtualMs };
}

/** The ResultWriter's files, in the service's layout (Transformation NONE, OutputType JSON). */
async function writeResults(
  run: DistributedMapRun,
  input: unknown,
  mapRunArn: string,
  mapRunId: string,
  children: ChildExecution[],
) {
  const { Bucket, Prefix } = (await evaluate(run.state.ResultWriter?.Parameters ?? {}, input, run.context)) as {
    Bucket: string;
    Prefix?: string;
  };
  const base = `${Prefix ? `${Prefix}/` : ''}${mapRunId}`;
  const stateMachineArn = String(run.context.StateMachine?.Id ?? '');
  const entry = (c: ChildExecution) => ({
    ExecutionArn: c.executionArn,
    Input: JSON.stringify(c.input),
    InputDetails: { Included: true },
    Name: c.executionArn.split(':').pop(),
    ...(c.status === 'SUCCEEDED'
      ? { Output: JSON.stringify(c.output), OutputDetails: { Included: true } }
      : { Error: c.error, Cause: c.cause }),
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    StartDate: c.startDate,
    StateMachineArn: stateMachineArn,
    Status: c.status,
    StopDate: c.stopDate,
  });
  const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', Array<{ Key: string; Size: number }>> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    const group = children.filter((c) => c.status === status);
    if (group.length === 0) continue;
    const key = `${base}/${status}_0.json`;
    const body = JSON.stringify(group.map(entry));
    run.s3.put(Bucket, key, body);
    files[status].push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${base}/manifest.json`;
  run.s3.put(
    Bucket,
    manifestKey,
    JSON.stringify({ DestinationBucket: Bucket, MapRunArn: mapRunArn, ResultFiles: files }),
  );
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket, Key: manifestKey } };
}
