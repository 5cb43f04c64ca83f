/**
 * Reports pinned whole: the outcome derived from each way a run can end, the sentence and the
 * "state left" people read in Slack, and the notify step's input validation. Added from the
 * mutants Stryker found surviving in report.ts.
 */
import { describe, expect, it } from 'vitest';
import { InvalidStepInputError } from '../../src/domain/errors.js';
import {
  buildTargetReport,
  outcomeOf,
  parseNotifyInput,
  type TargetReport,
  toleratedWarning,
} from '../../src/domain/report.js';
import type { RotationState } from '../../src/domain/rotation-state.js';

const STARTED = '2026-11-29T03:00:00.000Z';
const FINISHED = new Date('2026-11-29T03:00:42.500Z');
const TARGET = { connectionName: 'aws-prod', project: 'payments', organizationUrl: 'https://dev.azure.com/contoso' };
const base: RotationState = {
  rotationId: '11111111-1111-4111-8111-111111111111',
  targetName: 'app-prod',
  mode: 'rotate',
  startedAt: STARTED,
  completed: [],
  warnings: [],
};
const OLD = 'AKIAOLD0000000000001';
const NEW = 'AKIANEW0000000000001';
const plan = (action: 'rotate' | 'repair' | 'skip' | 'refuse', extra: Record<string, unknown> = {}) => ({
  action,
  reason: `because ${action}`,
  cleanup: [],
  heldKeyAgeDays: 8.5,
  ...extra,
});

describe('Function: outcomeOf', () => {
  const cases: Array<[string, RotationState, string]> = [
    [
      'a failure rolled back consistently',
      { ...base, failure: { step: 'publish', name: 'X', message: 'm' }, rollback: { actions: [], consistent: true } },
      'rolled-back',
    ],
    [
      'a failure whose rollback is inconsistent',
      { ...base, failure: { step: 'publish', name: 'X', message: 'm' }, rollback: { actions: [], consistent: false } },
      'failed',
    ],
    ['a failure without a rollback', { ...base, failure: { step: 'plan', name: 'X', message: 'm' } }, 'failed'],
    ['a dry run, whatever the plan', { ...base, mode: 'dry-run', plan: plan('rotate') }, 'planned'],
    ['a refusal', { ...base, plan: plan('refuse') }, 'refused'],
    ['a skip', { ...base, plan: plan('skip') }, 'skipped'],
    ['a repair', { ...base, plan: plan('repair') }, 'repaired'],
    ['a rotation that promoted', { ...base, plan: plan('rotate'), completed: ['plan', 'promote'] }, 'rotated'],
    [
      'a rotation that stopped before promoting',
      { ...base, plan: plan('rotate'), completed: ['plan', 'publish'] },
      'failed',
    ],
    ['a run without a plan', base, 'failed'],
  ];
  for (const [what, state, outcome] of cases) {
    it(`calls ${what} ${outcome}`, () => {
      expect(outcomeOf(state)).toBe(outcome);
    });
  }
});

