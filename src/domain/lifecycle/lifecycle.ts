import { CANARY_POLICY } from '../canary.js';
import type { RotationMode } from '../model.js';
import type { PlanAction } from '../rotation-state.js';
import type { StepName } from './catalog.js';

/**
 * The per-target lifecycle, described once: the in-process runner (runner.ts) walks it, and the
 * state machine builder (infra/definition.ts) compiles it to ASL, so the two cannot drift.
 *
 * A lifecycle is a graph of named nodes: steps (what a step's failure leads to is its catalog
 * entry's `onFailure`), choices over the rotation state, and waits. Every path ends in `report`;
 * a step whose failure is rolled back goes through `rollback` first. Loops are allowed (a step that
 * polls, a wait, a choice back to the step): the runner bounds them with `maxTransitions`, the
 * state machine with the execution timeout.
 */

/** A test on the rotation state, as both an ASL Choice rule and the runner can evaluate it. */
export type Condition =
  | { kind: 'absent'; field: 'plan.action' }
  | { kind: 'present'; field: 'canary' }
  | { kind: 'canary-completed' }
  | { kind: 'mode-is'; values: readonly RotationMode[] }
  | { kind: 'plan-action-is'; values: readonly PlanAction[] };

export type LifecycleNode =
  | { kind: 'step'; step: StepName; next: string }
  | { kind: 'choice'; rules: readonly { when: Condition; next: string }[]; otherwise: string }
  | { kind: 'wait'; seconds: number; next: string };

export interface Lifecycle {
  /** The first node. */
  start: string;
  /** By node name; a step node is named after its step, a choice or a wait after its question. `end` is not one. */
  nodes: Readonly<Record<string, LifecycleNode>>;
  /** The step every path ends in: a `next` naming it ends the walk. Not a node. */
  end: 'report';
  /** The step a failure whose policy is `rollback` runs before the end. Not a node. */
  rollback: 'rollback';
}

/** The node names that are not steps: also the state machine's state names. */
export const CHOICES = {
  decide: 'rotate or repair?',
  repairOnly: 'repair only?',
  canary: 'canary?',
  canaryDone: 'canary run completed?',
} as const;

/** The wait states' names. */
export const WAITS = { canary: 'wait for the canary run' } as const;

export const TARGET_LIFECYCLE: Lifecycle = {
  start: 'plan',
  end: 'report',
  rollback: 'rollback',
  nodes: {
    plan: { kind: 'step', step: 'plan', next: CHOICES.decide },
    // Rules are tried in order, so a missing plan never reaches a comparison that would fail on it.
    [CHOICES.decide]: {
      kind: 'choice',
      rules: [
        { when: { kind: 'absent', field: 'plan.action' }, next: 'report' },
        { when: { kind: 'mode-is', values: ['dry-run'] }, next: 'report' },
        { when: { kind: 'plan-action-is', values: ['rotate', 'repair'] }, next: 'cleanup' },
      ],
      otherwise: 'report',
    },
    cleanup: { kind: 'step', step: 'cleanup', next: CHOICES.repairOnly },
    [CHOICES.repairOnly]: {
      kind: 'choice',
      rules: [{ when: { kind: 'plan-action-is', values: ['repair'] }, next: 'report' }],
      otherwise: 'create',
    },
    create: { kind: 'step', step: 'create', next: 'verify-key' },
    'verify-key': { kind: 'step', step: 'verify-key', next: 'publish' },
    publish: { kind: 'step', step: 'publish', next: 'verify-publish' },
    'verify-publish': { kind: 'step', step: 'verify-publish', next: CHOICES.canary },
    // Only a target naming a canary pipeline enters these states (the plan sets `canary`).
    [CHOICES.canary]: {
      kind: 'choice',
      rules: [{ when: { kind: 'present', field: 'canary' }, next: 'canary' }],
      otherwise: 'promote',
    },
    canary: { kind: 'step', step: 'canary', next: WAITS.canary },
    // A Wait state between reads, never a Lambda sleeping; check-canary fails once the budget is spent.
    [WAITS.canary]: { kind: 'wait', seconds: CANARY_POLICY.pollSeconds, next: 'check-canary' },
    'check-canary': { kind: 'step', step: 'check-canary', next: CHOICES.canaryDone },
    [CHOICES.canaryDone]: {
      kind: 'choice',
      rules: [{ when: { kind: 'canary-completed' }, next: 'promote' }],
      otherwise: WAITS.canary,
    },
    promote: { kind: 'step', step: 'promote', next: 'revoke' },
    revoke: { kind: 'step', step: 'revoke', next: 'report' },
  },
};

/** Evaluates a condition on the state, as the state machine's Choice rule does. */
export function holds(
  condition: Condition,
  state: { mode: RotationMode; plan?: { action: PlanAction }; canary?: { state?: string } },
): boolean {
  switch (condition.kind) {
    case 'present':
      return state.canary !== undefined;
    case 'canary-completed':
      return state.canary?.state === 'completed';
    case 'absent':
      return state.plan?.action === undefined;
    case 'mode-is':
      return condition.values.includes(state.mode);
    case 'plan-action-is':
      return state.plan !== undefined && condition.values.includes(state.plan.action);
  }
}

/** The node a name refers to; a clear error for a lifecycle that names a node it does not have. */
export function nodeOf(lifecycle: Lifecycle, name: string): LifecycleNode {
  const node = lifecycle.nodes[name];
  if (!node)
    throw new Error(
      `the lifecycle has no node "${name}": every "next" must name one of ${Object.keys(lifecycle.nodes).join(', ')}`,
    );
  return node;
}
