import { stepHandler } from './shared/step-handler.js';
import { iamWiring } from '../wiring/aws-iam.wiring.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `cleanup`: Carries out the plan's clean-up so IAM's two-key quota has room. */
export const handler = stepHandler('cleanup', [iamWiring, secretsWiring, azureDevOpsWiring]);
