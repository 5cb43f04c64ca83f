import { stepHandler } from './shared/step-handler.js';
import { iamWiring } from '../wiring/aws-iam.wiring.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `plan`: Plans a target: rotate, repair, skip or refuse. Changes nothing. */
export const handler = stepHandler('plan', [iamWiring, secretsWiring, azureDevOpsWiring]);
