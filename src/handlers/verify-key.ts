import { stepHandler } from './shared/step-handler.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';
import { stsWiring } from '../wiring/aws-sts.wiring.js';

/** Step `verify-key`: Proves the new key authenticates; throws KeyNotYetUsableError while it propagates. */
export const handler = stepHandler('verify-key', [secretsWiring, stsWiring]);
