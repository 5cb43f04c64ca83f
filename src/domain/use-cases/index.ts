import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { ClockPort } from '../../ports/clock.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { KeyVerifierPort } from '../../ports/key-verifier.port.js';
import type { MetricsPort } from '../../ports/metrics.port.js';
import type { NotifierPort } from '../../ports/notifier.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { RotationUseCases } from '../runner.js';
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
import { VerifyKey } from './verify-key.js';
import { VerifyPublish } from './verify-publish.js';

export { CleanUpKeys, CreateKey, DescribeTarget, NotifyRun, PlanRotation, PromoteSecret, PublishKey, ReportTarget, RevokeOldKey, RollBack, VerifyKey, VerifyPublish };

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
}

/** Builds every use case from one set of ports (the composition root binds the same constructors). */
export function buildUseCases(p: RotationPorts): RotationUseCases {
  return {
    plan: new PlanRotation(p.targets, p.iam, p.secrets, p.azureDevOps, p.clock),
    cleanup: new CleanUpKeys(p.targets, p.iam, p.secrets, p.azureDevOps),
    create: new CreateKey(p.targets, p.iam, p.secrets, p.azureDevOps),
    verifyKey: new VerifyKey(p.targets, p.secrets, p.verifier),
    publish: new PublishKey(p.targets, p.secrets, p.azureDevOps),
    verifyPublish: new VerifyPublish(p.targets, p.azureDevOps),
    promote: new PromoteSecret(p.targets, p.secrets),
    revoke: new RevokeOldKey(p.targets, p.iam, p.azureDevOps, p.secrets),
    rollback: new RollBack(p.targets, p.iam, p.secrets, p.azureDevOps),
    report: new ReportTarget(p.targets, p.metrics, p.clock),
    notify: new NotifyRun(p.notifier, p.metrics),
  };
}
