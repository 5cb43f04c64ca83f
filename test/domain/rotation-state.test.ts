/**
 * The step input's validation, pinned message by message: each rule has a row whose input breaks
 * it alone, and the exact error the state machine's Catch and the operator see. Added from the
 * mutants Stryker found surviving (a validation rule could be dropped without a test noticing).
 */
import { describe, expect, it } from 'vitest';
import { InvalidStepInputError } from '../../src/domain/errors.js';
import {
  markCompleted,
  parseRotationState,
  type RotationState,
  rejectSecretFields,
  requireField,
} from '../../src/domain/rotation-state.js';

const ROTATION_ID = '11111111-1111-4111-8111-111111111111';
const valid = {
  rotationId: ROTATION_ID,
  targetName: 'app-prod',
  mode: 'rotate',
  startedAt: '2026-11-29T03:00:00.000Z',
};

function errorOf(act: () => unknown): InvalidStepInputError {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidStepInputError) return error;
    throw error;
  }
  throw new Error('expected InvalidStepInputError');
}

describe('Function: parseRotationState (every rule, exact message)', () => {
  const rows: Array<{ rule: string; input: unknown; field: string; message: string }> = [
    {
      rule: 'an array is not an object',
      input: [valid],
      field: '(root)',
      message: 'Step input must be a JSON object with at least rotationId, targetName and mode',
    },
    {
      rule: 'a string is not an object',
      input: 'plan',
      field: '(root)',
      message: 'Step input must be a JSON object with at least rotationId, targetName and mode',
    },
    {
      rule: 'an unknown top-level field',
      input: { ...valid, extra: 1 },
      field: 'extra',
      message:
        'Step input field "extra" is not a known field; expected only rotationId, targetName, mode, startedAt, ' +
        'plan, connectionId, holderIds, publishedAt, oldAccessKeyId, oldVersionId, newAccessKeyId, ' +
        'pendingVersionId, oldKeyStatus, completed, warnings, failure, toleratedFailure, rollback, leak, ' +
        'canary, parentExecutionId, executionId',
    },
    {
      rule: 'a parentExecutionId that is not an execution ARN',
      input: { ...valid, parentExecutionId: 'run-1' },
      field: 'parentExecutionId',
      message: 'Step input field "parentExecutionId" is "run-1"; it must be the run\'s Step Functions execution ARN',
    },
    {
      rule: 'a missing rotationId',
      input: { ...valid, rotationId: undefined },
      field: 'rotationId',
      message: 'Step input field "rotationId" is undefined; it must be 32-64 letters, digits or dashes (a UUID)',
    },
    {
      rule: 'a numeric rotationId',
      input: { ...valid, rotationId: 42 },
      field: 'rotationId',
      message: 'Step input field "rotationId" is 42; it must be 32-64 letters, digits or dashes (a UUID)',
    },
    {
      rule: 'a 31-character rotationId',
      input: { ...valid, rotationId: 'a'.repeat(31) },
      field: 'rotationId',
      message:
        `Step input field "rotationId" is "${'a'.repeat(31)}"; it must be 32-64 letters, digits or ` +
        `dashes (a UUID)`,
    },
    {
      rule: 'a numeric targetName',
      input: { ...valid, targetName: 7 },
      field: 'targetName',
      message: 'Step input field "targetName" is 7; it must be the name of a configured target',
    },
    {
      rule: 'a targetName with a space',
      input: { ...valid, targetName: 'app prod' },
      field: 'targetName',
      message: 'Step input field "targetName" is "app prod"; it must be the name of a configured target',
    },
    {
      rule: 'a numeric mode',
      input: { ...valid, mode: 1 },
      field: 'mode',
      message: 'Step input field "mode" is 1; it must be one of rotate, emergency, dry-run',
    },
    {
      rule: 'an unknown mode',
      input: { ...valid, mode: 'yolo' },
      field: 'mode',
      message: 'Step input field "mode" is "yolo"; it must be one of rotate, emergency, dry-run',
    },
    {
      rule: 'a numeric startedAt',
      input: { ...valid, startedAt: 1 },
      field: 'startedAt',
      message: 'Step input field "startedAt" is 1; it must be an ISO-8601 timestamp',
    },
    {
      rule: 'an unparsable startedAt',
      input: { ...valid, startedAt: 'yesterday' },
      field: 'startedAt',
      message: 'Step input field "startedAt" is "yesterday"; it must be an ISO-8601 timestamp',
    },
    {
      rule: 'completed that is not a list',
      input: { ...valid, completed: 'plan' },
      field: 'completed',
      message:
        'Step input field "completed" is "plan"; it must be a list of step names (plan, cleanup, create, ' +
        'verify-key, publish, verify-publish, canary, check-canary, promote, revoke, rollback, report)',
    },
    {
      rule: 'completed with an unknown step',
      input: { ...valid, completed: ['plan', 'deploy'] },
      field: 'completed',
      message:
        'Step input field "completed" is ["plan","deploy"]; it must be a list of step names (plan, cleanup, ' +
        'create, verify-key, publish, verify-publish, canary, check-canary, promote, revoke, rollback, report)',
    },
    {
      rule: 'warnings that are not a list',
      input: { ...valid, warnings: 'careful' },
      field: 'warnings',
      message: 'Step input field "warnings" is not a list of strings; it must be a list of messages',
    },
    {
      rule: 'warnings holding a number',
      input: { ...valid, warnings: ['ok', 3] },
      field: 'warnings',
      message: 'Step input field "warnings" is not a list of strings; it must be a list of messages',
    },
    {
      rule: 'a numeric oldVersionId',
      input: { ...valid, oldVersionId: 5 },
      field: 'oldVersionId',
      message: 'Step input field "oldVersionId" is 5; it must be a secret version id or null',
    },
    {
      rule: 'an oldVersionId with a space',
      input: { ...valid, oldVersionId: 'v 1' },
      field: 'oldVersionId',
      message: 'Step input field "oldVersionId" is "v 1"; it must be a secret version id or null',
    },
    {
      rule: 'an unknown oldKeyStatus',
      input: { ...valid, oldKeyStatus: 'Gone' },
      field: 'oldKeyStatus',
      message: 'Step input field "oldKeyStatus" is "Gone"; it must be Active, Inactive or Deleted',
    },
    {
      rule: 'a bad connectionId',
      input: { ...valid, connectionId: '-x' },
      field: 'connectionId',
      message: 'Step input field "connectionId" is "-x"; it must be the service connection id',
    },
    {
      rule: 'a numeric connectionId',
      input: { ...valid, connectionId: 3 },
      field: 'connectionId',
      message: 'Step input field "connectionId" is 3; it must be the service connection id',
    },
    {
      rule: 'a bad oldAccessKeyId',
      input: { ...valid, oldAccessKeyId: 'akia' },
      field: 'oldAccessKeyId',
      message: 'Step input field "oldAccessKeyId" is "akia"; it must be an access key id',
    },
    {
      rule: 'a bad newAccessKeyId',
      input: { ...valid, newAccessKeyId: 'AKIA' },
      field: 'newAccessKeyId',
      message: 'Step input field "newAccessKeyId" is "AKIA"; it must be an access key id',
    },
    {
      rule: 'a bad pendingVersionId',
      input: { ...valid, pendingVersionId: '' },
      field: 'pendingVersionId',
      message: 'Step input field "pendingVersionId" is ""; it must be a secret version id',
    },
    {
      rule: 'a plan that is null',
      input: { ...valid, plan: null },
      field: 'plan',
      message: 'Step input field "plan" is not an object; it must be the plan step output',
    },
    {
      rule: 'a plan that is a string',
      input: { ...valid, plan: 'rotate' },
      field: 'plan',
      message: 'Step input field "plan" is not an object; it must be the plan step output',
    },
    {
      rule: 'a plan without an action',
      input: { ...valid, plan: { reason: 'r', cleanup: [] } },
      field: 'plan.action',
      message: 'Step input field "plan.action" is undefined; it must be rotate, repair, skip or refuse',
    },
    {
      rule: 'a plan without a reason',
      input: { ...valid, plan: { action: 'skip', cleanup: [] } },
      field: 'plan.reason',
      message: 'Step input field "plan.reason" is missing; it must be a sentence',
    },
    {
      rule: 'a plan whose cleanup is not a list',
      input: { ...valid, plan: { action: 'skip', reason: 'r', cleanup: {} } },
      field: 'plan.cleanup',
      message: 'Step input field "plan.cleanup" is not a list; it must be a list of cleanup actions',
    },
    ...(
      [
        ['null', null],
        ['an unknown kind', { kind: 'delete-user', accessKeyId: 'AKIAAAAAAAAAAAAAAAA1' }],
        ['a delete-key without a key id', { kind: 'delete-key' }],
        ['a delete-key with a numeric key id', { kind: 'delete-key', accessKeyId: 12 }],
        ['a delete-key with a malformed key id', { kind: 'delete-key', accessKeyId: 'akia-1' }],
        ['a drop-pending without a version id', { kind: 'drop-pending' }],
        ['a promote-pending with a numeric version id', { kind: 'promote-pending', versionId: 1 }],
      ] as const
    ).map(([what, action]) => ({
      rule: `a cleanup action that is ${what}`,
      input: {
        ...valid,
        plan: { action: 'repair', reason: 'r', cleanup: [{ kind: 'drop-pending', versionId: 'v1' }, action] },
      },
      field: 'plan.cleanup[1]',
      message:
        'Step input field "plan.cleanup[1]" is not a valid cleanup action; expected delete-key, ' +
        'deactivate-key, drop-pending, promote-pending, restore-current or sync-holders',
    })),
    {
      rule: 'a failure that is null',
      input: { ...valid, failure: null },
      field: 'failure',
      message: 'Step input field "failure" is not an object; it must be { step, name, message }',
    },
    {
      rule: 'a failure that is a string',
      input: { ...valid, failure: 'boom' },
      field: 'failure',
      message: 'Step input field "failure" is not an object; it must be { step, name, message }',
    },
    {
      rule: 'a failure at an unknown step',
      input: { ...valid, failure: { step: 'deploy', name: 'X' } },
      field: 'failure.step',
      message: 'Step input field "failure.step" is "deploy"; it must be a step name',
    },
    {
      rule: 'a failure without a name',
      input: { ...valid, failure: { step: 'publish', message: 'm' } },
      field: 'failure.name',
      message: 'Step input field "failure.name" is missing; the state machine passes the caught error name here',
    },
    {
      rule: 'a secret-named field',
      input: { ...valid, secretAccessKey: 'x' },
      field: 'secretAccessKey',
      message:
        'Step input field "secretAccessKey" looks like it carries a secret; steps pass key ids and secret ' +
        'version ids only; remove the field',
    },
    {
      rule: 'a secret-named field inside a list',
      input: {
        ...valid,
        warnings: [],
        completed: [],
        plan: { action: 'skip', reason: 'r', cleanup: [{ kind: 'drop-pending', versionId: 'v', token: 't' }] },
      },
      field: 'plan.cleanup[0].token',
      message:
        'Step input field "plan.cleanup[0].token" looks like it carries a secret; steps pass key ids and ' +
        'secret version ids only; remove the field',
    },
    {
      rule: 'holderIds that are not a list',
      input: { ...valid, holderIds: 'conn-2' },
      field: 'holderIds',
      message:
        'Step input field "holderIds" is "conn-2"; it must be the list of the other holders\' ids (connection ' +
        'GUIDs, variable group numbers)',
    },
    {
      rule: 'a holder id that is not an id',
      input: { ...valid, holderIds: ['conn-2', 'not an id!'] },
      field: 'holderIds',
      message:
        'Step input field "holderIds" is ["conn-2","not an id!"]; it must be the list of the other holders\' ids ' +
        '(connection GUIDs, variable group numbers)',
    },
    {
      rule: 'a holder id that is not a string',
      input: { ...valid, holderIds: [7] },
      field: 'holderIds',
      message:
        'Step input field "holderIds" is [7]; it must be the list of the other holders\' ids (connection GUIDs, ' +
        'variable group numbers)',
    },
    {
      rule: 'a publishedAt that is not a date',
      input: { ...valid, publishedAt: 'later' },
      field: 'publishedAt',
      message: 'Step input field "publishedAt" is "later"; it must be an ISO-8601 timestamp',
    },
    {
      rule: 'a publishedAt that is not a string',
      input: { ...valid, publishedAt: 1_700_000_000 },
      field: 'publishedAt',
      message: 'Step input field "publishedAt" is 1700000000; it must be an ISO-8601 timestamp',
    },
    {
      rule: 'a tolerated failure without a step name',
      input: { ...valid, toleratedFailure: { step: 'nope', name: 'X', message: 'm' } },
      field: 'toleratedFailure.step',
      message: 'Step input field "toleratedFailure.step" is "nope"; it must be a step name',
    },
    {
      rule: 'a leak in a run that is not an emergency',
      input: {
        ...valid,
        leak: { accessKeyIds: ['AKIAOLD0000000000001'], detectedAt: '2026-11-29T02:00:00.000Z', eventArn: null },
      },
      field: 'mode',
      message:
        'Step input field "mode" is "rotate" with a leak; a run for a leaked key must be in emergency mode (the ' +
        'old key is deleted at once)',
    },
    {
      rule: 'a sync-holders cleanup without a key id',
      input: { ...valid, plan: { action: 'repair', reason: 'r', cleanup: [{ kind: 'sync-holders', versionId: 'v' }] } },
      field: 'plan.cleanup[0]',
      message:
        'Step input field "plan.cleanup[0]" is not a valid cleanup action; expected delete-key, deactivate-key, ' +
        'drop-pending, promote-pending, restore-current or sync-holders',
    },
    {
      rule: 'a sync-holders cleanup without a version id',
      input: {
        ...valid,
        plan: {
          action: 'repair',
          reason: 'r',
          cleanup: [{ kind: 'sync-holders', accessKeyId: 'AKIAOLD0000000000001' }],
        },
      },
      field: 'plan.cleanup[0]',
      message:
        'Step input field "plan.cleanup[0]" is not a valid cleanup action; expected delete-key, deactivate-key, ' +
        'drop-pending, promote-pending, restore-current or sync-holders',
    },
    {
      rule: 'a restore-current cleanup without a version id',
      input: { ...valid, plan: { action: 'repair', reason: 'r', cleanup: [{ kind: 'restore-current' }] } },
      field: 'plan.cleanup[0]',
      message:
        'Step input field "plan.cleanup[0]" is not a valid cleanup action; expected delete-key, deactivate-key, ' +
        'drop-pending, promote-pending, restore-current or sync-holders',
    },
    {
      rule: 'leaked key ids that are not a list',
      input: { ...valid, plan: { action: 'skip', reason: 'r', cleanup: [], leakedKeyIds: 'AKIAOLD0000000000001' } },
      field: 'plan.leakedKeyIds',
      message:
        'Step input field "plan.leakedKeyIds" is "AKIAOLD0000000000001"; it must be the list of leaked access key ' +
        'ids the target holds',
    },
    {
      rule: 'a leaked key id that is not an access key id',
      input: { ...valid, plan: { action: 'skip', reason: 'r', cleanup: [], leakedKeyIds: ['akia-1'] } },
      field: 'plan.leakedKeyIds',
      message:
        'Step input field "plan.leakedKeyIds" is ["akia-1"]; it must be the list of leaked access key ids the ' +
        'target holds',
    },
    {
      rule: 'a leaked key id that is not a string',
      input: { ...valid, plan: { action: 'skip', reason: 'r', cleanup: [], leakedKeyIds: [1] } },
      field: 'plan.leakedKeyIds',
      message:
        'Step input field "plan.leakedKeyIds" is [1]; it must be the list of leaked access key ids the target holds',
    },
  ];

  for (const { rule, input, field, message } of rows) {
    it(`throws InvalidStepInputError with the exact message for ${rule}`, () => {
      // Act
      const error = errorOf(() => parseRotationState(input));

      // Assert
      expect(error.message).toBe(message);
      expect(error.context).toEqual({ field });
      expect(error.kind).toBe('refusal');
    });
  }

  it.each([
    ['password', { password: 'x' }],
    ['passwd', { passwd: 'x' }],
    ['PAT', { PAT: 'x' }],
    ['sessionToken', { sessionToken: 'x' }],
    ['webhookUrl', { webhookUrl: 'x' }],
    ['credentials', { credentials: 'x' }],
    ['privateKey', { privateKey: 'x' }],
    ['clientSecret', { clientSecret: 'x' }],
  ])('refuses a field named %s anywhere', (name, extra) => {
    expect(
      errorOf(() => parseRotationState({ ...valid, failure: { step: 'plan', name: 'X', ...extra } })).context.field,
    ).toBe(`failure.${name}`);
  });

  it('lets secretId through (a secret id is not a secret), and fields that only look alike', () => {
    expect(() =>
      rejectSecretFields({ secretId: 'rotator/app', nested: [{ secretId: 'x' }], patience: 1, compatible: true }, ''),
    ).not.toThrow();
  });

  it('refuses a field whose name only ends in secretId', () => {
    expect(errorOf(() => rejectSecretFields({ secretIdAndValue: 'x' }, '')).context.field).toBe('secretIdAndValue');
  });

  it('keeps every optional field it is given, typed, and nothing it is not', () => {
    // Arrange
    const input = {
      ...valid,
      executionId: 'arn:aws:states:eu-west-1:123456789012:execution:rotator:run-1',
      parentExecutionId: 'arn:aws:states:eu-west-1:123456789012:execution:rotator:run-1',
      plan: {
        action: 'rotate',
        reason: 'due',
        cleanup: [{ kind: 'delete-key', accessKeyId: 'AKIAAAAAAAAAAAAAAAA1', reason: 'old' }],
        heldKeyAgeDays: 8,
      },
      connectionId: '5e47a0d8-c745-44f8-8f93-784f18ff31c4',
      oldAccessKeyId: 'AKIAOLD0000000000001',
      oldVersionId: null,
      newAccessKeyId: 'AKIANEW0000000000001',
      pendingVersionId: ROTATION_ID,
      oldKeyStatus: 'Inactive',
      completed: ['plan', 'cleanup'],
      warnings: ['w'],
      failure: { step: 'publish', name: 'AzureDevOpsRequestError', message: 'Azure DevOps answered 500' },
      rollback: { actions: ['restored'], consistent: true },
      holderIds: ['5e47a0d8-c745-44f8-8f93-784f18ff31c5', '12'],
      publishedAt: '2026-11-29T03:00:10.000Z',
      toleratedFailure: { step: 'revoke', name: 'AwsCallFailedError', message: 'denied' },
    };

    // Act
    const state = parseRotationState(input);

    // Assert
    expect(state).toEqual({
      rotationId: ROTATION_ID,
      targetName: 'app-prod',
      mode: 'rotate',
      startedAt: '2026-11-29T03:00:00.000Z',
      plan: input.plan,
      connectionId: input.connectionId,
      oldAccessKeyId: input.oldAccessKeyId,
      oldVersionId: null,
      newAccessKeyId: input.newAccessKeyId,
      pendingVersionId: ROTATION_ID,
      oldKeyStatus: 'Inactive',
      completed: ['plan', 'cleanup'],
      warnings: ['w'],
      failure: input.failure,
      rollback: input.rollback,
      parentExecutionId: input.parentExecutionId,
      holderIds: input.holderIds,
      publishedAt: input.publishedAt,
      toleratedFailure: input.toleratedFailure,
    });
  });

  it('leaves out the optional fields it is not given', () => {
    expect(Object.keys(parseRotationState(valid)).sort()).toEqual([
      'completed',
      'mode',
      'rotationId',
      'startedAt',
      'targetName',
      'warnings',
    ]);
  });

  it('accepts an oldVersionId that is a version id, and each oldKeyStatus', () => {
    expect(parseRotationState({ ...valid, oldVersionId: 'v-1' }).oldVersionId).toBe('v-1');
    for (const status of ['Active', 'Inactive', 'Deleted'])
      expect(parseRotationState({ ...valid, oldKeyStatus: status }).oldKeyStatus).toBe(status);
  });

  it('accepts every plan action and cleanup kind', () => {
    for (const action of ['rotate', 'repair', 'skip', 'refuse']) {
      expect(parseRotationState({ ...valid, plan: { action, reason: 'r', cleanup: [] } }).plan?.action).toBe(action);
    }
    const cleanup = [
      { kind: 'delete-key', accessKeyId: 'AKIAAAAAAAAAAAAAAAA1', reason: 'r' },
      { kind: 'drop-pending', versionId: 'v1', reason: 'r' },
      { kind: 'promote-pending', versionId: 'v2', reason: 'r' },
      { kind: 'deactivate-key', accessKeyId: 'AKIAAAAAAAAAAAAAAAA2', reason: 'r' },
      { kind: 'restore-current', versionId: 'v3', reason: 'r' },
      { kind: 'sync-holders', versionId: 'v4', accessKeyId: 'AKIAAAAAAAAAAAAAAAA3', reason: 'r' },
    ];
    expect(parseRotationState({ ...valid, plan: { action: 'repair', reason: 'r', cleanup } }).plan?.cleanup).toEqual(
      cleanup,
    );
  });

  describe('a failure handed over by the state machine Catch', () => {
    const failure = (extra: Record<string, unknown>) =>
      parseRotationState({ ...valid, failure: { step: 'publish', name: 'States.TaskFailed', ...extra } }).failure;

    it('takes the message when there is one', () => {
      expect(failure({ message: 'boom', cause: '{"errorMessage":"other"}' })).toEqual({
        step: 'publish',
        name: 'States.TaskFailed',
        message: 'boom',
      });
    });

    it('takes errorMessage out of a JSON Cause', () => {
      expect(failure({ cause: JSON.stringify({ errorType: 'X', errorMessage: 'the PUT failed' }) })?.message).toBe(
        'the PUT failed',
      );
    });

    it('takes a JSON Cause without errorMessage as it is', () => {
      expect(failure({ cause: '{"errorType":"X"}' })?.message).toBe('{"errorType":"X"}');
    });

    it('takes a Cause that is not JSON as it is', () => {
      expect(failure({ cause: 'Lambda timed out' })?.message).toBe('Lambda timed out');
    });

    it('says "(no message)" when there is neither, or the Cause is not a string', () => {
      expect(failure({})?.message).toBe('(no message)');
      expect(failure({ cause: 42 })?.message).toBe('(no message)');
      expect(failure({ message: 42 })?.message).toBe('(no message)');
    });

    it('cuts the message at 1000 characters', () => {
      expect(failure({ message: 'x'.repeat(1500) })?.message).toBe('x'.repeat(1000));
      expect(failure({ cause: 'y'.repeat(1001) })?.message).toBe('y'.repeat(1000));
    });
  });
});

