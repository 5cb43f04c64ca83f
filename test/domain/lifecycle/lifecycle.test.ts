import { describe, expect, it } from 'vitest';
import { STEP_CATALOG } from '../../../src/domain/lifecycle/catalog.js';
import {
  BRANCHES,
  holds,
  type Lifecycle,
  lifecycleOf,
  nodeOf,
  TARGET_LIFECYCLE,
} from '../../../src/domain/lifecycle/lifecycle.js';
import type { TargetReport } from '../../../src/domain/report.js';
import type { PlanAction, RotationState } from '../../../src/domain/rotation-state.js';
import { type RotationUseCases, RotationRunner, type StepUseCase } from '../../../src/domain/runner.js';
import { FakeClock } from '../../../local/fakes/fake-clock.js';

/**
 * A lifecycle with a wait-and-poll loop, the shape a canary step takes: plan, and while it says "repair", wait and plan
 * again.
 */
const POLLING: Lifecycle = {
  start: 'plan',
  end: 'report',
  rollback: 'rollback',
  nodes: {
    plan: { kind: 'step', step: 'plan', next: 'still running?' },
    'still running?': {
      kind: 'choice',
      rules: [{ when: { kind: 'plan-action-is', values: ['repair'] }, next: 'wait a bit' }],
      otherwise: 'report',
    },
    'wait a bit': { kind: 'wait', seconds: 30, next: 'plan' },
  },
};

function useCases(actions: PlanAction[], calls: string[]): RotationUseCases {
  const step = (name: string): StepUseCase => ({
    execute: async (state) => {
      calls.push(name);
      return state;
    },
  });
  return {
    plan: {
      execute: async (state: RotationState) => {
        calls.push('plan');
        return { ...state, plan: { action: actions.shift() ?? 'repair', reason: 'r', cleanup: [] } };
      },
    },
    cleanup: step('cleanup'),
    create: step('create'),
    verifyKey: step('verify-key'),
    publish: step('publish'),
    verifyPublish: step('verify-publish'),
    canary: step('canary'),
    checkCanary: step('check-canary'),
    promote: step('promote'),
    revoke: step('revoke'),
    rollback: step('rollback'),
    report: {
      execute: async (state) =>
        ({ targetName: state.targetName, summary: state.plan?.action }) as unknown as TargetReport,
    },
    notify: { execute: async () => ({ notified: true }) },
  };
}

describe('Module: lifecycle', () => {
  it('walks a wait-and-poll loop: waits between polls, leaves it when the choice says so', async () => {
    // Prepare
    const clock = new FakeClock();
    const calls: string[] = [];
    const runner = new RotationRunner(useCases(['repair', 'repair', 'skip'], calls), clock, undefined, POLLING);

    // Act
    const report = await runner.runTarget('app', 'rotate', 'r-1');

    // Assess
    expect(calls).toEqual(['plan', 'plan', 'plan']);
    expect(clock.sleeps).toEqual([30_000, 30_000]);
    expect(report.summary).toBe('skip');
  });

  it('stops a loop that never exits with an error naming the target', async () => {
    // Prepare
    const runner = new RotationRunner(useCases([], []), new FakeClock(), undefined, POLLING);

    // Act
    const outcome = runner.runTarget('app', 'rotate', 'r-1');

    // Assess
    await expect(outcome).rejects.toThrow(
      'the lifecycle of app did not reach "report" in 1000 transitions: a loop without an exit',
    );
  });

  it('names the missing node when a lifecycle points nowhere', async () => {
    // Prepare
    const broken: Lifecycle = { ...POLLING, nodes: { plan: { kind: 'step', step: 'plan', next: 'nowhere' } } };
    const runner = new RotationRunner(useCases(['skip'], []), new FakeClock(), undefined, broken);

    // Act
    const outcome = runner.runTarget('app', 'rotate', 'r-1');

    // Assess
    await expect(outcome).rejects.toThrow('the lifecycle has no node "nowhere": every "next" must name one of plan');
  });

  it('lists every node, comma-separated, when a name refers to none', () => {
    // Act
    const lookup = () => nodeOf(POLLING, 'nowhere');

    // Assess
    expect(lookup).toThrow('every "next" must name one of plan, still running?, wait a bit');
  });

  it('refuses a branch named like a step, naming it', () => {
    // Prepare
    const clash = { ...BRANCHES, publish: { kind: 'wait', seconds: 1, next: 'report' } } as const;

    // Act
    const build = () => lifecycleOf(STEP_CATALOG, clash);

    // Assess
    expect(build).toThrow('the lifecycle branch "publish" is named like a step');
  });

  it('builds the step nodes from the catalog: each step with a next, in catalog order, then the branches', () => {
    // Act
    const lifecycle = lifecycleOf(STEP_CATALOG);

    // Assess
    expect(lifecycle).toEqual(TARGET_LIFECYCLE);
    expect(lifecycle.nodes.create).toEqual({ kind: 'step', step: 'create', next: 'verify-key' });
    expect(lifecycle.nodes.rollback).toBeUndefined();
    expect(Object.keys(lifecycle.nodes).slice(0, 3)).toEqual(['plan', 'cleanup', 'create']);
  });

  it.each([
    [{ kind: 'canary-completed' } as const, {}, false],
    [{ kind: 'canary-completed' } as const, { canary: { state: 'completed' } }, true],
    [{ kind: 'present', field: 'canary' } as const, {}, false],
    [{ kind: 'absent', field: 'plan.action' } as const, {}, true],
    [{ kind: 'absent', field: 'plan.action' } as const, { plan: { action: 'skip' } }, false],
    [{ kind: 'mode-is', values: ['dry-run'] } as const, { mode: 'dry-run' }, true],
    [{ kind: 'mode-is', values: ['dry-run'] } as const, {}, false],
    [{ kind: 'plan-action-is', values: ['rotate', 'repair'] } as const, { plan: { action: 'repair' } }, true],
    [{ kind: 'plan-action-is', values: ['rotate', 'repair'] } as const, { plan: { action: 'skip' } }, false],
    [{ kind: 'plan-action-is', values: ['rotate'] } as const, {}, false],
  ])('evaluates %j on %j as %s', (condition, state, expected) => {
    expect(holds(condition, { mode: 'rotate', ...state } as never)).toBe(expected);
  });

  it('starts at plan and ends every path in the report', () => {
    expect(TARGET_LIFECYCLE.start).toBe('plan');
    const targets = Object.values(TARGET_LIFECYCLE.nodes).flatMap((n) =>
      n.kind === 'choice' ? [...n.rules.map((r) => r.next), n.otherwise] : [n.next],
    );
    for (const target of targets) expect([...Object.keys(TARGET_LIFECYCLE.nodes), 'report']).toContain(target);
  });
});
