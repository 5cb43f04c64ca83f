import { stepHandler } from './shared/step-handler.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `canary`: Queues a run of the target's canary pipeline. */
export const handler = stepHandler('canary', [azureDevOpsWiring]);
