import {
  ConnectionNotAwsError,
  ConnectionUsesOidcError,
  HeldKeyInactiveError,
  HeldKeyUnknownError,
  RetiredKeyInUseError,
  RotationInProgressError,
  SecretHoldsUnknownKeyError,
  UnknownActiveKeyError,
} from './errors.js';
import type { AccessKeyInfo, ConnectionState, RotationMode, RotationSettings, SecretState } from './model.js';
import type { CleanupAction, Plan } from './rotation-state.js';

const DAY_MS = 86_400_000;

/** Everything the plan decides from, as the ports reported it. */
export interface PlanFacts {
  rotationId: string;
  mode: RotationMode;
  now: Date;
  settings: RotationSettings;
  keys: AccessKeyInfo[];
  connection: ConnectionState;
  secret: SecretState;
}

const refuse = (error: { name: string; message: string }, heldKeyAgeDays?: number): Plan => ({
  action: 'refuse',
  reason: error.message,
  code: error.name,
  cleanup: [],
  ...(heldKeyAgeDays === undefined ? {} : { heldKeyAgeDays }),
});

const ageInDays = (from: Date, now: Date): number => Math.floor(((now.getTime() - from.getTime()) / DAY_MS) * 10) / 10;

/** When a key was used after `since` (ms), or null: an inactive key cannot be, so it was reactivated meanwhile. */
const usedAfter = (key: AccessKeyInfo, since: number): Date | null =>
  key.lastUsedAt !== null && key.lastUsedAt.getTime() > since ? key.lastUsedAt : null;

const unexplained = (key: AccessKeyInfo): string =>
  key.lastUsedAt === null
    ? `the IAM user has an active key ${key.accessKeyId}, created ${key.createdAt.toISOString()} and never ` +
      `used, that neither the connection nor the secret holds and that no rotation recorded; the rotator ` +
      `deletes only keys it can prove it made, so a person must decide: delete it by hand if it is a leftover, ` +
      `or leave the target out until it is in use`
    : `the IAM user has an active key ${key.accessKeyId} that neither the connection nor the secret holds and ` +
      `that was last used ${key.lastUsedAt.toISOString()}; find out who uses it, then delete or deactivate it by hand`;

/**
 * Decides what a run does for one target. Pure: the same facts give the same plan.
 *
 * Order matters: refusals that mean "this is not ours to touch" come first, then leftovers of
 * an aborted run, then the keys nobody holds, and only then the age check.
 */
