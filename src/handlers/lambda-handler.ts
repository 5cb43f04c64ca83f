import { type LambdaStep, STEPS, type StepName } from '../domain/lifecycle/catalog.js';
import type { Wiring } from '../wiring/wiring.js';
import { notifyHandler } from './shared/notify-handler.js';
import { type StepHandler, stepHandler } from './shared/step-handler.js';

export type { StepHandler } from './shared/step-handler.js';

/**
 * The Lambda handler of any catalog step. There is no handler file per step: each Lambda's entry is
 * generated at bundle time from the step catalog (infra/handler-entries.ts), and reads
 *
 *   import { lambdaHandler } from 'src/handlers/lambda-handler.ts';
 *   import { iamWiring } from 'src/wiring/aws-iam.wiring.ts';          // one import per slice
 *   export const handler = lambdaHandler('create', [iamWiring, ...]);
 *
 * with the slices its catalog ports need (src/wiring/slices.ts) imported by name, so its bundle
 * carries only their SDK clients. A target step validates the rotation state and runs its use case;
 * the run-level step (`notify`, scope `run`) reads the Map's results and sends the summary.
 */
export function lambdaHandler(step: LambdaStep, wiring: readonly Wiring[]): StepHandler {
  return isTargetStep(step) ? stepHandler(step, wiring) : notifyHandler(wiring);
}

const isTargetStep = (step: LambdaStep): step is StepName => (STEPS as readonly string[]).includes(step);
