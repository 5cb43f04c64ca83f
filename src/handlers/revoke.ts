import { stepHandler } from './shared/step-handler.js';
import { iamWiring } from '../wiring/aws-iam.wiring.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';

/** Step `revoke`: Deactivates the old key (deletes it in emergency mode). */
export const handler = stepHandler('revoke', [iamWiring, azureDevOpsWiring, secretsWiring]);
