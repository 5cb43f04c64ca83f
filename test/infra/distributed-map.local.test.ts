import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AslDefinition, runStateMachineLocally } from '../../local/local-run.js';
import { LocalS3 } from '../../local/local-s3.js';
import { QUOTAS } from '../../local/local-quotas.js';
import { logger } from '../../src/adapters/observability/logger.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { runInWorld, worldDefinition } from '../../local/local-state-machine.js';

type Json = Record<string, unknown>;
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:f';

/** A Distributed Map over the JSON list in s3://data/items.json, one `work` task per child. */
const distributedMap = (extra: Json = {}): AslDefinition =>
  ({
    StartAt: 'each',
    States: {
      each: {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { Bucket: 'data', 'Key.$': '$.key' },
        },
        ItemSelector: { 'parent.$': '$$.Execution.Id', 'item.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'work',
          States: { work: { Type: 'Task', Resource: LAMBDA, End: true } },
        },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'data', Prefix: 'results' } },
        ResultPath: '$.results',
        End: true,
        ...extra,
      },
    },
  }) as unknown as AslDefinition;

const seeded = (items: unknown[]) => {
  const s3 = new LocalS3();
  s3.seed('data', { 'items.json': JSON.stringify(items) });
  return s3;
};

let definition: AslDefinition;
beforeAll(() => {
  definition = worldDefinition(new FakeWorld({ targets: 3 }));
  logger.setLogLevel('SILENT');
});
afterAll(() => logger.setLogLevel('INFO'));

