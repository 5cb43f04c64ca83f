// Over 300 lines: one use case (plan, switch, go back) whose steps share the target's plan and the checks between
// them; splitting it would pass that state between modules.
import { accountOfTarget, iamUserOf, secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { AzureDevOpsInventoryPort } from '../../ports/azure-devops-inventory.port.js';
import type { ClockPort } from '../../ports/clock.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { IamIdentityPort } from '../../ports/iam-identity.port.js';
import type { PipelineRunsPort } from '../../ports/pipeline-runs.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { CanaryRunFailedError, MigrationRefusedError, PublishNotVerifiedError, RotationError } from '../errors.js';
import type { CanaryPipelineRef } from '../holders.js';
import type { AccessKeyCredential, AccessKeyInfo } from '../model.js';
import { describePlan, type MigrationPlan, planMigration } from './migration-plan.js';
import type { OidcSettings } from './oidc.js';

export interface MigrationOptions {
  oidc: OidcSettings;
  /** Change things (`--yes`); otherwise only the plan. */
  apply: boolean;
  /** A role the operator manages (`--role`): used as it is, nothing copied. */
  roleArn?: string;
  /**
   * A pipeline that uses the connection (`--canary-pipeline`): run after the switch; its failure rolls
   * back. Without it, the target's configured `canary` runs, if it names one.
   */
  canaryPipelineId?: number;
  canaryBranch?: string;
  /** For an issuer template naming `{tenantId}`. */
  tenantId?: string;
  /** How long the canary may take, and how often it is polled. Defaults: 20 min, 10 s. */
  canaryTimeoutMs?: number;
  canaryPollMs?: number;
}

export type MigrationOutcome = 'planned' | 'refused' | 'migrated' | 'rolled-back' | 'failed' | 'restored';

/** What one target's migration did: the plan, each action taken, and the state it is left in. */
export interface MigrationReport {
  targetName: string;
  outcome: MigrationOutcome;
  plan: MigrationPlan | null;
  /** The plan as sentences (what `--yes` does / did). */
  steps: string[];
  actions: string[];
  warnings: string[];
  error: { name: string; message: string } | null;
  stateLeft: string;
}

export interface MigrationPorts {
  targets: TargetsPort;
  iam: IamAccessKeysPort;
  identity: IamIdentityPort;
  secrets: SecretStorePort;
  azureDevOps: AzureDevOpsPort;
  inventory: AzureDevOpsInventoryPort;
  clock: ClockPort;
  /** Absent when no canary can be run. */
  pipelineRuns?: PipelineRunsPort;
}

/**
 * Moves one target's connection from an access key to OIDC, in place: the IAM OIDC provider and a
 * role trusted for exactly this connection (with the user's permissions), the connection updated
 * and read back, the canary run, and only then the user's keys deactivated. Any failure after the
 * switch puts the key back into the connection (read back) and says so.
 */
export class MigrateToOidc {
  constructor(private readonly p: MigrationPorts) {}

  async execute(targetName: string, options: MigrationOptions): Promise<MigrationReport> {
    const target = await this.p.targets.getTarget(targetName);
    if (target.assumeRole) {
      // Its user, policies and OIDC provider are in the member account, which the identity port does not reach.
      throw new MigrationRefusedError(
        `target ${targetName}'s IAM user lives in account ${accountOfTarget(target)} (assumeRole): migrate-to-oidc ` +
          "works in the account it runs in only; run it there with that account's credentials and a configuration " +
          'naming the target without assumeRole, or create the role with AdoOidcRole in that account',
        { context: { target: targetName } },
      );
    }
    const settings = await this.p.targets.getSettings();
    const ref = target.connection;
    const found = await this.p.azureDevOps.findConnection(ref);
    const [organization, connection, keys, secret] = await Promise.all([
      this.p.inventory.organization(ref),
      this.p.inventory.describeConnection(ref, found.id),
      this.p.iam.listKeys(iamUserOf(target)),
      this.p.secrets.describe(secretOf(target)),
    ]);
    const userPermissions = await this.p.identity.userPermissions(target.iamUserName);
    // With a role the operator manages, nothing is copied: the user's permissions do not matter.
    const permissions = options.roleArn ? null : userPermissions;
    // `arn:aws:iam::{account}:user/{name}`: an IAM ARN always has its account in the fifth field.
    const account = userPermissions.userArn.split(':')[4] as string;
    const facts = {
      target,
      account,
      organization,
      connection,
      keys,
      secretKeyId: secret.current?.accessKeyId ?? null,
      permissions,
      operatorRoleArn: options.roleArn ?? null,
      oidc: options.oidc,
    };
    const draft = planMigration({
      ...facts,
      provider: null,
      existingRole: null,
      ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    });
    const provider = await this.p.identity.findOidcProvider(draft.issuer);
    const existingRole = options.roleArn ? null : await this.p.identity.getRole(draft.role.name);
    const plan = planMigration({
      ...facts,
      provider,
      existingRole,
      ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    });
    // --canary-pipeline names one in the connection's project; without it, the target's configured canary.
    const branch = options.canaryBranch ? { branch: options.canaryBranch } : {};
    const canaryRef: CanaryPipelineRef | null =
      options.canaryPipelineId !== undefined
        ? {
            organizationUrl: ref.organizationUrl,
            project: ref.project,
            pipelineId: options.canaryPipelineId,
            ...(ref.credentialParameter ? { credentialParameter: ref.credentialParameter } : {}),
            ...(ref.federatedCredential ? { federatedCredential: ref.federatedCredential } : {}),
            ...branch,
          }
        : target.canary
          ? { ...target.canary, ...branch }
          : null;
    const canary = canaryRef ? `${canaryRef.pipelineId}` : null;
    const report = (
      outcome: MigrationOutcome,
      stateLeft: string,
      actions: string[] = [],
      error: unknown = null,
    ): MigrationReport => ({
      targetName,
      outcome,
      plan,
      steps: describePlan(plan, settings.gracePeriodDays, canary),
      actions,
      warnings: plan.warnings,
      error: error ? { name: (error as Error).name, message: (error as Error).message } : null,
      stateLeft,
    });

    if (plan.refusals.length > 0) return report('refused', 'Unchanged: nothing was created or updated.');
    if (!options.apply) return report('planned', 'Unchanged: a dry run (add --yes to migrate).');
    if (canary && !this.p.pipelineRuns)
      throw new Error('a canary pipeline was given but no pipeline-runs adapter is wired');

    const actions: string[] = [];
    // 1. IAM: provider and role. Nothing here affects the connection, so a failure needs no rollback.
    try {
      if (plan.provider.action === 'create')
        actions.push(
          `created the OIDC provider ${await this.p.identity.createOidcProvider(plan.issuer, plan.audience)}`,
        );
      if (plan.provider.action === 'add-audience') {
        await this.p.identity.addAudience(plan.provider.arn, plan.audience);
        actions.push(`added the audience ${plan.audience} to ${plan.provider.arn}`);
      }
      if (plan.role.action === 'create' && plan.role.trustPolicy) {
        await this.p.identity.createRole(
          plan.role.name,
          plan.role.trustPolicy,
          `ado-key-rotator: keyless access for Azure DevOps connection ${connection.name} (${connection.id})`,
        );
        actions.push(`created the role ${plan.role.arn}`);
      }
      // An operator's role has none to copy: the plan takes no permissions for it.
      for (const arn of plan.managedPolicyArns) await this.p.identity.attachRolePolicy(plan.role.name, arn);
      for (const policy of plan.inlinePolicies)
        await this.p.identity.putRolePolicy(plan.role.name, policy.name, policy.document);
      if (plan.managedPolicyArns.length + plan.inlinePolicies.length > 0) {
        actions.push(
          `gave the role the user's ${plan.managedPolicyArns.length} managed and ` +
            `${plan.inlinePolicies.length} inline policies`,
        );
      }
    } catch (error) {
      if (!(error instanceof RotationError)) throw error;
      return report(
        'failed',
        `The connection is unchanged (it still holds its key); IAM is partly set up (` +
          `${actions.join('; ') || 'nothing created'}): fix the cause and re-run, which reuses what exists.`,
        actions,
        error,
      );
    }

    // 2. The way back, read before the connection changes: the secret holds the connection's key.
    const current = secret.current;
    const credential = current ? await this.p.secrets.getVersion(secretOf(target), current.versionId) : null;
    if (!credential || credential.accessKeyId !== connection.heldAccessKeyId) {
      return report(
        'failed',
        'The connection is unchanged: the secret no longer holds its key, so the move could not be undone; run ' +
          'a rotation first.',
        actions,
      );
    }

    // 3. The switch, its read-back and the canary; any failure puts the key back.
    try {
      await this.p.inventory.switchToOidc(ref, connection.id, plan.role.arn);
      const after = await this.p.inventory.describeConnection(ref, connection.id);
      const sameProjects = [...after.projects].sort().join() === [...connection.projects].sort().join();
      if (
        after.auth !== 'oidc' ||
        after.assumeRoleArn !== plan.role.arn ||
        after.id !== connection.id ||
        !sameProjects
      ) {
        throw new PublishNotVerifiedError(
          `after the update, connection ${connection.id} reads ${after.auth} with role ` +
            `${after.assumeRoleArn ?? 'none'} and projects ${after.projects.join(', ')}, not OIDC with ` +
            `${plan.role.arn}`,
        );
      }
      actions.push(
        `switched connection ${connection.id} to OIDC with role ${plan.role.arn} (read back: same id, same ` +
          `${after.projects.length} project(s))`,
      );
      if (canaryRef) actions.push(await this.runCanary(canaryRef, options));
    } catch (error) {
      if (!(error instanceof RotationError)) throw error;
      return this.rollBack(report, actions, error, ref, connection.id, credential, connection.assumeRoleArn);
    }

    // 4. Only now: the keys go, after the same grace period as a rotation.
    const warnings: string[] = [];
    for (const key of plan.keysToDeactivate) {
      try {
        await this.p.iam.setKeyStatus(iamUserOf(target), key, 'Inactive');
        actions.push(
          `deactivated ${key}: delete it after the ${settings.gracePeriodDays}-day grace period (aws iam ` +
            `delete-access-key --user-name ${target.iamUserName} --access-key-id ${key})`,
        );
      } catch (error) {
        if (!(error instanceof RotationError)) throw error;
        warnings.push(
          `could not deactivate ${key} (${error.name}: ${error.message}); the connection no longer uses it: ` +
            `deactivate it by hand`,
        );
      }
    }
    actions.push(`target ${targetName} no longer rotates: remove it from the configuration and redeploy`);
    const done = report(
      'migrated',
      `The connection uses OIDC with ${plan.role.arn}; the user's keys are inactive.`,
      actions,
    );
    return { ...done, warnings: [...done.warnings, ...warnings] };
  }

  /**
   * The way back (`--back`): the key the target's secret holds is reactivated and put back into the
   * connection (`useOIDC` off), then read back. The target must be in the configuration again.
   */
  async back(targetName: string, options: { apply: boolean; roleArn?: string }): Promise<MigrationReport> {
    const target = await this.p.targets.getTarget(targetName);
    const ref = target.connection;
    const found = await this.p.azureDevOps.findConnection(ref);
    const connection = await this.p.inventory.describeConnection(ref, found.id);
    const secret = await this.p.secrets.describe(secretOf(target));
    const credential = secret.current
      ? await this.p.secrets.getVersion(secretOf(target), secret.current.versionId)
      : null;
    const key = credential
      ? (await this.p.iam.listKeys(iamUserOf(target))).find((k) => k.accessKeyId === credential.accessKeyId)
      : undefined;
    const steps = [
      `${key?.status === 'Inactive' ? 'reactivate' : 'keep'} the key ${credential?.accessKeyId ?? '(none)'} ` +
        `the secret ${target.secretId} holds`,
      `put it back into connection ${connection.id} in place (useOIDC off, role to assume ` +
        `${options.roleArn ?? 'none'}); read it back`,
    ];
    const report = (
      outcome: MigrationOutcome,
      stateLeft: string,
      actions: string[] = [],
      error: unknown = null,
    ): MigrationReport => ({
      targetName,
      outcome,
      plan: null,
      steps,
      actions,
      warnings: [],
      error: error ? { name: (error as Error).name, message: (error as Error).message } : null,
      stateLeft,
    });
    const refusal =
      connection.auth !== 'oidc'
        ? `connection ${connection.id} is not on OIDC (${connection.auth}): there is nothing to go back from`
        : !credential || !key
          ? `the secret ${target.secretId} holds ${credential?.accessKeyId ?? 'no key'}, which IAM user ` +
            `${target.iamUserName} no longer has: create a key and put it into the connection by hand`
          : null;
    if (refusal)
      return { ...report('refused', 'Unchanged.'), error: { name: 'MigrationRefusedError', message: refusal } };
    if (!options.apply) return report('planned', 'Unchanged: a dry run (add --yes to go back).');
    const actions: string[] = [];
    // Not refused: the secret's key exists in IAM.
    const usable = credential as AccessKeyCredential;
    const held = key as AccessKeyInfo;
    try {
      if (held.status === 'Inactive') {
        await this.p.iam.setKeyStatus(iamUserOf(target), usable.accessKeyId, 'Active');
        actions.push(`reactivated ${usable.accessKeyId}`);
      }
      await this.p.inventory.restoreKey(ref, connection.id, usable, options.roleArn ?? null);
      const after = await this.p.inventory.describeConnection(ref, connection.id);
      if (after.auth !== 'keys' || after.heldAccessKeyId !== usable.accessKeyId)
        throw new PublishNotVerifiedError(`connection ${connection.id} reads ${after.auth} after the update`);
      actions.push(
        `connection ${connection.id} holds ${usable.accessKeyId} again (read back); the OIDC role and provider ` +
          `are left in place`,
      );
      return report(
        'restored',
        `The connection holds ${usable.accessKeyId}, which is active: add ${targetName} back to the ` +
          `configuration and redeploy so it rotates.`,
        actions,
      );
    } catch (error) {
      if (!(error instanceof RotationError)) throw error;
      return report(
        'failed',
        // The reactivation is the only action a failure can follow.
        `Needs a human: ${actions[0] ?? 'nothing changed'}; the connection may still be on OIDC.`,
        actions,
        error,
      );
    }
  }

  private async runCanary(ref: CanaryPipelineRef, options: MigrationOptions): Promise<string> {
    const runs = this.p.pipelineRuns as PipelineRunsPort;
    const timeout = options.canaryTimeoutMs ?? 20 * 60_000;
    const poll = options.canaryPollMs ?? 10_000;
    const started = this.p.clock.now().getTime();
    let run = await runs.queueRun(ref);
    while (run.state !== 'completed') {
      if (this.p.clock.now().getTime() - started >= timeout) {
        throw new CanaryRunFailedError(
          `canary run ${run.runId} of pipeline ${ref.pipelineId} did not finish within ` +
            `${Math.round(timeout / 60_000)} minutes (${run.webUrl})`,
        );
      }
      await this.p.clock.sleep(poll);
      run = await runs.readRun(ref, run.runId);
    }
    if (run.result !== 'succeeded') {
      throw new CanaryRunFailedError(
        `canary run ${run.runId} of pipeline ${ref.pipelineId} ended ${run.result ?? 'without a result'} with ` +
          `the connection on OIDC (${run.webUrl})`,
      );
    }
    return (
      `canary run ${run.runId} of pipeline ${ref.pipelineId} succeeded with the connection on OIDC (` + `${run.webUrl})`
    );
  }

  private async rollBack(
    report: (outcome: MigrationOutcome, stateLeft: string, actions: string[], error: unknown) => MigrationReport,
    actions: string[],
    cause: RotationError,
    ref: Parameters<AzureDevOpsInventoryPort['restoreKey']>[0],
    connectionId: string,
    credential: AccessKeyCredential,
    previousRoleArn: string | null,
  ): Promise<MigrationReport> {
    try {
      await this.p.inventory.restoreKey(ref, connectionId, credential, previousRoleArn);
      const back = await this.p.inventory.describeConnection(ref, connectionId);
      if (back.auth !== 'keys' || back.heldAccessKeyId !== credential.accessKeyId)
        throw new PublishNotVerifiedError(`connection ${connectionId} reads ${back.auth} after the rollback`);
      actions.push(
        `rolled back: connection ${connectionId} holds ${credential.accessKeyId} again (read back); the keys ` +
          `were not touched`,
      );
      return report(
        'rolled-back',
        `Unchanged for pipelines: the connection holds its key ${credential.accessKeyId} again, which is ` +
          `active; the OIDC provider and role are left for a re-run.`,
        actions,
        cause,
      );
    } catch (error) {
      actions.push(`the rollback failed: ${(error as Error).name}: ${(error as Error).message}`);
      return report(
        'failed',
        `Needs a human: connection ${connectionId} may be on OIDC with a failing role; put the key back by ` +
          `hand or re-run migrate-to-oidc --back.`,
        actions,
        cause,
      );
    }
  }
}
