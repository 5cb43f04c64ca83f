import { stepHandler } from './shared/step-handler.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';

/** Step `promote`: Makes the pending secret version current. */
export const handler = stepHandler('promote', [secretsWiring]);
