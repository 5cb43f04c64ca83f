import { describe, expect, it } from 'vitest';
import { LAMBDA_STEPS, type LambdaStep } from '../../../src/domain/lifecycle/catalog.js';
import {
  buildUseCase,
  buildUseCases,
  CheckCanary,
  CleanUpKeys,
  CreateKey,
  NotifyRun,
  PlanRotation,
  PromoteSecret,
  PublishKey,
  QueueCanary,
  ReportTarget,
  RevokeOldKey,
  RollBack,
  type RotationPorts,
  USE_CASE_CLASSES,
  VerifyKey,
  VerifyPublish,
} from '../../../src/domain/use-cases/index.js';

/**
 * The step catalog names each use case's ports by token, in the order its constructor takes them; esbuild emits no
 * decorator metadata, so nothing else checks that order. Each port here is a distinct object: a port handed to the
 * wrong parameter, or a token mapped to the wrong port, makes the built use case differ from the one built by hand.
 */
const PORT_NAMES = [
  'targets',
  'iam',
  'verifier',
  'secrets',
  'azureDevOps',
  'notifier',
  'metrics',
  'clock',
  'runResults',
  'variableGroups',
  'pipelineRuns',
] as const;
const p = Object.fromEntries(PORT_NAMES.map((name) => [name, { port: name }])) as unknown as Required<RotationPorts>;

/** Each use case as a person would build it from its constructor's signature. */
const BY_HAND: Record<LambdaStep, () => unknown> = {
  plan: () => new PlanRotation(p.targets, p.iam, p.secrets, p.azureDevOps, p.clock, p.variableGroups, p.pipelineRuns),
  cleanup: () => new CleanUpKeys(p.targets, p.iam, p.secrets, p.azureDevOps, p.variableGroups),
  create: () => new CreateKey(p.targets, p.iam, p.secrets, p.azureDevOps, p.variableGroups),
  'verify-key': () => new VerifyKey(p.targets, p.secrets, p.verifier),
  publish: () => new PublishKey(p.targets, p.secrets, p.azureDevOps, p.clock, p.variableGroups),
  'verify-publish': () => new VerifyPublish(p.targets, p.azureDevOps, p.variableGroups),
  canary: () => new QueueCanary(p.targets, p.clock, p.pipelineRuns),
  'check-canary': () => new CheckCanary(p.targets, p.clock, p.pipelineRuns),
  promote: () => new PromoteSecret(p.targets, p.secrets),
  revoke: () => new RevokeOldKey(p.targets, p.iam, p.azureDevOps, p.secrets, p.variableGroups),
  rollback: () => new RollBack(p.targets, p.iam, p.secrets, p.azureDevOps, p.variableGroups),
  report: () => new ReportTarget(p.targets, p.metrics, p.clock),
  notify: () => new NotifyRun(p.notifier, p.metrics, p.runResults),
};

describe('Function: buildUseCase', () => {
  it.each(LAMBDA_STEPS)('builds the %s use case with each catalog port in its constructor place', (step) => {
    // Prepare
    const expected = BY_HAND[step]();

    // Act
    const built = buildUseCase(step, p);

    // Assess
    expect(built).toBeInstanceOf(USE_CASE_CLASSES[step]);
    expect(built).toEqual(expected);
  });

  it('tells ports apart: the same use case built with two ports swapped is not equal', () => {
    // Prepare (a check on the check: the ports above are distinct, so a swap shows)
    const swapped = new VerifyKey(p.targets, p.verifier as never, p.secrets as never);

    // Act
    const built = buildUseCase('verify-key', p);

    // Assess
    expect(built).not.toEqual(swapped);
  });
});

describe('Function: buildUseCases', () => {
  it('builds one use case per step, keyed as the runner looks them up', () => {
    // Act
    const useCases = buildUseCases(p) as unknown as Record<string, unknown>;

    // Assess
    expect(Object.keys(useCases)).toEqual([
      'plan',
      'cleanup',
      'create',
      'verifyKey',
      'publish',
      'verifyPublish',
      'canary',
      'checkCanary',
      'promote',
      'revoke',
      'rollback',
      'report',
      'notify',
    ]);
    expect(useCases.verifyPublish).toEqual(BY_HAND['verify-publish']());
    expect(useCases.checkCanary).toEqual(BY_HAND['check-canary']());
  });
});
