import { describe, expect, it } from 'vitest';
import { ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../../../src/domain/errors.js';
import {
  LAMBDA_STEPS,
  ROLLED_BACK_STEPS,
  STEP_CATALOG,
  STEPS,
  stepDeclaration,
} from '../../../src/domain/lifecycle/catalog.js';
import { TARGET_LIFECYCLE } from '../../../src/domain/lifecycle/lifecycle.js';
import { USE_CASE_CLASSES } from '../../../src/domain/use-cases/index.js';

describe('Module: step catalog', () => {
  it('lists the steps in lifecycle order, with the run-level notify last', () => {
    expect(LAMBDA_STEPS).toEqual([
      'plan',
      'cleanup',
      'create',
      'verify-key',
      'publish',
      'verify-publish',
      'canary',
      'check-canary',
      'promote',
      'revoke',
      'rollback',
      'report',
      'notify',
    ]);
    expect(STEPS).toEqual(LAMBDA_STEPS.filter((s) => s !== 'notify'));
  });

  it('rolls back exactly the steps that change IAM, the secret or the connection before the old key is retired', () => {
    expect(ROLLED_BACK_STEPS).toEqual([
      'cleanup',
      'create',
      'verify-key',
      'publish',
      'verify-publish',
      'canary',
      'check-canary',
      'promote',
    ]);
    expect(STEP_CATALOG.plan.onFailure).toEqual({ kind: 'report' });
    expect(STEP_CATALOG.revoke.onFailure.kind).toBe('warn');
  });

  it(
    'retries KeyNotYetUsableError in verify-key only, on the key-propagation policy; transient errors ' + 'everywhere',
    () => {
      for (const step of LAMBDA_STEPS) {
        const rules = stepDeclaration(step).retry;
        expect(
          rules.some(
            (r) => r.policy === 'transient' && [...r.errors].sort().join() === [...TRANSIENT_ERROR_NAMES].sort().join(),
          ),
          step,
        ).toBe(true);
        const waits = rules.filter((r) => r.errors.includes(ERROR_NAMES.KeyNotYetUsable));
        expect(
          waits.map((r) => r.policy),
          step,
        ).toEqual(step === 'verify-key' ? ['keyPropagation'] : []);
      }
    },
  );

  it('gives each use case class as many constructor parameters as its entry names ports', () => {
    for (const step of LAMBDA_STEPS) {
      expect(USE_CASE_CLASSES[step].length, step).toBe(stepDeclaration(step).ports.length);
    }
  });

  it('gives every step a distinct use case token and a timeout between 10 s and 15 min', () => {
    const tokens = LAMBDA_STEPS.map((s) => stepDeclaration(s).useCase);
    expect(new Set(tokens).size).toBe(LAMBDA_STEPS.length);
    for (const step of LAMBDA_STEPS) {
      expect(stepDeclaration(step).timeoutSeconds, step).toBeGreaterThanOrEqual(10);
      expect(stepDeclaration(step).timeoutSeconds, step).toBeLessThanOrEqual(900);
    }
  });

  it('places every target step in the lifecycle once: as a node, or as its end or rollback', () => {
    const placed = [
      ...Object.values(TARGET_LIFECYCLE.nodes).flatMap((n) => (n.kind === 'step' ? [n.step] : [])),
      TARGET_LIFECYCLE.end,
      TARGET_LIFECYCLE.rollback,
    ];
    expect([...placed].sort()).toEqual([...STEPS].sort());
  });
});
