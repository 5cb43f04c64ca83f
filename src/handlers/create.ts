import type { CreateKey } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';

/** Step `create`: Creates the new key and stores it as the pending secret version. */
export const handler = stepHandler('create', (c) => c.get<CreateKey>(TOKENS.CreateKey));
