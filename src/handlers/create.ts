import { stepHandler } from './shared/step-handler.js';
import { iamWiring } from '../wiring/aws-iam.wiring.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `create`: Creates the new key and stores it as the pending secret version. */
export const handler = stepHandler('create', [iamWiring, secretsWiring, azureDevOpsWiring]);
