import type { RollBack } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';

/** Step `rollback`: Puts the target back as it was before the run. */
export const handler = stepHandler('rollback', (c) => c.get<RollBack>(TOKENS.RollBack));