describe('Function: buildTargetReport (whole reports)', () => {
  const common = {
    rotationId: base.rotationId,
    targetName: 'app-prod',
    ...TARGET,
    mode: 'rotate' as const,
    durationMs: 42_500,
    warnings: [],
  };

  it('a rotation: both key ids, the old key status, key age 0, no reason', () => {
    const state: RotationState = {
      ...base,
      plan: plan('rotate'),
      completed: ['plan', 'cleanup', 'create', 'verify-key', 'publish', 'verify-publish', 'promote', 'revoke'],
      connectionId: 'conn-1',
      oldAccessKeyId: OLD,
      newAccessKeyId: NEW,
      oldKeyStatus: 'Inactive',
      warnings: ['w1'],
    };

    expect(buildTargetReport(state, TARGET, FINISHED)).toEqual({
      ...common,
      connectionId: 'conn-1',
      outcome: 'rotated',
      summary: `Rotated: ${OLD} → ${NEW}.`,
      newAccessKeyId: NEW,
      oldAccessKeyId: OLD,
      oldKeyStatus: 'Inactive',
      heldKeyAgeDays: 0,
      warnings: ['w1'],
      reasonCode: null,
      failure: null,
      rolledBack: [],
      stateLeft: `The connection and the secret hold the new key ${NEW}; the old key ${OLD} is inactive.`,
    } satisfies TargetReport);
  });

  it('a rotation whose old key status is unknown says it is active', () => {
    const report = buildTargetReport(
      { ...base, plan: plan('rotate'), completed: ['promote'], oldAccessKeyId: OLD, newAccessKeyId: NEW },
      TARGET,
      FINISHED,
    );

    expect(report.oldKeyStatus).toBe('Active');
    expect(report.stateLeft).toBe(
      `The connection and the secret hold the new key ${NEW}; the old key ${OLD} is active.`,
    );
  });

  it('a rollback: the failure, the actions, the old key still held', () => {
    const failure = { step: 'publish' as const, name: 'AzureDevOpsRequestError', message: 'HTTP 500' };
    const state: RotationState = {
      ...base,
      plan: plan('rotate'),
      completed: ['plan', 'create', 'rollback'],
      oldAccessKeyId: OLD,
      newAccessKeyId: NEW,
      failure,
      rollback: { actions: ['a1', 'a2'], consistent: true },
    };

    expect(buildTargetReport(state, TARGET, FINISHED)).toEqual({
      ...common,
      connectionId: null,
      outcome: 'rolled-back',
      summary: 'Step publish failed (AzureDevOpsRequestError); rolled back.',
      newAccessKeyId: NEW,
      oldAccessKeyId: OLD,
      oldKeyStatus: 'Active',
      heldKeyAgeDays: 8.5,
      reasonCode: 'AzureDevOpsRequestError',
      failure,
      rolledBack: ['a1', 'a2'],
      stateLeft:
        `Unchanged: the connection and the secret hold the old key ${OLD}, which is active; the new ` +
        `key was deleted.`,
    } satisfies TargetReport);
  });

  it('a rollback that kept the new key (a first rotation) says so, and that the old key is still active', () => {
    const report = buildTargetReport(
      {
        ...base,
        plan: plan('rotate'),
        oldAccessKeyId: OLD,
        newAccessKeyId: NEW,
        failure: { step: 'check-canary', name: 'CanaryRunFailedError', message: 'm' },
        rollback: { actions: ['kept'], consistent: true, keptNewKey: true },
      },
      TARGET,
      FINISHED,
    );

    expect(report.outcome).toBe('rolled-back');
    expect(report.summary).toBe(
      'Step check-canary failed (CanaryRunFailedError); the new key was kept (first rotation).',
    );
    expect(report.stateLeft).toBe(
      `Kept the new key: the connection, every holder and the secret hold ${NEW} (the secret did not exist before ` +
        `this run, so the old credential could not be restored); the old key ${OLD} is still active: delete it ` +
        `once nothing uses it.`,
    );
  });

  it('a failed rollback says a human is needed and what the rollback did', () => {
    const report = buildTargetReport(
      {
        ...base,
        plan: plan('rotate'),
        failure: { step: 'promote', name: 'AwsCallFailedError', message: 'm' },
        rollback: { actions: ['restored', 'stopped: X'], consistent: false },
      },
      TARGET,
      FINISHED,
    );

    expect(report.outcome).toBe('failed');
    expect(report.summary).toBe('Step promote failed (AwsCallFailedError) and the rollback did not complete.');
    expect(report.stateLeft).toBe(
      'Needs a human: the rollback did not finish (restored; stopped: X). Run `ado-key-rotator status` to see ' +
        'which key the connection holds.',
    );
  });

  it('a failed rollback with no action says nothing was rolled back', () => {
    const report = buildTargetReport(
      {
        ...base,
        plan: plan('rotate'),
        failure: { step: 'create', name: 'X', message: 'm' },
        rollback: { actions: [], consistent: false },
      },
      TARGET,
      FINISHED,
    );

    expect(report.stateLeft).toBe(
      'Needs a human: the rollback did not finish (nothing was rolled back). Run `ado-key-rotator status` to ' +
        'see which key the connection holds.',
    );
  });

  it('a failed plan says nothing was changed, with the error', () => {
    const report = buildTargetReport(
      { ...base, failure: { step: 'plan', name: 'AwsCallFailedError', message: 'IAM timed out' } },
      TARGET,
      FINISHED,
    );

    expect(report).toMatchObject({
      outcome: 'failed',
      summary: 'The plan failed (AwsCallFailedError: IAM timed out); nothing was changed.',
      stateLeft: 'Unchanged: the run stopped at the plan, before changing anything.',
      reasonCode: 'AwsCallFailedError',
    });
  });

  it('a rotation that ended before promoting, without a failure, says so', () => {
    const report = buildTargetReport({ ...base, plan: plan('rotate'), completed: ['plan'] }, TARGET, FINISHED);

    expect(report.summary).toBe('The run ended before promoting the new key.');
    expect(report.stateLeft).toBe(
      'Needs a human: the rollback did not finish (nothing was rolled back). Run `ado-key-rotator status` to ' +
        'see which key the connection holds.',
    );
  });

  it('a refusal: its code and reason, and what the connection still holds', () => {
    const state: RotationState = {
      ...base,
      plan: plan('refuse', { code: 'ConnectionUsesOidcError' }),
      oldAccessKeyId: OLD,
    };

    expect(buildTargetReport(state, TARGET, FINISHED)).toMatchObject({
      outcome: 'refused',
      summary: 'because refuse',
      reasonCode: 'ConnectionUsesOidcError',
      oldKeyStatus: 'Active',
      heldKeyAgeDays: 8.5,
      stateLeft: `Unchanged: the connection holds ${OLD}.`,
    });
  });

  it('a refusal without a code or a known key', () => {
    const report = buildTargetReport({ ...base, plan: plan('refuse') }, TARGET, FINISHED);

    expect(report).toMatchObject({
      reasonCode: null,
      oldKeyStatus: null,
      oldAccessKeyId: null,
      newAccessKeyId: null,
      stateLeft: 'Unchanged.',
    });
  });

  it('a skip: its reason, no reason code even when the plan has one', () => {
    const report = buildTargetReport(
      { ...base, plan: plan('skip', { code: 'Whatever' }), oldAccessKeyId: OLD },
      TARGET,
      FINISHED,
    );

    expect(report).toMatchObject({
      outcome: 'skipped',
      summary: 'because skip',
      reasonCode: null,
      stateLeft: `Unchanged: the connection holds ${OLD}.`,
    });
  });

  it('a repair: its reason and what the connection holds', () => {
    const report = buildTargetReport({ ...base, plan: plan('repair'), oldAccessKeyId: OLD }, TARGET, FINISHED);

    expect(report).toMatchObject({
      outcome: 'repaired',
      summary: 'because repair',
      stateLeft: `Cleaned up; the connection holds ${OLD}.`,
    });
  });

  it('a dry run: what it would do', () => {
    const report = buildTargetReport(
      { ...base, mode: 'dry-run', plan: plan('rotate'), oldAccessKeyId: OLD },
      TARGET,
      FINISHED,
    );

    expect(report).toMatchObject({
      outcome: 'planned',
      summary: 'Dry run: would rotate: because rotate',
      stateLeft: `Unchanged: the connection holds ${OLD}.`,
    });
  });

  it('a dry run without a plan says it would plan, without a trailing space', () => {
    const report = buildTargetReport({ ...base, mode: 'dry-run' }, TARGET, FINISHED);

    expect(report).toMatchObject({
      outcome: 'planned',
      summary: 'Dry run: would plan:',
      heldKeyAgeDays: null,
      rolledBack: [],
      stateLeft: 'Unchanged.',
    });
  });

  it('never reports a negative duration (a clock that went back)', () => {
    expect(
      buildTargetReport({ ...base, plan: plan('skip') }, TARGET, new Date('2026-11-29T02:59:00.000Z')).durationMs,
    ).toBe(0);
  });
});

