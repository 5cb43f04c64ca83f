import { type LambdaStep, stepDeclaration } from '../domain/lifecycle/catalog.js';
import { TOKENS } from '../ports/tokens.js';
import { iamWiring } from './aws-iam.wiring.js';
import { secretsWiring } from './aws-secrets.wiring.js';
import { stsWiring } from './aws-sts.wiring.js';
import { azureDevOpsWiring } from './azure-devops.wiring.js';
import { metricsWiring, runResultsWiring, slackWiring } from './reporting.wiring.js';
import type { Wiring } from './wiring.js';

export type { Wiring } from './wiring.js';
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

/**
 * The slice that binds each port a use case may take (Targets and Clock are bound by the root).
 * A handler names its slices itself, for its bundle's sake; test/handlers checks them against
 * `slicesFor`, which reads the step's ports from the catalog.
 */
export const SLICE_OF_PORT: ReadonlyMap<symbol, Wiring | null> = new Map<symbol, Wiring | null>([
  [TOKENS.Targets, null],
  [TOKENS.Clock, null],
  [TOKENS.IamAccessKeys, iamWiring],
  [TOKENS.SecretStore, secretsWiring],
  [TOKENS.KeyVerifier, stsWiring],
  [TOKENS.AzureDevOps, azureDevOpsWiring],
  [TOKENS.VariableGroups, azureDevOpsWiring],
  [TOKENS.PipelineRuns, azureDevOpsWiring],
  [TOKENS.Metrics, metricsWiring],
  [TOKENS.Notifier, slackWiring],
  [TOKENS.RunResults, runResultsWiring],
]);

/** The slices a step's container needs: those binding the ports of its catalog entry. */
export function slicesFor(step: LambdaStep): Wiring[] {
  return [
    ...new Set(
      stepDeclaration(step).ports.flatMap((port) => {
        const slice = SLICE_OF_PORT.get(port);
        if (slice === undefined)
          throw new Error(`no wiring slice binds the port ${String(port)} of step ${step}: add it to SLICE_OF_PORT`);
        return slice ? [slice] : [];
      }),
    ),
  ];
}
