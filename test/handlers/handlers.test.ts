import { describe, expect, it } from 'vitest';
import {
  AwsAccessDeniedError,
  AzureDevOpsCredentialRejectedError,
  KeyNotYetUsableError,
} from '../../src/domain/errors.js';
import type { TargetReport } from '../../src/domain/report.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { captureOutput, errorTexts } from '../../local/capture-output.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { localTaskHandlers, type TaskName } from '../../local/local-handlers.js';

const start = (world: FakeWorld, extra: Partial<RotationState> = {}): RotationState => ({
  rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6',
  targetName: 'target-1',
  mode: 'rotate',
  startedAt: world.clock.now().toISOString(),
  completed: [],
  warnings: [],
  ...extra,
});

/** Runs the whole lifecycle through the handlers, as the state machine would on the happy path. */
async function runAll(world: FakeWorld) {
  const h = localTaskHandlers(world, { secondsBetweenTasks: 5 });
  const outputs: unknown[] = [];
  let state: unknown = start(world);
  for (const step of [
    'plan',
    'cleanup',
    'create',
    'verify-key',
    'publish',
    'verify-publish',
    'promote',
    'revoke',
  ] as TaskName[]) {
    state = await h[step](state);
    outputs.push(state);
  }
  const report = (await h.report(state)) as TargetReport;
  outputs.push(report);
  const notified = await h.notify({
    executionId: 'local',
    mode: 'rotate',
    startedAt: world.clock.now().toISOString(),
    reports: [report],
  });
  outputs.push(notified);
  return { outputs, report };
}

