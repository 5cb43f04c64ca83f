import type { RevokeOldKey } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';

/** Step `revoke`: Deactivates the old key (deletes it in emergency mode). */
export const handler = stepHandler('revoke', (c) => c.get<RevokeOldKey>(TOKENS.RevokeOldKey));
