/**
 * The run's reports from its Distributed Map's child results: a child that finished carries its report; a child
 * that failed outright (or never started) becomes a `failed` report naming its execution, so no target is ever
 * left out of the summary.
 */
import { describe, expect, it } from 'vitest';
import { parseResultsLocation, reportsFromChildResults } from '../../src/domain/map-run-results.js';
import type { ChildResult } from '../../src/ports/run-results.port.js';

const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:AdoKeyRotatorTarget:child-1';
const ROTATION_ID = '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6';
const inputOf = (state: Record<string, unknown>) => JSON.stringify({ state });
const child = (extra: Partial<ChildResult>): ChildResult => ({
  executionArn: ARN,
  status: 'FAILED',
  input: inputOf({ rotationId: ROTATION_ID, targetName: 'payments', mode: 'emergency' }),
  ...extra,
});

describe('Function: reportsFromChildResults', () => {
  it("takes a finished child's report as it wrote it, linked to its execution", () => {
    // Prepare
    const report = { targetName: 'payments', outcome: 'rotated', summary: 'rotated' };

    // Act
    const [taken] = reportsFromChildResults([child({ status: 'SUCCEEDED', output: JSON.stringify(report) })]);

    // Assess
    expect(taken).toEqual({ ...report, executionArn: ARN });
  });

  it('turns a failed child into a failed report that names its target, its error and where to look', () => {
    // Act
    const [report] = reportsFromChildResults([child({ error: 'States.Timeout', cause: 'timed out' })]);

    // Assess
    expect(report).toStrictEqual({
      rotationId: ROTATION_ID,
      targetName: 'payments',
      connectionName: '',
      project: '',
      organizationUrl: '',
      connectionId: null,
      mode: 'emergency',
      outcome: 'failed',
      summary:
        `Its execution ended with States.Timeout before it could report; what it did is in the execution history ` +
        `of ${ARN}.`,
      newAccessKeyId: null,
      oldAccessKeyId: null,
      oldKeyStatus: null,
      heldKeyAgeDays: null,
      durationMs: 0,
      warnings: [],
      reasonCode: 'States.Timeout',
      failure: null,
      rolledBack: [],
      stateLeft: 'Unknown: run `ado-key-rotator status` to see which key the connection holds.',
      executionArn: ARN,
    });
  });

  it.each([
    ['a child that succeeded without an output', { status: 'SUCCEEDED' as const }, 'Unknown'],
    ['a child that never started', { status: 'PENDING' as const }, 'NotStarted'],
    ['a child that failed with no error name', { status: 'FAILED' as const }, 'Unknown'],
    [
      'a failed child that carries an output',
      { status: 'FAILED' as const, output: '{"outcome":"rotated"}' },
      'Unknown',
    ],
  ])('names %s by what is known', (_label, extra, error) => {
    // Act
    const [report] = reportsFromChildResults([child(extra)]);

    // Assess
    expect([report?.outcome, report?.reasonCode]).toEqual(['failed', error]);
    expect(report?.summary).toContain(`ended with ${error} before it could report`);
  });

  it.each([
    ['an input that is not JSON', '{not json'],
    ['an input without a state', JSON.stringify({ other: 1 })],
    ['a state of the wrong types', inputOf({ rotationId: 7, targetName: ['payments'], mode: 'sideways' })],
  ])('still reports a child with %s, as an unknown target in rotate mode', (_label, input) => {
    // Act
    const [report] = reportsFromChildResults([child({ input, error: 'States.Runtime' })]);

    // Assess
    expect(report).toMatchObject({
      rotationId: '',
      targetName: `(unknown target of ${ARN})`,
      mode: 'rotate',
      outcome: 'failed',
    });
  });

  it('adds no execution link where the result names none', () => {
    // Act
    const [report] = reportsFromChildResults([child({ executionArn: '', error: 'States.Runtime' })]);

    // Assess
    expect(report).not.toHaveProperty('executionArn');
  });
});

describe('Function: parseResultsLocation', () => {
  it("takes the Map's ResultWriterDetails", () => {
    expect(parseResultsLocation({ Bucket: 'results', Key: 'run/manifest.json' })).toEqual({
      bucket: 'results',
      key: 'run/manifest.json',
    });
  });

  it.each([
    ['nothing', undefined],
    ['no bucket', { Key: 'k' }],
    ['an empty bucket', { Bucket: '', Key: 'k' }],
    ['a bucket that is not text', { Bucket: 7, Key: 'k' }],
    ['no key', { Bucket: 'b' }],
    ['an empty key', { Bucket: 'b', Key: '' }],
  ])('refuses %s, naming the field', (_label, value) => {
    // Act
    const parse = () => parseResultsLocation(value);

    // Assess
    expect(parse).toThrow(
      expect.objectContaining({
        name: 'InvalidStepInputError',
        message: 'Notify input field "results" must be the Map\'s ResultWriterDetails { Bucket, Key }',
        context: { field: 'results' },
      }),
    );
  });
});
