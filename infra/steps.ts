import { STEPS } from '../src/domain/rotation-state.js';

/** One Lambda per step, plus the run-level `notify`. These are also the task state names. */
export const LAMBDA_STEPS = [...STEPS, 'notify'] as const;
export type LambdaStep = (typeof LAMBDA_STEPS)[number];

/** Steps whose failure is rolled back (the state machine catches them into `rollback`). */
export const CAUGHT_INTO_ROLLBACK = ['cleanup', 'create', 'verify-key', 'publish', 'verify-publish', 'promote'] as const satisfies readonly LambdaStep[];