describe('Function: markCompleted', () => {
  const state: RotationState = {
    rotationId: ROTATION_ID,
    targetName: 'app',
    mode: 'rotate',
    startedAt: valid.startedAt,
    completed: ['plan'],
    warnings: [],
  };

  it('adds the step once, keeping the order, without changing the input', () => {
    const next = markCompleted(state, 'cleanup');

    expect(next.completed).toEqual(['plan', 'cleanup']);
    expect(state.completed).toEqual(['plan']);
    expect(markCompleted(next, 'cleanup')).toBe(next);
  });
});

describe('Function: requireField', () => {
  const state: RotationState = {
    rotationId: ROTATION_ID,
    targetName: 'app',
    mode: 'rotate',
    startedAt: valid.startedAt,
    completed: [],
    warnings: [],
    connectionId: 'c-1',
    newAccessKeyId: '',
  };

  it('returns the field when it is set', () => {
    expect(requireField(state, 'connectionId', 'publish')).toBe('c-1');
  });

  it.each([
    ['missing', 'oldAccessKeyId'],
    ['empty', 'newAccessKeyId'],
  ] as const)(
    'throws InvalidStepInputError naming the step, the target and the field when it is %s',
    (_what, field) => {
      const error = errorOf(() => requireField(state, field, 'revoke'));

      expect(error.message).toBe(
        `Step "revoke" of target app needs "${field}" in its input; it is set by an earlier step (is the state ` +
          `machine passing the whole state?)`,
      );
      expect(error.context).toEqual({ field, step: 'revoke', target: 'app' });
    },
  );

  it('refuses a value that is not a string', () => {
    expect(() =>
      requireField({ ...state, pendingVersionId: 5 as unknown as string }, 'pendingVersionId', 'promote'),
    ).toThrow(InvalidStepInputError);
  });
});
