import { stepHandler } from './shared/step-handler.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `check-canary`: Reads the canary run once (the state machine waits between reads). */
export const handler = stepHandler('check-canary', [azureDevOpsWiring]);