export function decidePlan(facts: PlanFacts): Plan {
  const { connection, keys, secret, settings, now, mode, rotationId } = facts;
  const where = `connection "${connection.name}" (${connection.id})`;

  if (connection.type.toUpperCase() !== 'AWS') {
    return refuse(
      new ConnectionNotAwsError(`${where} is of type "${connection.type}", not AWS; check the target's connectionName`),
    );
  }
  if (connection.usesOidc) {
    return refuse(
      new ConnectionUsesOidcError(
        `${where} uses OIDC: it holds no static key, so there is nothing to rotate (it is already keyless); ` +
          `remove it from the targets`,
      ),
    );
  }

  const held = connection.heldAccessKeyId;
  const heldKey = keys.find((k) => k.accessKeyId === held);
  if (!held || !heldKey) {
    return refuse(
      new HeldKeyUnknownError(
        `${where} holds ${held ? `access key ${held}` : 'no access key id'}, which is not one of the IAM ` +
          `user's keys (${keys.map((k) => k.accessKeyId).join(', ') || 'none'}); set the connection to a valid ` +
          `key by hand, then re-run`,
      ),
    );
  }
  const heldKeyAgeDays = ageInDays(heldKey.createdAt, now);
  if (heldKey.status !== 'Active') {
    return refuse(
      new HeldKeyInactiveError(
        `${where} holds access key ${held}, which is inactive: its pipelines cannot authenticate; reactivate ` +
          `the key or fix the connection by hand`,
      ),
      heldKeyAgeDays,
    );
  }

  const warnings: string[] = [];
  const cleanup: CleanupAction[] = [];
  const deleting = new Set<string>();
  // Called once per key: the aborted run's key before the loop, which skips the keys already being deleted.
  const deleteKey = (accessKeyId: string, reason: string) => {
    cleanup.push({ kind: 'delete-key', accessKeyId, reason });
    deleting.add(accessKeyId);
  };

  const current = secret.current;
  if (current && !keys.some((k) => k.accessKeyId === current.accessKeyId)) {
    return refuse(
      new SecretHoldsUnknownKeyError(
        `the secret's current version ${current.versionId} holds access key ` +
          `${current.accessKeyId}, which the IAM user does not have; put the connection's key ${held} ` +
          `in the secret or delete the secret, then re-run`,
      ),
      heldKeyAgeDays,
    );
  }
  if (current && current.accessKeyId !== held) {
    warnings.push(`the secret held ${current.accessKeyId}, not the connection's key ${held}`);
  }

  // Leftovers of another rotation: its pending version.
  const pending = secret.pending;
  const window = settings.inProgressTimeoutMinutes * 60_000;
  if (pending && pending.versionId !== rotationId) {
    const pendingAgeMinutes = (now.getTime() - pending.createdAt.getTime()) / 60_000;
    if (pendingAgeMinutes < settings.inProgressTimeoutMinutes) {
      return refuse(
        new RotationInProgressError(
          `another rotation (${pending.versionId}) of this target started ${Math.round(pendingAgeMinutes)} ` +
            `minutes ago and has not finished; wait for it, or re-run after ` +
            `${settings.inProgressTimeoutMinutes} minutes to clean it up`,
        ),
        heldKeyAgeDays,
      );
    }
    if (pending.accessKeyId === held) {
      // The aborted run published its key and died before promoting: finish its job.
      cleanup.push({
        kind: 'promote-pending',
        versionId: pending.versionId,
        reason:
          `an aborted rotation published ${held} but never promoted it; promoting it so the secret ` +
          `matches the connection`,
      });
    } else {
      const pendingKey = keys.find((k) => k.accessKeyId === pending.accessKeyId);
      // Provably ours (the pending version records it) and provably dead: not used after its run could have ended.
      const usedSinceRun = pendingKey ? usedAfter(pendingKey, pending.createdAt.getTime() + window) : null;
      if (usedSinceRun) {
        return refuse(
          new UnknownActiveKeyError(
            `key ${pending.accessKeyId} of an aborted rotation (${pending.versionId}) was never published, ` +
              `but was used ${usedSinceRun.toISOString()}, after that rotation had ended; find out ` +
              `who uses it, then delete it and the pending version by hand`,
          ),
          heldKeyAgeDays,
        );
      }
      // The key first: the pending version is the record that proves it ours, so it must outlive the key (a
      // clean-up stopped in between leaves the next run that proof).
      if (pendingKey)
        deleteKey(pendingKey.accessKeyId, `key ${pendingKey.accessKeyId} of an aborted rotation, never published`);
      cleanup.push({
        kind: 'drop-pending',
        versionId: pending.versionId,
        reason: `an aborted rotation left pending version ${pending.versionId}`,
      });
    }
  }

  const promotingPending = cleanup.some((c) => c.kind === 'promote-pending');
  if (!promotingPending && current && current.accessKeyId !== held && secret.previous?.accessKeyId === held) {
    // A rollback that stopped after putting the old key back into the connection, before the secret.
    cleanup.push({
      kind: 'restore-current',
      versionId: secret.previous.versionId,
      reason:
        `the secret's current version holds ${current.accessKeyId}, which the connection does ` +
        `not; moving it back to version ${secret.previous.versionId}, which holds the connection's key ${held}`,
    });
  }

  // The keys the connection does not hold. A key a secret version records is the rotator's (only it
  // writes the secret); it was retired once the later of its version and the held key's rotation ended.
  const graceElapsed = now.getTime() - heldKey.createdAt.getTime() >= settings.gracePeriodDays * DAY_MS;
  const recorded = new Map<string, number>();
  // The held key's entry, if a version records it, is never read: the loop skips the held key.
  for (const version of [secret.previous, current]) {
    if (version) recorded.set(version.accessKeyId, version.createdAt.getTime());
  }
  let retiredInGrace: AccessKeyInfo | undefined;
  let kept: { key: AccessKeyInfo; usedAt: Date } | undefined;
  for (const key of keys) {
    if (key.accessKeyId === held || deleting.has(key.accessKeyId)) continue;
    const retired = key.status === 'Inactive' || recorded.has(key.accessKeyId);
    const retiredBy = Math.max(heldKey.createdAt.getTime(), recorded.get(key.accessKeyId) ?? 0) + window;
    if (!retired) {
      if (key.accessKeyId === pending?.accessKeyId && key.lastUsedAt === null) {
        // This run's own pending version records it (a re-planned run): provably ours, never used.
        deleteKey(
          key.accessKeyId,
          `orphan key ${key.accessKeyId}: active, never used, held by neither the connection nor the secret (a ` +
            `create whose answer was lost)`,
        );
        continue;
      }
      // Not the held key, not the secret's, not a pending version's: nothing proves the rotator made it.
      return refuse(new UnknownActiveKeyError(unexplained(key)), heldKeyAgeDays);
    }
    const usedSinceRetired = usedAfter(key, retiredBy);
    if (usedSinceRetired) {
      // Reactivated and used again: someone relies on it. Not ours to delete.
      kept = { key, usedAt: usedSinceRetired };
      warnings.push(
        `old key ${key.accessKeyId} is ${key.status === 'Active' ? 'active' : 'inactive'} and was used ` +
          `${usedSinceRetired.toISOString()}, after it was retired; it is kept`,
      );
    } else if (key.status === 'Active' && mode !== 'emergency') {
      // Its rotation could not deactivate it (a revoke failure): finish that now; its grace starts again.
      cleanup.push({
        kind: 'deactivate-key',
        accessKeyId: key.accessKeyId,
        reason: `old key ${key.accessKeyId} was retired but is still active and unused since; deactivating it`,
      });
      retiredInGrace = key;
    } else if (graceElapsed || mode === 'emergency') {
      deleteKey(
        key.accessKeyId,
        `old key ${key.accessKeyId} is past its ${settings.gracePeriodDays}-day grace period and unused since ` +
          `it was retired`,
      );
    } else {
      retiredInGrace = key;
    }
  }

  if (kept && (mode === 'emergency' || heldKeyAgeDays >= settings.minKeyAgeDays)) {
    const { key, usedAt } = kept;
    return refuse(
      new RetiredKeyInUseError(
        `old key ${key.accessKeyId} was retired but is ${key.status === 'Active' ? 'active' : 'inactive'} ` +
          `and was used ${usedAt.toISOString()}, after its retirement; it is kept, and IAM allows ` +
          `only two keys, so key ${held} cannot be rotated: move whoever uses ${key.accessKeyId} to the ` +
          `connection's key, then delete ${key.accessKeyId} by hand`,
      ),
      heldKeyAgeDays,
    );
  }

  const due = mode === 'emergency' || heldKeyAgeDays >= settings.minKeyAgeDays;
  const base = { cleanup, heldKeyAgeDays };
  const note = warnings.length ? ` (${warnings.join('; ')})` : '';

  if (!due) {
    if (cleanup.length) {
      return {
        action: 'repair',
        reason: `${cleanup.map((c) => c.reason).join('; ')}; key ${held} is ${heldKeyAgeDays} days old, not due${note}`,
        ...base,
      };
    }
    return {
      action: 'skip',
      reason: `key ${held} is ${heldKeyAgeDays} days old; it is rotated from ${settings.minKeyAgeDays} days${note}`,
      ...base,
    };
  }
  if (retiredInGrace) {
    const until = new Date(heldKey.createdAt.getTime() + settings.gracePeriodDays * DAY_MS);
    return {
      action: cleanup.length ? 'repair' : 'skip',
      reason:
        `old key ${retiredInGrace.accessKeyId} is in its grace period until ${until.toISOString()} and ` +
        `IAM allows only two keys; rotation waits (use emergency mode to force)${note}`,
      ...base,
    };
  }
  const reason =
    mode === 'emergency'
      ? `emergency rotation of ${held}; the old key is deleted at once`
      : `key ${held} is ${heldKeyAgeDays} days old (rotated from ${settings.minKeyAgeDays} days)`;
  return { action: 'rotate', reason: `${reason}${note}`, ...base };
}

/**
 * Keys only a lost `CreateAccessKey` answer of this run can have left: active, never used, created
 * since the run started (a minute of clock skew allowed), and held by neither the connection nor
 * the secret. Used by the create step (to make room) and by the rollback (to leave nothing behind).
 */
export function orphansOfRun(
  keys: AccessKeyInfo[],
  startedAt: string,
  keep: ReadonlyArray<string | null | undefined>,
): AccessKeyInfo[] {
  const since = Date.parse(startedAt) - 60_000;
  return keys.filter(
    (k) =>
      !keep.includes(k.accessKeyId) && k.status === 'Active' && k.lastUsedAt === null && k.createdAt.getTime() >= since,
  );
}
