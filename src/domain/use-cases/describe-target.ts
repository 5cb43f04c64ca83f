import { iamUserArnOf, iamUserOf, secretOf } from '../accounts.js';
import type { AzureDevOpsPort } from '../../ports/azure-devops.port.js';
import type { ClockPort } from '../../ports/clock.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import type { PipelineRunsPort } from '../../ports/pipeline-runs.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import type { PipelineRunState } from '../holders.js';
import { describeHolder, HolderSet, otherHolders } from '../holder-set.js';
import { credentialExpiry } from '../credential-expiry.js';
import { RotationError } from '../errors.js';
import { RETIRING_ISSUER_HOST } from '../keyless/oidc.js';
import type { AccessKeyStatus } from '../model.js';

const DAY_MS = 86_400_000;

export interface KeyStatusLine {
  accessKeyId: string;
  status: AccessKeyStatus;
  ageDays: number;
  lastUsedAt: string | null;
  heldByConnection: boolean;
  inSecret: boolean;
}

/** What `status` shows for one target: read-only, from IAM, the connection and the secret. */
export interface TargetStatus {
  targetName: string;
  iamUserName: string;
  /** The user's ARN when its account is known (`iamUserArn`, `assumeRole`), else its path and name. */
  iamUser: string;
  connectionName: string;
  connectionId: string | null;
  keys: KeyStatusLine[];
  heldAccessKeyId: string | null;
  secretCurrentAccessKeyId: string | null;
  secretMatchesConnection: boolean;
  /** True when the connection holds a static key that could be replaced by OIDC (AWS Toolkit 1.15+). */
  couldMoveToOidc: boolean;
  usesOidc: boolean;
  /**
   * Every other holder of the key (connections, variable groups): what it holds and whether it matches the connection.
   */
  holders: { label: string; heldAccessKeyId: string | null; matchesConnection: boolean }[];
  /** For a target naming a canary pipeline: its last run (null: it never ran, or it could not be read). */
  canary?: { pipelineId: number; lastRun: PipelineRunState | null };
  /** Things a human should look at; empty when all is well. */
  attention: string[];
}

/** Reads a target's state for the `status` command. Changes nothing; errors become attention lines. */
export class DescribeTarget {
  constructor(
    private readonly targets: TargetsPort,
    private readonly iam: IamAccessKeysPort,
    private readonly secrets: SecretStorePort,
    private readonly azureDevOps: AzureDevOpsPort,
    private readonly clock: ClockPort,
    private readonly variableGroups?: VariableGroupsPort,
    private readonly pipelineRuns?: PipelineRunsPort,
  ) {}

  async execute(targetName: string): Promise<TargetStatus> {
    const target = await this.targets.getTarget(targetName);
    const settings = await this.targets.getSettings();
    const now = this.clock.now();
    const attention: string[] = [];
    const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | null> => {
      try {
        return await read();
      } catch (error) {
        if (!(error instanceof RotationError)) throw error;
        attention.push(`${what}: ${error.name}: ${error.message}`);
        return null;
      }
    };
    const keys = (await attempt('IAM', () => this.iam.listKeys(iamUserOf(target)))) ?? [];
    const connection = await attempt('Azure DevOps', () => this.azureDevOps.findConnection(target.connection));
    const secret = await attempt('Secrets Manager', () => this.secrets.describe(secretOf(target)));
    const held = connection?.heldAccessKeyId ?? null;
    const secretKey = secret?.current?.accessKeyId ?? null;
    const set = new HolderSet(this.azureDevOps, this.variableGroups);
    const holders: TargetStatus['holders'] = [];
    for (const holder of otherHolders(target)) {
      const view = await attempt(describeHolder(holder), () => set.find(holder));
      if (!view) continue;
      holders.push({
        label: view.label,
        heldAccessKeyId: view.heldAccessKeyId,
        matchesConnection: view.heldAccessKeyId === held,
      });
      if (view.problem) attention.push(view.problem.message);
      else if (view.heldAccessKeyId !== held)
        attention.push(`${view.label} holds ${view.heldAccessKeyId ?? 'no key'}, the connection ${held ?? 'nothing'}`);
    }

    const lines = keys.map((k) => ({
      accessKeyId: k.accessKeyId,
      status: k.status,
      ageDays: Math.floor((now.getTime() - k.createdAt.getTime()) / DAY_MS),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      heldByConnection: k.accessKeyId === held,
      inSecret: k.accessKeyId === secretKey,
    }));
    const heldLine = lines.find((k) => k.heldByConnection);
    if (connection?.usesOidc && connection.type.toUpperCase() === 'AWS') {
      // The AWS Toolkit's OIDC tokens come from the Azure DevOps issuer Microsoft is retiring
      // (src/domain/keyless/oidc.ts).
      attention.push(
        `the connection uses OIDC with tokens from ${RETIRING_ISSUER_HOST}, which Microsoft retires on ` +
          `2027-07-01: move its role's trust to the replacement issuer in time (README, "Go keyless")`,
      );
    }
    if (connection && !connection.usesOidc) {
      if (!heldLine) attention.push(`the connection holds ${held ?? 'no key'}, which is not one of the user's keys`);
      else if (heldLine.status !== 'Active')
        attention.push(`the connection holds an inactive key: pipelines cannot authenticate`);
      else if (heldLine.ageDays > settings.minKeyAgeDays + settings.gracePeriodDays) {
        attention.push(`the held key is ${heldLine.ageDays} days old: rotation is overdue`);
      }
    }
    if (secret && !secret.exists)
      attention.push(`secret ${target.secretId} does not exist yet (created on the first rotation)`);
    if (secret?.pending)
      attention.push(
        `a pending secret version ${secret.pending.versionId} exists: a rotation is running or was aborted`,
      );
    if (secret?.exists && connection && secretKey !== held)
      attention.push(`the secret holds ${secretKey ?? 'nothing'}, the connection ${held ?? 'nothing'}`);
    for (const k of lines) {
      if (!k.heldByConnection && k.status === 'Active')
        attention.push(`key ${k.accessKeyId} is active but the connection does not hold it`);
    }
    let canary: TargetStatus['canary'];
    if (target.canary && this.pipelineRuns) {
      const { canary: ref } = target;
      const pipelineRuns = this.pipelineRuns;
      const lastRun = await attempt(`canary pipeline ${ref.pipelineId}`, () => pipelineRuns.lastRun(ref));
      canary = { pipelineId: ref.pipelineId, lastRun };
      if (lastRun?.state === 'completed' && lastRun.result !== 'succeeded')
        attention.push(
          `the last run of canary pipeline ${ref.pipelineId} ${lastRun.result ?? 'ended'}: ${lastRun.webUrl}`,
        );
    }
    const expiry = credentialExpiry(target.connection, now);
    if (expiry?.warning) attention.push(expiry.warning);

    return {
      targetName,
      iamUserName: target.iamUserName,
      iamUser: iamUserArnOf(target) ?? `${target.iamUserPath ?? ''}${target.iamUserName}`,
      connectionName: target.connection.connectionName,
      connectionId: connection?.id ?? null,
      keys: lines,
      heldAccessKeyId: held,
      secretCurrentAccessKeyId: secretKey,
      secretMatchesConnection: secretKey !== null && secretKey === held,
      couldMoveToOidc: connection !== null && !connection.usesOidc && connection.type.toUpperCase() === 'AWS',
      usesOidc: connection?.usesOidc ?? false,
      holders,
      ...(canary ? { canary } : {}),
      attention,
    };
  }
}