describe('Distributed Map in the local run', () => {
  it('runs each item as a child execution of its own, carrying the parent execution id', async () => {
    // Prepare
    const s3 = seeded(['a', 'b', 'c']);
    const seen: Json[] = [];

    // Act
    const run = await runStateMachineLocally({
      definition: distributedMap(),
      handlers: {
        work: async (input) => {
          seen.push(input as Json);
          return { done: (input as Json).item };
        },
      },
      input: { key: 'items.json' },
      s3,
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(seen.map((i) => i.item).sort()).toEqual(['a', 'b', 'c']);
    for (const input of seen) expect(input.parent).toBe(run.executionId);
    expect(run.children.map((c) => c.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // Each child: ExecutionStarted, TaskStateEntered/Scheduled/Started/Succeeded/Exited, ExecutionSucceeded.
    for (const child of run.children) expect(child.quota.historyEvents).toBe(7);
    // The parent: ExecutionStarted, MapStateEntered/Started, MapRunStarted/Succeeded, MapStateSucceeded/Exited,
    // ExecutionSucceeded.
    expect(run.quota.historyEvents).toBe(8);
  });

  it("writes the children's results to S3 in the service's layout and returns only where they are", async () => {
    // Prepare
    const s3 = seeded(['ok', 'boom']);

    // Act
    const run = await runStateMachineLocally({
      definition: distributedMap({ ToleratedFailurePercentage: 100 }),
      handlers: {
        work: async (input) => {
          if ((input as Json).item === 'boom') throw Object.assign(new Error('it broke'), { name: 'Broken' });
          return { ok: true };
        },
      },
      input: { key: 'items.json' },
      s3,
    });

    // Assess
    const details = (run.output as { results: { ResultWriterDetails: { Bucket: string; Key: string } } }).results
      .ResultWriterDetails;
    expect(details.Key).toMatch(/^results\/[0-9a-f-]{36}\/manifest\.json$/);
    const manifest = JSON.parse(s3.get('data', details.Key)) as { ResultFiles: Record<string, Array<{ Key: string }>> };
    const succeeded = JSON.parse(s3.get('data', manifest.ResultFiles.SUCCEEDED?.[0]?.Key as string)) as Json[];
    const failed = JSON.parse(s3.get('data', manifest.ResultFiles.FAILED?.[0]?.Key as string)) as Json[];
    expect(succeeded).toEqual([expect.objectContaining({ Status: 'SUCCEEDED', Output: '{"ok":true}' })]);
    expect(failed).toEqual([
      expect.objectContaining({ Status: 'FAILED', Error: 'Broken', Cause: expect.stringContaining('it broke') }),
    ]);
    expect(JSON.parse(failed[0]?.Input as string)).toMatchObject({ item: 'boom', parent: run.executionId });
  });

  it('fails the Map with States.ExceedToleratedFailureThreshold when no failure is tolerated', async () => {
    const run = await runStateMachineLocally({
      definition: distributedMap(),
      handlers: {
        work: async () => {
          throw new Error('no');
        },
      },
      input: { key: 'items.json' },
      s3: seeded([1, 2]),
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('fails the Map with States.ItemReaderFailed when the item list is not in S3', async () => {
    const run = await runStateMachineLocally({
      definition: distributedMap(),
      handlers: { work: async () => ({}) },
      input: { key: 'missing.json' },
      s3: seeded([]),
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(run.cause).toContain('s3://data/missing.json');
  });

  it('gives each child its own payload limit: a child over 256 KiB fails, its parent and siblings do not', async () => {
    // Prepare
    const big = 'x'.repeat(QUOTAS.payloadBytes.value);

    // Act
    const run = await runStateMachineLocally({
      definition: distributedMap({ ToleratedFailurePercentage: 100 }),
      handlers: { work: async (input) => ((input as Json).item === 'big' ? big : 'small') },
      input: { key: 'items.json' },
      s3: seeded(['small', 'big']),
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.children.map((c) => [c.index, c.status, c.error])).toEqual(
      expect.arrayContaining([
        [0, 'SUCCEEDED', undefined],
        [1, 'FAILED', 'States.DataLimitExceeded'],
      ]),
    );
  });
});

describe('The synthesized state machine at fleet scale', () => {
  it(
    'maps the targets with a Distributed Map of Standard child executions, reading them from S3 and writing ' +
      'results to S3',
    () => {
      // Prepare / Act
      const map = definition.States['rotate each target'] as unknown as Json & { ItemProcessor: Json };
      const notify = definition.States.notify as unknown as { Parameters: Json };

      // Assess
      expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      expect(map.ItemReader).toMatchObject({
        Resource: 'arn:aws:states:::s3:getObject',
        Parameters: { 'Key.$': '$.targetsKey' },
      });
      expect(map.ResultWriter).toMatchObject({
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Prefix: 'results' },
      });
      expect(map.ItemSelector).toMatchObject({ 'parentExecutionId.$': '$$.Execution.Id' });
      expect(map.ToleratedFailurePercentage).toBe(100);
      // The parent never carries the reports: notify gets where they are.
      expect(notify.Parameters).toEqual(expect.objectContaining({ 'results.$': '$.results.ResultWriterDetails' }));
      expect(JSON.stringify(definition)).not.toContain('$.reports');
    },
  );

  it(
    'reports a target whose child execution fails outright, with the failed child named, and ' + 'notifies once',
    async () => {
      // Prepare: target-2's report step answers more than 256 KiB, so its child execution itself fails.
      const world = new FakeWorld({ targets: 3 });

      // Act
      const run = await runInWorld(world, {
        definition,
        input: { mode: 'rotate' },
        wrap: (h) => ({
          report: async (input) => {
            const report = await h.report(input);
            return (report as Json).targetName === 'target-2'
              ? { ...(report as Json), padding: 'x'.repeat(QUOTAS.payloadBytes.value) }
              : report;
          },
        }),
      });

      // Assess
      expect(run.status).toBe('SUCCEEDED');
      expect(run.report('target-2')).toMatchObject({ outcome: 'failed', reasonCode: 'States.DataLimitExceeded' });
      expect(run.report('target-2').summary).toContain(':execution:');
      expect(world.notifier.sent).toHaveLength(1);
      expect(world.notifier.sent[0]?.targets.map((t) => `${t.targetName}:${t.outcome}`).sort()).toEqual([
        'target-1:rotated',
        'target-2:failed',
        'target-3:rotated',
      ]);
    },
  );
});
