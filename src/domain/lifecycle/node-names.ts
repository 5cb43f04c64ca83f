/**
 * The names of the lifecycle's nodes that are not steps (a step's node is named after its step): also
 * the state machine's state names. A module of their own because both the catalog (a step's `next`
 * may name one) and the lifecycle (which defines them) read them.
 */

/** The choices over the rotation state. */
export const CHOICES = {
  decide: 'rotate or repair?',
  repairOnly: 'repair only?',
  canary: 'canary?',
  canaryDone: 'canary run completed?',
} as const;

/** The wait states. */
export const WAITS = { canary: 'wait for the canary run' } as const;
