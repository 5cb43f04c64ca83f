import { CANARY_POLICY } from '../canary.js';
import type { RotationMode } from '../model.js';
import type { PlanAction } from '../rotation-state.js';
import { STEP_CATALOG, type StepDeclaration, type StepName } from './catalog.js';
import { CHOICES, WAITS } from './node-names.js';

export { CHOICES, WAITS } from './node-names.js';

/**
 * The per-target lifecycle, described once: the in-process runner (runner.ts) walks it, and the
 * state machine builder (infra/definition.ts) compiles it to ASL, so the two cannot drift.
 *
 * A lifecycle is a graph of named nodes: steps, choices over the rotation state, and waits. A step's
 * place is declared with the step, in its catalog entry (`next`; what its failure leads to is its
 * `onFailure`); the branches (choices and waits) are declared here, in `BRANCHES`. Every path ends in `report`;
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

/**
 * The lifecycle's branches: every node that is not a step. The steps' own nodes come from their
 * catalog entries' `next`. A new step in a straight line needs nothing here; a new kind of branch
 * (a choice on another field, a wait) is a change to the lifecycle's shape and is declared here.
 */
export const BRANCHES: Readonly<Record<string, Exclude<LifecycleNode, { kind: 'step' }>>> = {
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
  [CHOICES.repairOnly]: {
    kind: 'choice',
    rules: [{ when: { kind: 'plan-action-is', values: ['repair'] }, next: 'report' }],
    otherwise: 'create',
  },
  // Only a target naming a canary pipeline enters these states (the plan sets `canary`).
  [CHOICES.canary]: {
    kind: 'choice',
    rules: [{ when: { kind: 'present', field: 'canary' }, next: 'canary' }],
    otherwise: 'promote',
  },
  // A Wait state between reads, never a Lambda sleeping; check-canary fails once the budget is spent.
  [WAITS.canary]: { kind: 'wait', seconds: CANARY_POLICY.pollSeconds, next: 'check-canary' },
  [CHOICES.canaryDone]: {
    kind: 'choice',
    rules: [{ when: { kind: 'canary-completed' }, next: 'promote' }],
    otherwise: WAITS.canary,
  },
};

/**
 * A lifecycle from a catalog's steps (each with a `next` is a node) and the branches. The steps
 * come first, in catalog order, then the branches.
 */
export function lifecycleOf(
  catalog: Readonly<Record<string, StepDeclaration>>,
  branches: Readonly<Record<string, LifecycleNode>> = BRANCHES,
  start = 'plan',
): Lifecycle {
  const steps = Object.entries(catalog).flatMap(([step, declaration]): [string, LifecycleNode][] =>
    declaration.scope === 'target' && declaration.next !== undefined
      ? [[step, { kind: 'step', step: step as StepName, next: declaration.next }]]
      : [],
  );
  for (const name of Object.keys(branches)) {
    if (steps.some(([step]) => step === name)) throw new Error(`the lifecycle branch "${name}" is named like a step`);
  }
  return { start, end: 'report', rollback: 'rollback', nodes: { ...Object.fromEntries(steps), ...branches } };
}

/** The rotator's per-target lifecycle: the catalog's steps and `BRANCHES`. */
export const TARGET_LIFECYCLE: Lifecycle = lifecycleOf(STEP_CATALOG);

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
