import type { LambdaStep } from '../domain/lifecycle/catalog.js';
import { iamWiring } from './aws-iam.wiring.js';
import { secretsWiring } from './aws-secrets.wiring.js';
import { stsWiring } from './aws-sts.wiring.js';
import { azureDevOpsWiring } from './azure-devops.wiring.js';
import { metricsWiring, runResultsWiring, slackWiring } from './reporting.wiring.js';
import { type SliceName, sliceNamesFor } from './slices.js';
import type { Wiring } from './wiring.js';

export type { Wiring } from './wiring.js';
export { type SliceName, SLICE_MODULES, sliceNamesFor } from './slices.js';
export { azureDevOpsWiring, iamWiring, metricsWiring, runResultsWiring, secretsWiring, slackWiring, stsWiring };

/** Every slice: the CLI, the tests and the demo, which run every step in one process. */
export const ALL_WIRING: readonly Wiring[] = [
  iamWiring,
  secretsWiring,
  stsWiring,
  azureDevOpsWiring,
  metricsWiring,
  slackWiring,
  runResultsWiring,
];

/** Each slice by its name (src/wiring/slices.ts names them as data, for the bundler). */
export const SLICES: Readonly<Record<SliceName, Wiring>> = {
  iam: iamWiring,
  secrets: secretsWiring,
  sts: stsWiring,
  azureDevOps: azureDevOpsWiring,
  metrics: metricsWiring,
  slack: slackWiring,
  runResults: runResultsWiring,
};

/** The slices a step's container needs: those binding the ports of its catalog entry. */
export function slicesFor(step: LambdaStep): Wiring[] {
  return sliceNamesFor(step).map((name) => SLICES[name]);
}
