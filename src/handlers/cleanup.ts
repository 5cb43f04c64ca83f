import type { CleanUpKeys } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';

/** Step `cleanup`: Carries out the plan's clean-up so IAM's two-key quota has room. */
export const handler = stepHandler('cleanup', (c) => c.get<CleanUpKeys>(TOKENS.CleanUpKeys));
