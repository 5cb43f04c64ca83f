import { type LambdaStep, stepDeclaration } from '../domain/lifecycle/catalog.js';
import { TOKENS } from '../ports/tokens.js';

/**
 * The wiring slices by name, as data: the module each one is exported from and its export name. A
 * step's handler entry (infra/handler-entries.ts, generated at bundle time from the step catalog)
 * imports exactly the slices its catalog ports need, so its bundle carries no other SDK client. This
 * module imports no slice (no SDK), so the bundler and the construct can read it; `src/wiring/index.ts`
 * maps the names to the slices themselves (test/wiring checks the two agree).
 */
export const SLICE_MODULES = {
  iam: { module: 'aws-iam.wiring', exportName: 'iamWiring' },
  secrets: { module: 'aws-secrets.wiring', exportName: 'secretsWiring' },
  sts: { module: 'aws-sts.wiring', exportName: 'stsWiring' },
  azureDevOps: { module: 'azure-devops.wiring', exportName: 'azureDevOpsWiring' },
  metrics: { module: 'reporting.wiring', exportName: 'metricsWiring' },
  slack: { module: 'reporting.wiring', exportName: 'slackWiring' },
  runResults: { module: 'reporting.wiring', exportName: 'runResultsWiring' },
} as const;

export type SliceName = keyof typeof SLICE_MODULES;

/** The slice that binds each port a use case may take (`null`: Targets and Clock, bound by the root itself). */
export const SLICE_OF_PORT: ReadonlyMap<symbol, SliceName | null> = new Map<symbol, SliceName | null>([
  [TOKENS.Targets, null],
  [TOKENS.Clock, null],
  [TOKENS.IamAccessKeys, 'iam'],
  [TOKENS.SecretStore, 'secrets'],
  [TOKENS.KeyVerifier, 'sts'],
  [TOKENS.AzureDevOps, 'azureDevOps'],
  [TOKENS.VariableGroups, 'azureDevOps'],
  [TOKENS.PipelineRuns, 'azureDevOps'],
  [TOKENS.Metrics, 'metrics'],
  [TOKENS.Notifier, 'slack'],
  [TOKENS.RunResults, 'runResults'],
]);

/** The slices a step's container needs: those binding the ports its catalog entry names, in order, once each. */
export function sliceNamesFor(step: LambdaStep): SliceName[] {
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
