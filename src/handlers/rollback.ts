import { stepHandler } from './shared/step-handler.js';
import { iamWiring } from '../wiring/aws-iam.wiring.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `rollback`: Puts the target back as it was before the run. */
export const handler = stepHandler('rollback', [iamWiring, secretsWiring, azureDevOpsWiring]);
