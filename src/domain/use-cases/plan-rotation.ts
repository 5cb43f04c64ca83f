import { iamUserOf, secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { ClockPort } from '../../ports/clock.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { PipelineRunsPort } from '../../ports/pipeline-runs.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { ConfigurationError, isRefusal } from '../errors.js';
import { extendPlanToHolders } from '../holder-plan.js';
import { describeFirstConnection, HolderSet, otherHolders } from '../holder-set.js';
import { LEAKED_KEY_NOT_HELD, leakedKeysHeld } from '../leak.js';
import { decidePlan } from '../plan.js';
import { markCompleted, type RotationState } from '../rotation-state.js';

/**
 * Step 1: look at IAM, the connection and the secret, and decide. Changes nothing.
 * A refusal reported by a port (user missing, connection not found, PAT rejected...) becomes a
 * `refuse` plan rather than an error, so the run reports it instead of rolling back.
 */
export class PlanRotation {
  constructor(
    private readonly targets: TargetsPort,
    private readonly iam: IamAccessKeysPort,
    private readonly secrets: SecretStorePort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly clock: ClockPort,
    private readonly variableGroups?: VariableGroupsPort,
    private readonly pipelineRuns?: PipelineRunsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    try {
      const target = await this.targets.getTarget(state.targetName);
      // Three independent reads: in parallel, since a cold Lambda pays each service's first call.
      const [settings, keys, connection, secret, others] = await Promise.all([
        this.targets.getSettings(),
        this.iam.listKeys(iamUserOf(target)),
        this.azureDevOps.findConnection(target.connection),
        this.secrets.describe(secretOf(target)),
        // Every other holder of the key (connections, variable groups): a holder that cannot be read refuses the plan.
        new HolderSet(this.azureDevOps, this.variableGroups).findAll(otherHolders(target)),
      ]);
      const holderIds = others.length ? { holderIds: others.map((view) => view.id) } : {};
      // Only a leak run has leaked keys to look for.
      let leaked: string[] | undefined;
      if (state.leak) {
        leaked = leakedKeysHeld(state.leak, keys, connection, secret);
        if (leaked.length === 0) {
          // A leak run covers every target; only those holding a leaked key rotate. The others are untouched.
          const reason = `holds none of the leaked keys (${state.leak.accessKeyIds.join(', ')}); nothing to do`;
          const plan = { action: 'skip' as const, reason, code: LEAKED_KEY_NOT_HELD, cleanup: [] };
          return markCompleted({ ...state, plan, connectionId: connection.id, ...holderIds }, 'plan');
        }
      }
      const first = decidePlan({
        rotationId: state.rotationId,
        mode: state.mode,
        now: this.clock.now(),
        settings,
        keys,
        connection,
        secret,
      });
      const decided = extendPlanToHolders({
        plan: first,
        rotationId: state.rotationId,
        firstLabel: describeFirstConnection(target),
        firstHeld: connection.heldAccessKeyId,
        secret,
        others,
      });
      const plan = leaked ? { ...decided, leakedKeyIds: leaked } : decided;
      // A canary that cannot be read or queued (wrong id, no Build scope) is a refusal now, before anything changes.
      if (target.canary && plan.action === 'rotate') {
        if (!this.pipelineRuns)
          throw new ConfigurationError(
            `target ${target.name} names a canary pipeline, but no pipeline runs client is wired; wire the ` +
              `azure-devops slice`,
          );
        await this.pipelineRuns.readPipeline(target.canary);
        // Queueing needs "Build (Read & execute)": a preview run proves it now, not after the publish.
        await this.pipelineRuns.checkCanQueue(target.canary);
      }
      return markCompleted(
        {
          ...state,
          plan,
          connectionId: connection.id,
          ...holderIds,
          // The lifecycle's "canary?" choice runs the canary only for a target naming one.
          ...(target.canary && plan.action === 'rotate' ? { canary: { pipelineId: target.canary.pipelineId } } : {}),
          ...(connection.heldAccessKeyId ? { oldAccessKeyId: connection.heldAccessKeyId } : {}),
          // The version holding the connection's key once the clean-up ran (a rollback moves AWSCURRENT back to it):
          // the one the clean-up promotes, if it promotes one, else the current one.
          oldVersionId: promotedByCleanup(plan) ?? secret.current?.versionId ?? null,
          ...(secret.exists
            ? {}
            : {
                warnings: [
                  ...state.warnings,
                  `secret ${target.secretId} does not exist yet; it is created with the new key`,
                ],
              }),
        },
        'plan',
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return markCompleted(
        { ...state, plan: { action: 'refuse', reason: error.message, code: error.name, cleanup: [] } },
        'plan',
      );
    }
  }
}

function promotedByCleanup(plan: { cleanup: ReadonlyArray<{ kind: string; versionId?: string }> }): string | undefined {
  return plan.cleanup.find((c) => c.kind === 'promote-pending' || c.kind === 'restore-current')?.versionId;
}
