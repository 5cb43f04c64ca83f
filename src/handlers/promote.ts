import type { PromoteSecret } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';

/** Step `promote`: Makes the pending secret version current. */
export const handler = stepHandler('promote', [secretsWiring], (c) => c.get<PromoteSecret>(TOKENS.PromoteSecret));
