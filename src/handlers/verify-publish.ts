import { stepHandler } from './shared/step-handler.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `verify-publish`: Reads the connection back: it must hold the new key id. */
export const handler = stepHandler('verify-publish', [azureDevOpsWiring]);
