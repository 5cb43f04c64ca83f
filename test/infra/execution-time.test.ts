import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  expectedTargetMs,
  modelledTaskMs,
  REMOTE_CALLS,
  retryBudgetMs,
  retryDelayMs,
  TIME_MODEL,
} from '../../infra/execution-time.js';
import { LAMBDA_STEPS } from '../../src/domain/lifecycle/catalog.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
type Measured = { awsCalls: number; azureDevOpsCalls: number; time: { p90: number } };
const measured = (
  JSON.parse(readFileSync(path.join(ROOT, 'bench', 'results.json'), 'utf8')) as {
    warmDurations: { steps: Record<string, Measured> };
  }
).warmDurations.steps;

describe('The time model', () => {
  it("counts each step's remote calls as the bench measured them on the wire", () => {
    // Prepare / Act: notify is left out (the bench gives it the reports inline: no S3 read, no Slack post).
    const steps = Object.keys(measured).filter((step) => step !== 'notify');

    // Assess
    expect(steps.length).toBeGreaterThanOrEqual(8);
    for (const step of steps) {
      const calls = REMOTE_CALLS[step as keyof typeof REMOTE_CALLS];
      expect({ step, aws: calls.aws, azureDevOps: calls.azureDevOps }).toEqual({
        step,
        aws: measured[step]?.awsCalls,
        azureDevOps: measured[step]?.azureDevOpsCalls,
      });
    }
  });

  it('models every step above its measured loopback p90 (the network the loopback figure does not show)', () => {
    // Prepare / Act / Assess
    for (const step of LAMBDA_STEPS) {
      const loopback = measured[step]?.time.p90 ?? 0;
      expect(modelledTaskMs(step), step).toBeGreaterThan(loopback);
      expect(modelledTaskMs(step)).toBe(
        TIME_MODEL.invokeMs +
          REMOTE_CALLS[step].aws * TIME_MODEL.awsCallMs +
          REMOTE_CALLS[step].azureDevOps * TIME_MODEL.azureDevOpsCallMs,
      );
    }
  });

  it('computes a retry interval as Step Functions does: IntervalSeconds × BackoffRate^(n-1), capped, jittered', () => {
    // Prepare
    const retrier = { IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 4, MaxDelaySeconds: 5 };

    // Act / Assess
    expect([1, 2, 3, 4].map((n) => retryDelayMs(retrier, n).high)).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(retryDelayMs({ ...retrier, JitterStrategy: 'FULL' }, 3)).toEqual({ low: 0, expected: 2_000, high: 4_000 });
    expect(retryBudgetMs(retrier)).toBe(12_000);
    // ASL's defaults: 1 s, rate 2, 3 retries.
    expect(retryBudgetMs({})).toBe(7_000);
  });

  it('projects one rotation as its steps, its choices and one verify-key retry', () => {
    // Prepare
    const steps = [
      'plan',
      'cleanup',
      'create',
      'verify-key',
      'publish',
      'verify-publish',
      'promote',
      'revoke',
    ] as const;
    const choices = 3; // rotate or repair?, repair only?, canary?

    // Act
    const expected = expectedTargetMs();

    // Assess
    const tasks = steps.reduce((sum, step) => sum + modelledTaskMs(step), 0) + modelledTaskMs('report');
    expect(expected).toBe(tasks + choices * TIME_MODEL.transitionMs + 1_000 + modelledTaskMs('verify-key'));
  });
});
