/**
 * The canary's part of the state and of the report (src/domain/canary.ts), without running a pipeline:
 * what the step input may carry, how a run's end is named in the report, and the line Slack shows.
 * canary.test.ts runs the canary end to end.
 */
import { describe, expect, it } from 'vitest';
import { type CanaryProgress, canaryReport, describeCanary, parseCanaryProgress } from '../../src/domain/canary.js';
import { InvalidStepInputError } from '../../src/domain/errors.js';

const URL = 'https://dev.azure.com/contoso/payments/_build/results?buildId=12';
const FULL: CanaryProgress = {
  pipelineId: 7,
  runId: 12,
  runName: '20261129.1',
  state: 'completed',
  result: 'succeeded',
  webUrl: URL,
  queuedAt: '2026-11-29T03:10:00.000Z',
  checks: 0,
};

function problemOf(value: unknown): { message: string; field: unknown } {
  try {
    parseCanaryProgress(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStepInputError);
    return { message: (error as Error).message, field: (error as InvalidStepInputError).context.field };
  }
  throw new Error('expected InvalidStepInputError');
}

describe('Function: parseCanaryProgress', () => {
  it('keeps every field a canary step wrote, and only those', () => {
    // Act
    const full = parseCanaryProgress({ ...FULL });
    const queued = parseCanaryProgress({ pipelineId: 0, result: null });

    // Assess
    expect(full).toStrictEqual(FULL);
    expect(queued).toStrictEqual({ pipelineId: 0, result: null });
    expect(parseCanaryProgress({ pipelineId: 7 })).toStrictEqual({ pipelineId: 7 });
    expect(parseCanaryProgress({ pipelineId: 7, runName: 'x'.repeat(2000) }).runName).toHaveLength(2000);
  });

  const TAIL = {
    whole: 'it must be a whole number',
    string: 'it must be a string',
  };
  it.each([
    ['null', null, '(root)', 'is not an object; it must be what the canary step wrote'],
    ['a list', [7], '(root)', 'is not an object; it must be what the canary step wrote'],
    ['a number', 7, '(root)', 'is not an object; it must be what the canary step wrote'],
    ['no pipeline id', { runId: 12 }, 'pipelineId', "is missing; it must be the canary pipeline's id"],
    ['a pipeline id as text', { pipelineId: '7' }, 'pipelineId', `is "7"; ${TAIL.whole}`],
    ['a fractional run id', { pipelineId: 7, runId: 1.5 }, 'runId', `is 1.5; ${TAIL.whole}`],
    ['a negative check count', { pipelineId: 7, checks: -1 }, 'checks', `is -1; ${TAIL.whole}`],
    ['a run name that is a number', { pipelineId: 7, runName: 12 }, 'runName', `is 12; ${TAIL.string}`],
    [
      'an overlong link',
      { pipelineId: 7, webUrl: 'x'.repeat(2001) },
      'webUrl',
      `is "${'x'.repeat(2001)}"; ${TAIL.string}`,
    ],
    [
      'a queue time that is no time',
      { pipelineId: 7, queuedAt: 'soon' },
      'queuedAt',
      'is "soon"; it must be an ISO-8601 timestamp',
    ],
    [
      'an unknown state',
      { pipelineId: 7, state: 'done' },
      'state',
      'is "done"; it must be one of unknown, inProgress, canceling, completed',
    ],
    [
      'an unknown result',
      { pipelineId: 7, result: 'ok' },
      'result',
      'is "ok"; it must be null or one of unknown, succeeded, failed, canceled',
    ],
  ])('refuses %s, naming the field and what it must be', (_label, value, field, words) => {
    // Act
    const problem = problemOf(value);

    // Assess
    expect(problem).toEqual({ message: `Step input field "canary.${field}" ${words}`, field: `canary.${field}` });
  });
});

describe('Function: canaryReport', () => {
  const failure = (step: string, name: string, message = 'm') => ({ step, name, message });
  const queued: CanaryProgress = { pipelineId: 7, runId: 12, state: 'inProgress', result: null };

  it.each([
    ['a completed, succeeded run', FULL, undefined, 'succeeded'],
    ['a run whose check timed out', queued, failure('check-canary', 'CanaryRunTimedOutError'), 'timed out'],
    ['a run that failed', queued, failure('check-canary', 'CanaryRunFailedError', 'x: failed. Open'), 'failed'],
    [
      'a run that was canceled',
      queued,
      failure('check-canary', 'CanaryRunFailedError', 'canary run 1 (#12) of pipeline 7: canceled'),
      'canceled',
    ],
    [
      'a run whose name merely contains "canceled"',
      queued,
      failure('check-canary', 'CanaryRunFailedError', 'a: canceledX'),
      'failed',
    ],
    ['a timeout of another step', queued, failure('verify-publish', 'CanaryRunTimedOutError'), 'unfinished'],
    ['a failure named so by another step', queued, failure('canary', 'CanaryRunFailedError'), 'unfinished'],
    [
      'a check that could not read the run',
      queued,
      failure('check-canary', 'AzureDevOpsUnavailableError'),
      'unfinished',
    ],
    [
      'a completed run that did not succeed, with no failure',
      { ...queued, state: 'completed', result: 'failed' },
      undefined,
      'unfinished',
    ],
    ['a succeeded result on a run not completed', { ...queued, result: 'succeeded' }, undefined, 'unfinished'],
    [
      'a run the canary step could not queue',
      { pipelineId: 7 },
      failure('canary', 'AzureDevOpsUnavailableError'),
      'not queued',
    ],
    ['a run never queued (an earlier step failed)', { pipelineId: 7 }, failure('publish', 'X'), 'not run'],
    ['a run never queued, nothing failed', { pipelineId: 7 }, undefined, 'not run'],
  ] as const)('calls %s "%s"', (_label, canary, failed, outcome) => {
    // Act
    const report = canaryReport(canary, failed);

    // Assess
    expect(report?.outcome).toBe(outcome);
  });

  it('carries the ids and the link, null where the run has none, and nothing without a canary', () => {
    // Act
    const full = canaryReport(FULL, undefined);
    const bare = canaryReport({ pipelineId: 7 }, undefined);

    // Assess
    expect(full).toEqual({ pipelineId: 7, runId: 12, runName: '20261129.1', outcome: 'succeeded', webUrl: URL });
    expect(bare).toEqual({ pipelineId: 7, runId: null, runName: null, outcome: 'not run', webUrl: null });
    expect(canaryReport(undefined, failure('canary', 'X'))).toBeNull();
  });
});

describe('Function: describeCanary', () => {
  it.each([
    ['a run never queued', { pipelineId: 7 }, 'canary pipeline 7: not run'],
    ['a completed run, with its link', FULL, `canary run 20261129.1 (#12) of pipeline 7: succeeded — ${URL}`],
    [
      'a completed run with no result, by its id',
      { pipelineId: 7, runId: 12, state: 'completed' },
      'canary run 12 (#12) of pipeline 7: unknown',
    ],
    [
      'a run still going',
      { pipelineId: 7, runId: 12, state: 'inProgress' },
      'canary run 12 (#12) of pipeline 7: inProgress, not completed',
    ],
    [
      'a run queued, not yet read',
      { pipelineId: 7, runId: 12 },
      'canary run 12 (#12) of pipeline 7: queued, not completed',
    ],
  ] as const)('describes %s', (_label, canary, line) => {
    // Act
    const described = describeCanary(canary);

    // Assess
    expect(described).toBe(line);
  });

  it('describes nothing without a canary', () => {
    expect(describeCanary(undefined)).toBeNull();
  });
});
