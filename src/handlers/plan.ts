import type { PlanRotation } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';

/** Step `plan`: Plans a target: rotate, repair, skip or refuse. Changes nothing. */
export const handler = stepHandler('plan', (c) => c.get<PlanRotation>(TOKENS.PlanRotation));