describe('Function: parseNotifyInput', () => {
  const report = { targetName: 'app-prod', outcome: 'rotated' };
  const valid = {
    executionId: 'arn:exec',
    executionUrl: 'https://console/exec',
    mode: 'rotate',
    startedAt: STARTED,
    reports: [report],
  };

  it('makes the run summary, with the time it is given as the end', () => {
    expect(parseNotifyInput(valid, FINISHED)).toEqual({
      executionId: 'arn:exec',
      executionUrl: 'https://console/exec',
      mode: 'rotate',
      startedAt: STARTED,
      finishedAt: '2026-11-29T03:00:42.500Z',
      targets: [report],
    });
  });

  it('sets the execution id and URL to null when they are not strings', () => {
    expect(parseNotifyInput({ ...valid, executionId: 5, executionUrl: undefined }, FINISHED)).toMatchObject({
      executionId: null,
      executionUrl: null,
    });
  });

  it.each<[string, unknown, string, string]>([
    ['null', null, '(root)', 'Notify input field "(root)" must be an object { executionId, mode, startedAt, reports }'],
    [
      'a string',
      'run',
      '(root)',
      'Notify input field "(root)" must be an object { executionId, mode, startedAt, reports }',
    ],
    [
      'no reports',
      { ...valid, reports: undefined },
      'reports',
      'Notify input field "reports" must be the list of target reports from the Map',
    ],
    [
      'a report that is null',
      { ...valid, reports: [report, null] },
      'reports[1]',
      'Notify input field "reports[1]" must be a target report with targetName and outcome',
    ],
    [
      'a report without a target name',
      { ...valid, reports: [{ outcome: 'rotated' }] },
      'reports[0]',
      'Notify input field "reports[0]" must be a target report with targetName and outcome',
    ],
    [
      'a report without an outcome',
      { ...valid, reports: [{ targetName: 'a' }] },
      'reports[0]',
      'Notify input field "reports[0]" must be a target report with targetName and outcome',
    ],
    [
      'an unknown mode',
      { ...valid, mode: 'fast' },
      'mode',
      'Notify input field "mode" must be one of rotate, emergency, dry-run',
    ],
    [
      'a startedAt that is not a string',
      { ...valid, startedAt: 1 },
      'startedAt',
      'Notify input field "startedAt" must be an ISO-8601 timestamp',
    ],
    [
      'a startedAt that is not a date',
      { ...valid, startedAt: 'soon' },
      'startedAt',
      'Notify input field "startedAt" must be an ISO-8601 timestamp',
    ],
  ])('throws InvalidStepInputError naming the field for %s', (_what, input, field, message) => {
    let error: unknown;
    try {
      parseNotifyInput(input, FINISHED);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(InvalidStepInputError);
    expect((error as InvalidStepInputError).message).toBe(message);
    expect((error as InvalidStepInputError).context).toEqual({ field });
  });

  it('refuses a secret-named field anywhere in the input, naming its path', () => {
    expect(() =>
      parseNotifyInput({ ...valid, reports: [{ ...report, failure: { password: 'x' } }] }, FINISHED),
    ).toThrow('Step input field "reports[0].failure.password" looks like it carries a secret');
  });
});

describe('Function: toleratedWarning', () => {
  it('says "unknown" for the old key when the state does not know it', () => {
    const failure = { step: 'revoke' as const, name: 'AwsCallFailedError', message: 'denied' };

    const warning = toleratedWarning({}, failure);

    expect(warning).toBe(
      'the old key unknown could not be retired (AwsCallFailedError: denied); it is still active, and the next ' +
        'run retires it',
    );
  });

  it('words a tolerated failure of a step whose policy has no warning of its own generically', () => {
    const failure = { step: 'publish' as const, name: 'AzureDevOpsRequestError', message: 'HTTP 500' };

    const warning = toleratedWarning({ oldAccessKeyId: OLD }, failure);

    expect(warning).toBe('step publish failed (AzureDevOpsRequestError: HTTP 500); the run went on');
  });
});

describe('Function: buildTargetReport (a run for a leaked key)', () => {
  const leak = { accessKeyIds: [OLD], detectedAt: '2026-11-29T02:59:00.000Z', eventArn: null };

  it('a rotation: the leaked keys the target held, and the time from the event to the new key being live', () => {
    const state: RotationState = {
      ...base,
      mode: 'emergency',
      leak,
      plan: plan('rotate', { leakedKeyIds: [OLD] }),
      completed: ['plan', 'promote'],
      oldAccessKeyId: OLD,
      newAccessKeyId: NEW,
    };

    const report = buildTargetReport(state, TARGET, FINISHED);

    expect(report.leak).toEqual({ held: [OLD], eventToLiveMs: 102_500 });
  });

  it('a target that did not rotate: no time to live; a plan without leaked keys: none held', () => {
    const state: RotationState = { ...base, mode: 'emergency', leak, plan: plan('skip') };

    const report = buildTargetReport(state, TARGET, FINISHED);

    expect(report.leak).toEqual({ held: [], eventToLiveMs: null });
  });

  it('never reports a negative time to live (an event stamped after the run ended)', () => {
    const state: RotationState = {
      ...base,
      mode: 'emergency',
      leak: { ...leak, detectedAt: '2026-11-29T04:00:00.000Z' },
      plan: plan('rotate', { leakedKeyIds: [OLD] }),
      completed: ['promote'],
    };

    expect(buildTargetReport(state, TARGET, FINISHED).leak?.eventToLiveMs).toBe(0);
  });

  it('a run not for a leak has no leak field', () => {
    const report = buildTargetReport({ ...base, plan: plan('skip') }, TARGET, FINISHED);

    expect(report).not.toHaveProperty('leak');
  });
});

describe('Function: parseNotifyInput (a run for a leaked key)', () => {
  it('adds the leak to the summary, with the leaked keys no report says it held', () => {
    const leak = { accessKeyIds: [OLD, NEW], detectedAt: STARTED, eventArn: null };
    const reports = [{ targetName: 'app-prod', outcome: 'rotated', leak: { held: [OLD], eventToLiveMs: 1 } }];

    const summary = parseNotifyInput({ mode: 'emergency', startedAt: STARTED, reports, leak }, FINISHED);

    expect(summary.leak).toEqual({ ...leak, unheld: [NEW] });
  });
});
