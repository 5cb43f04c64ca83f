import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { ClockPort } from '../../ports/clock.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { KeyVerifierPort } from '../../ports/key-verifier.port.js';
import type { MetricsPort } from '../../ports/metrics.port.js';
import type { NotifierPort } from '../../ports/notifier.port.js';
import type { PipelineRunsPort } from '../../ports/pipeline-runs.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { RunResultsPort } from '../../ports/run-results.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { TOKENS } from '../../ports/tokens.js';
import { LAMBDA_STEPS, type LambdaStep, stepDeclaration } from '../lifecycle/catalog.js';
import { type RotationUseCases, useCaseKey } from '../runner.js';
import { CleanUpKeys } from './clean-up-keys.js';
import { CreateKey } from './create-key.js';
import { DescribeTarget } from './describe-target.js';
import { NotifyRun } from './notify-run.js';
import { PlanRotation } from './plan-rotation.js';
import { PromoteSecret } from './promote-secret.js';
import { PublishKey } from './publish-key.js';
import { ReportTarget } from './report-target.js';
import { RevokeOldKey } from './revoke-old-key.js';
import { RollBack } from './roll-back.js';
import { CheckCanary, QueueCanary } from './run-canary.js';
import { VerifyKey } from './verify-key.js';
import { VerifyPublish } from './verify-publish.js';

export { CheckCanary, QueueCanary };
export {
  CleanUpKeys,
  CreateKey,
  DescribeTarget,
  NotifyRun,
  PlanRotation,
  PromoteSecret,
  PublishKey,
  ReportTarget,
  RevokeOldKey,
  RollBack,
  VerifyKey,
  VerifyPublish,
};

/** Every port the use cases talk to. */
export interface RotationPorts {
  targets: TargetsPort;
  iam: IamAccessKeysPort;
  verifier: KeyVerifierPort;
  secrets: SecretStorePort;
  azureDevOps: AzureDevOpsPort;
  notifier: NotifierPort;
  metrics: MetricsPort;
  clock: ClockPort;
  /** Where notify reads the children's reports (Distributed Map results); the in-process runner has none. */
  runResults?: RunResultsPort;
  /** Needed only by targets whose key variable groups hold (optional: fakes and tests leave it out). */
  variableGroups?: VariableGroupsPort;
  /** Needed only by targets naming a canary pipeline. */
  pipelineRuns?: PipelineRunsPort;
}

/** The port each token stands for (the catalog names ports by token, as the composition root binds them). */
const PORT_BY_TOKEN: ReadonlyMap<symbol, keyof RotationPorts> = new Map([
  [TOKENS.Targets, 'targets'],
  [TOKENS.IamAccessKeys, 'iam'],
  [TOKENS.KeyVerifier, 'verifier'],
  [TOKENS.SecretStore, 'secrets'],
  [TOKENS.AzureDevOps, 'azureDevOps'],
  [TOKENS.Notifier, 'notifier'],
  [TOKENS.Metrics, 'metrics'],
  [TOKENS.Clock, 'clock'],
  [TOKENS.RunResults, 'runResults'],
  [TOKENS.VariableGroups, 'variableGroups'],
  [TOKENS.PipelineRuns, 'pipelineRuns'],
]);

// biome-ignore lint/suspicious/noExplicitAny: each class takes its own ports; the catalog lists them in order.
type UseCaseClass = new (...ports: any[]) => { execute(input: any): Promise<unknown> };

/**
 * The class of each step's use case (the step catalog, which imports no use case, names its token and
 * its constructor's ports). Typed by the catalog's keys: a step without its class does not compile.
 */
export const USE_CASE_CLASSES: Readonly<Record<LambdaStep, UseCaseClass>> = {
  plan: PlanRotation,
  cleanup: CleanUpKeys,
  create: CreateKey,
  'verify-key': VerifyKey,
  publish: PublishKey,
  'verify-publish': VerifyPublish,
  canary: QueueCanary,
  'check-canary': CheckCanary,
  promote: PromoteSecret,
  revoke: RevokeOldKey,
  rollback: RollBack,
  report: ReportTarget,
  notify: NotifyRun,
};

/** Builds a step's use case from its catalog entry's ports. */
export function buildUseCase(step: LambdaStep, ports: RotationPorts): unknown {
  const args = stepDeclaration(step).ports.map((token) => {
    const port = PORT_BY_TOKEN.get(token);
    if (!port) throw new Error(`step ${step} names a port token ${String(token)} that is not a RotationPorts port`);
    return ports[port];
  });
  return new USE_CASE_CLASSES[step](...args);
}

/** Builds every use case from one set of ports, as the composition root does from the catalog. */
export function buildUseCases(p: RotationPorts): RotationUseCases {
  return Object.fromEntries(LAMBDA_STEPS.map((step) => [useCaseKey(step), buildUseCase(step, p)])) as RotationUseCases;
}
