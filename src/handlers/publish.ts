import type { PublishKey } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';

/** Step `publish`: Puts the new key into the service connection, in place. */
export const handler = stepHandler('publish', (c) => c.get<PublishKey>(TOKENS.PublishKey));
