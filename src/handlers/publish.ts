import { stepHandler } from './shared/step-handler.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `publish`: Puts the new key into the service connection, in place. */
export const handler = stepHandler('publish', [secretsWiring, azureDevOpsWiring]);
