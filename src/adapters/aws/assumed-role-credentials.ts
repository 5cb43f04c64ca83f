import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';
import { type AccountRoute, accountOfArn, roleArnForStep } from '../../domain/accounts.js';
import { AwsAccessDeniedError, AwsCallFailedError } from '../../domain/errors.js';
import { awsErrorCode, isAccessDenied, mapAwsError, redactedCause } from './aws-errors.js';

/**
 * Temporary credentials for a target in another AWS account: `sts:AssumeRole` on the role its
 * configuration names (`{step}` replaced by the running step, so each step gets only its own
 * role's access), with its external id, signed with the rotator's own credentials (the Lambda role).
 *
 * - One session per role and target, named `ado-key-rotator.{step}.{target}`, so CloudTrail in the
 *   member account says which step touched which target's user.
 * - Cached for its lifetime and refreshed `refreshMarginSeconds` before it expires (a warm Lambda
 *   serves many targets, the CLI many steps); concurrent callers share one AssumeRole call.
 * - The credentials exist only here and inside the SDK clients that sign with them: never in a log
 *   line, an error, a step's output or the state.
 */

/** The SDK's credential identity (`@smithy/types` AwsCredentialIdentity), as a credential provider returns it. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumedRoleOptions {
  /** The running step: `ROTATOR_STEP`, which the construct sets on each function; `operator` in the CLI. */
  step?: () => string;
  now?: () => number;
  /** How long a session lasts (AssumeRole `DurationSeconds`; the role's maximum is at least 3600). */
  durationSeconds?: number;
  /** Refresh this long before expiry, so no call is signed with credentials about to expire. */
  refreshMarginSeconds?: number;
}

/** A role session: what one set of temporary credentials is for. */
export interface RoleSession {
  roleArn: string;
  externalId?: string;
  sessionName: string;
  /** For messages: the step and target that asked. */
  step: string;
  target: string;
}

const cacheKey = (session: RoleSession): string =>
  JSON.stringify([session.roleArn, session.externalId ?? '', session.sessionName]);

export const currentStep = (): string => process.env.ROTATOR_STEP || 'operator';

// RoleSessionName: 2 to 64 characters of [\w+=,.@-].
const sessionName = (step: string, target: string): string =>
  `ado-key-rotator.${step}.${target}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);

export class AssumedRoleCredentials {
  private readonly cache = new Map<string, Promise<TemporaryCredentials>>();
  private readonly step: () => string;
  private readonly now: () => number;
  private readonly durationSeconds: number;
  private readonly marginMs: number;
  /** How many AssumeRole calls were made (tests assert the cache). */
  calls = 0;

  constructor(
    private readonly sts: STSClient,
    options: AssumedRoleOptions = {},
  ) {
    this.step = options.step ?? currentStep;
    this.now = options.now ?? Date.now;
    this.durationSeconds = options.durationSeconds ?? 3600;
    this.marginMs = (options.refreshMarginSeconds ?? 300) * 1000;
  }

  /** The session a route opens for the running step. */
  session(route: AccountRoute): RoleSession {
    const step = this.step();
    return {
      roleArn: roleArnForStep(route.roleArn, step),
      ...(route.externalId ? { externalId: route.externalId } : {}),
      sessionName: sessionName(step, route.target),
      step,
      target: route.target,
    };
  }

  /** A credential provider for the SDK: the cached session, or a new one when it is about to expire. */
  provider(route: AccountRoute): () => Promise<TemporaryCredentials> {
    return () => this.credentials(this.session(route));
  }

  /** Drops a route's cached session (AWS said it expired): the next call assumes the role again. */
  forget(route: AccountRoute): void {
    this.cache.delete(cacheKey(this.session(route)));
  }

  async credentials(session: RoleSession): Promise<TemporaryCredentials> {
    const key = cacheKey(session);
    const cached = this.cache.get(key);
    if (cached) {
      const fresh = await cached.then(
        (c) => (c.expiration.getTime() - this.now() > this.marginMs ? c : undefined),
        () => undefined,
      );
      if (fresh) return fresh;
    }
    const pending = this.assume(session);
    this.cache.set(key, pending);
    // A failed AssumeRole is not cached: the step's retry asks again.
    pending.catch(() => this.cache.get(key) === pending && this.cache.delete(key));
    return pending;
  }

  private async assume(session: RoleSession): Promise<TemporaryCredentials> {
    this.calls++;
    const account = accountOfArn(session.roleArn) ?? 'another account';
    const context = { roleArn: session.roleArn, step: session.step, target: session.target };
    let answer: AssumeRoleCommandOutput;
    try {
      answer = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: session.roleArn,
          RoleSessionName: session.sessionName,
          DurationSeconds: this.durationSeconds,
          ...(session.externalId ? { ExternalId: session.externalId } : {}),
        }),
      );
    } catch (error) {
      const secrets = session.externalId ? [session.externalId] : [];
      if (isAccessDenied(error)) {
        // STS says the same for a role that does not exist, a trust policy that does not name this step's role,
        // and a wrong external id: the message lists all three.
        throw new AwsAccessDeniedError(
          `step ${session.step} could not assume ${session.roleArn} for target ${session.target} ` +
            `(${awsErrorCode(error)}): the role must exist in account ${account} and trust this step's role ` +
            `(deploy AdoKeyRotatorMemberRoles there), the step's role needs sts:AssumeRole on it, and the ` +
            `target's assumeRole.externalId must be the one its trust policy requires`,
          { context, cause: redactedCause(error, secrets) },
        );
      }
      throw mapAwsError(error, {
        action: 'sts:AssumeRole',
        resource: `role ${session.roleArn} (target ${session.target})`,
        context,
        secrets,
      });
    }
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date)) {
      throw new AwsCallFailedError(
        `sts:AssumeRole on ${session.roleArn} (target ${session.target}) answered without complete credentials`,
        { context },
      );
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }
}
