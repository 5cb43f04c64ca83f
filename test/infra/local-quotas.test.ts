import { describe, expect, it } from 'vitest';
import { type AslDefinition, runStateMachineLocally } from '../../local/local-run.js';
import { HISTORY_LIMIT_CAUSE, HistoryCounter, payloadBytes, QUOTAS } from '../../local/local-quotas.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const KIB_256 = QUOTAS.payloadBytes.value;

/** A string whose JSON text (with its two quotes) is exactly `bytes` long. */
const jsonStringOf = (bytes: number) => 'x'.repeat(bytes - 2);

/** One Lambda task `work`, the end of the run unless `next` names the state after it. */
const oneTask = (extra: Record<string, unknown> = {}, next?: string): AslDefinition =>
  ({
    StartAt: 'work',
    States: { work: { Type: 'Task', Resource: LAMBDA, ...(next ? { Next: next } : { End: true }), ...extra } },
  }) as unknown as AslDefinition;

/** A Map over `$.items` whose iterations each run one Pass state. */
const mapOfPasses = (maxConcurrency?: number): AslDefinition =>
  ({
    StartAt: 'each',
    States: {
      each: {
        Type: 'Map',
        ItemsPath: '$.items',
        ...(maxConcurrency === undefined ? {} : { MaxConcurrency: maxConcurrency }),
        ItemProcessor: { StartAt: 'noop', States: { noop: { Type: 'Pass', End: true } } },
        ResultPath: null,
        End: true,
      },
    },
  }) as unknown as AslDefinition;

describe('Step Functions quotas in the local run', () => {
  it('keeps one table of the quotas, each with the AWS page it comes from', () => {
    // Prepare / Act
    const quotas = Object.values(QUOTAS);

    // Assess
    expect(QUOTAS.payloadBytes.value).toBe(262_144);
    expect(QUOTAS.historyEvents.value).toBe(25_000);
    expect(QUOTAS.inlineMapConcurrency.value).toBe(40);
    for (const quota of quotas) expect(quota.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/step-functions\//);
  });

  it('counts a payload as the UTF-8 bytes of its JSON text', () => {
    expect(payloadBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(payloadBytes('€')).toBe(5);
  });

  describe('256 KiB payload', () => {
    it('passes a task result of exactly 256 KiB and fails one byte more with States.DataLimitExceeded', async () => {
      // Prepare
      const run = (bytes: number) =>
        runStateMachineLocally({
          definition: oneTask(),
          handlers: { work: async () => jsonStringOf(bytes) },
          input: {},
        });

      // Act
      const [atLimit, over] = [await run(KIB_256), await run(KIB_256 + 1)];

      // Assess
      expect(atLimit.status).toBe('SUCCEEDED');
      expect(atLimit.quota.largestPayloadBytes).toBe(KIB_256);
      expect(over).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
      expect(over.cause).toContain("'work'");
      expect(over.events.at(-1)).toMatchObject({ type: 'ExecutionFailed', error: 'States.DataLimitExceeded' });
    });

    it('fails a Task whose payload, after Parameters, crosses the limit, before the function runs', async () => {
      // Prepare: a 150 KB input is fine; Parameters that send it twice are not.
      let invoked = false;
      const definition = oneTask({ Parameters: { 'a.$': '$.big', 'b.$': '$.big' } });

      // Act
      const run = await runStateMachineLocally({
        definition,
        handlers: {
          work: async () => {
            invoked = true;
            return {};
          },
        },
        input: { big: jsonStringOf(150_000) },
      });

      // Assess
      expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
      expect(invoked).toBe(false);
    });

    it('fails a state whose output crosses the limit, though a Catch for States.ALL is there', async () => {
      // Prepare: ResultPath adds the result to a large input; each alone fits.
      const definition = oneTask(
        { ResultPath: '$.result', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught' }] },
        'done',
      );
      (definition.States as Record<string, unknown>).done = { Type: 'Succeed' };
      (definition.States as Record<string, unknown>).caught = { Type: 'Succeed' };

      // Act
      const run = await runStateMachineLocally({
        definition,
        handlers: { work: async () => jsonStringOf(140_000) },
        input: { big: jsonStringOf(140_000) },
      });

      // Assess
      expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
      expect(run.cause).toContain("state 'work' returned an output");
    });

    it('fails an execution whose input crosses the limit', async () => {
      const run = await runStateMachineLocally({
        definition: oneTask(),
        handlers: { work: async () => ({}) },
        input: jsonStringOf(KIB_256 + 1),
      });
      expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    });
  });

  describe('25,000 history events', () => {
    it('counts the events AWS writes per state type: a Lambda task with one retry, a Pass, the execution', async () => {
      // Prepare: the task fails once, then succeeds.
      let calls = 0;
      const definition = oneTask({ Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }] }, 'pass');
      (definition.States as Record<string, unknown>).pass = { Type: 'Pass', End: true };

      // Act
      const run = await runStateMachineLocally({
        definition,
        handlers: {
          work: async () => {
            calls++;
            if (calls === 1) throw new Error('once');
            return {};
          },
        },
        input: {},
      });

      // Assess: ExecutionStarted; TaskStateEntered, TaskScheduled, TaskStarted, TaskFailed, TaskScheduled,
      // TaskStarted, TaskSucceeded, TaskStateExited; PassStateEntered, PassStateExited; ExecutionSucceeded.
      expect(run.status).toBe('SUCCEEDED');
      expect(run.quota.historyEvents).toBe(12);
    });

    it('counts a caught task failure as TaskFailed and TaskStateExited only', () => {
      const counter = new HistoryCounter();
      for (const type of ['StateEntered', 'StateFailed', 'StateCaught', 'StateExited'])
        counter.add({ type, stateName: 't', stateType: 'Task' });
      expect(counter.events).toBe(5);
    });

    it('passes an inline Map whose history ends at 24,998 events and fails the one that needs 25,002 with ' +
      'States.Runtime', async () => {
      // Prepare: ExecutionStarted/Succeeded, MapStateEntered/Started/Succeeded/Exited, and per item
      // MapIterationStarted/Succeeded and PassStateEntered/Exited: 4 × items + 6 events.
      const run = (items: number) =>
        runStateMachineLocally({
          definition: mapOfPasses(),
          handlers: {},
          input: { items: Array.from({ length: items }, (_, i) => i) },
        });

      // Act
      const fits = await run(6_248);
      const over = await run(6_249);

      // Assess
      expect(fits.status).toBe('SUCCEEDED');
      expect(fits.quota.historyEvents).toBe(4 * 6_248 + 6);
      expect(over).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: HISTORY_LIMIT_CAUSE });
      expect(over.quota.historyEvents).toBeGreaterThanOrEqual(QUOTAS.historyEvents.value);
    }, 120_000);
  });

  describe('inline Map concurrency', () => {
    it('runs at most 40 iterations at once, whatever MaxConcurrency asks', async () => {
      // Prepare
      let running = 0;
      let peak = 0;
      const definition = mapOfPasses(100);
      const processor = (definition.States.each as unknown as { ItemProcessor: AslDefinition }).ItemProcessor;
      processor.States = { work: { Type: 'Task', Resource: LAMBDA, End: true } } as never;
      processor.StartAt = 'work';
      const work = async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return {};
      };

      // Act
      const run = await runStateMachineLocally({
        definition,
        handlers: { work },
        input: { items: Array.from({ length: 100 }, (_, i) => i) },
      });

      // Assess
      expect(run.status).toBe('SUCCEEDED');
      expect(peak).toBe(QUOTAS.inlineMapConcurrency.value);
    });
  });
});
