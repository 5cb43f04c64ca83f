import type { PromoteSecret } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';

/** Step `promote`: Makes the pending secret version current. */
export const handler = stepHandler('promote', (c) => c.get<PromoteSecret>(TOKENS.PromoteSecret));