describe('Lambda handlers', () => {
  it('run the lifecycle end to end and return ids only', async () => {
    const world = new FakeWorld();

    const { result } = await captureOutput(() => runAll(world));

    expect(result?.report.outcome).toBe('rotated');
    expect(world.violations()).toEqual([]);
    const last = result?.outputs[7] as RotationState;
    expect(Object.keys(last).sort()).toEqual(
      [
        'completed',
        'connectionId',
        'mode',
        'newAccessKeyId',
        'oldAccessKeyId',
        'oldKeyStatus',
        'oldVersionId',
        'pendingVersionId',
        'plan',
        'publishedAt',
        'rotationId',
        'startedAt',
        'targetName',
        'warnings',
      ].sort(),
    );
  });

  it('never put a secret in an output or a log line (canary scan)', async () => {
    const world = new FakeWorld();

    const { result, lines } = await captureOutput(() => runAll(world));

    const everything = [...lines, JSON.stringify(result?.outputs)].join('\n');
    for (const secret of [...world.iam.issuedSecrets, 'fake-pat-value-0000000000000000000000000000']) {
      expect(everything).not.toContain(secret);
    }
    expect(lines.length).toBeGreaterThan(5);
  });

  it('put the correlation keys and the Lambda context on every log line', async () => {
    const world = new FakeWorld();
    const h = localTaskHandlers(world);

    const { lines } = await captureOutput(() => h.plan(start(world)));

    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line.rotationId).toBe('7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6');
      expect(line.target).toBe('target-1');
      expect(line.function_name).toBe('ado-key-rotator-plan');
    }
  });

  it("names the run (the parent execution) on every log line of a target's child execution", async () => {
    // Prepare
    const world = new FakeWorld();
    const h = localTaskHandlers(world);
    const parentExecutionId = 'arn:aws:states:eu-west-1:123456789012:execution:ado-key-rotator:weekly-1';

    // Act
    const { result, lines } = await captureOutput(() => h.plan(start(world, { parentExecutionId })));

    // Assess: on every line, and carried on to the next step.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect((JSON.parse(line) as Record<string, unknown>).parentExecutionId).toBe(parentExecutionId);
    expect((result as RotationState).parentExecutionId).toBe(parentExecutionId);
  });

  const invalid: Array<[string, unknown, string]> = [
    [
      'a missing targetName',
      { rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6', mode: 'rotate', startedAt: '2026-11-29T03:00:00Z' },
      'targetName',
    ],
    [
      'a secret-bearing field',
      {
        rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6',
        targetName: 't',
        mode: 'rotate',
        startedAt: '2026-11-29T03:00:00Z',
        secretAccessKey: 'x',
      },
      'secretAccessKey',
    ],
    [
      'an unknown mode',
      {
        rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6',
        targetName: 't',
        mode: 'force',
        startedAt: '2026-11-29T03:00:00Z',
      },
      'mode',
    ],
  ];
  for (const [what, input, field] of invalid) {
    it(`throws InvalidStepInputError naming "${field}" for ${what}, and logs it once`, async () => {
      const world = new FakeWorld();
      const h = localTaskHandlers(world);

      const { error, lines } = await captureOutput(() => h.plan(input));

      expect(error).toMatchObject({ name: 'InvalidStepInputError' });
      expect((error as Error).message).toContain(field);
      expect(lines.filter((l) => l.includes('InvalidStepInputError'))).toHaveLength(1);
      expect(world.faults.calls).toEqual([]);
    });
  }

  it('throws InvalidStepInputError when a later step is called without the field an earlier step sets', async () => {
    const world = new FakeWorld();
    const h = localTaskHandlers(world);

    const { error } = await captureOutput(() => h.publish(start(world)));

    expect(error).toMatchObject({ name: 'InvalidStepInputError' });
    expect((error as Error).message).toContain('connectionId');
  });

  const domainErrors: Array<[TaskName, string, () => Error]> = [
    ['verify-key', 'verifier.verify', () => new KeyNotYetUsableError('not yet')],
    [
      'publish',
      'ado.updateCredential',
      () => new AzureDevOpsCredentialRejectedError('the PAT in parameter /p was rejected'),
    ],
    ['create', 'iam.createKey', () => new AwsAccessDeniedError('not allowed')],
  ];
  for (const [step, call, error] of domainErrors) {
    it(`rethrows ${error().name} from ${step} with its stable name for the state machine`, async () => {
      const world = new FakeWorld({ propagationMs: 0 });
      const h = localTaskHandlers(world);
      let state = start(world);
      for (const s of ['plan', 'cleanup', 'create', 'verify-key', 'publish'] as TaskName[]) {
        if (s === step) break;
        state = (await h[s](state)) as RotationState;
      }
      world.faults.fail(call, error);

      const { error: thrown, lines } = await captureOutput(() => h[step](state));

      expect((thrown as Error).name).toBe(error().name);
      expect(lines.some((l) => l.includes(error().name))).toBe(true);
      for (const text of errorTexts(thrown))
        for (const secret of world.iam.issuedSecrets) expect(text).not.toContain(secret);
    });
  }

  it('reports a refusal from plan without throwing', async () => {
    const world = new FakeWorld();
    world.azureDevOps.connection(world.snapshot().connectionId).type = 'azurerm';
    const h = localTaskHandlers(world);

    const planned = (await captureOutput(() => h.plan(start(world)))).result as RotationState;
    const report = (await captureOutput(() => h.report(planned))).result as TargetReport;

    expect(report.outcome).toBe('refused');
    expect(report.reasonCode).toBe('ConnectionNotAwsError');
  });

  it('notify validates its input and never throws for a Slack failure', async () => {
    const world = new FakeWorld();
    world.notifier.breakWebhook();
    const h = localTaskHandlers(world);

    const bad = await captureOutput(() => h.notify({ mode: 'rotate', startedAt: 'x', reports: [] }));
    const ok = await captureOutput(() =>
      h.notify({ executionId: 'e', mode: 'rotate', startedAt: world.clock.now().toISOString(), reports: [] }),
    );

    expect(bad.error).toMatchObject({ name: 'InvalidStepInputError' });
    expect(ok.result).toMatchObject({ notified: false });
    expect(world.metrics.notificationFailures).toBe(1);
  });
});
