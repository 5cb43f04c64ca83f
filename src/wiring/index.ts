import { iamWiring } from './aws-iam.wiring.js';
import { secretsWiring } from './aws-secrets.wiring.js';
import { stsWiring } from './aws-sts.wiring.js';
import { azureDevOpsWiring } from './azure-devops.wiring.js';
import { metricsWiring, runResultsWiring, slackWiring } from './reporting.wiring.js';
import type { Wiring } from './wiring.js';

export type { Wiring } from './wiring.js';
export { azureDevOpsWiring, iamWiring, metricsWiring, runResultsWiring, secretsWiring, slackWiring, stsWiring };

/** Every slice: the CLI, the tests and the demo, which run every step in one process. */
export const ALL_WIRING: readonly Wiring[] = [iamWiring, secretsWiring, stsWiring, azureDevOpsWiring, metricsWiring, slackWiring, runResultsWiring];
