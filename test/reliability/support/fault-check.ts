/**
 * The promises the fault property checks, on a view of a world that both variants can build (the
 * in-memory fakes; the wire stubs and the Azure DevOps stand-in): after every call, "every holder
 * holds an active key that works, never more than two keys"; after every run, failed runs included,
 * "the outcome reported matches the state left, and no key the rotator did not make was deleted";
 * after a run that ended well (or the run that heals a failed one), "all holders and the secret hold
 * the same active key, no pending version, no orphan".
 */
import type { TargetReport } from '../../../src/domain/report.js';
import type { SeededWorld, WorldSpec } from './worlds.js';

export interface HolderView {
  label: string;
  accessKeyId: string | null;
  /** Whether the credential it holds authenticates (a new key still propagating counts as working). */
  works: boolean;
  /** A variable group's other secret variable survived every update. */
  otherSecretKept: boolean;
}

export interface WorldView {
  keys: { accessKeyId: string; status: 'Active' | 'Inactive' }[];
  /** The first is the target's first connection. */
  holders: HolderView[];
  secret: { current: string | null; pending: string | null; previous: string | null };
}

/** Rules that hold at every step. */
export function stepViolations(view: WorldView): string[] {
  const broken: string[] = [];
  for (const holder of view.holders) {
    const key = view.keys.find((k) => k.accessKeyId === holder.accessKeyId);
    if (!key) broken.push(`${holder.label} holds ${holder.accessKeyId}, which IAM does not have`);
    else if (key.status !== 'Active') broken.push(`${holder.label} holds ${key.accessKeyId}, which is inactive`);
    else if (!holder.works) broken.push(`${holder.label}'s secret for ${key.accessKeyId} does not authenticate`);
    if (!holder.otherSecretKept) broken.push(`${holder.label} lost its other secret variable`);
  }
  if (view.keys.length > 2) broken.push(`the user has ${view.keys.length} keys`);
  return broken;
}

/** Rules for a run that ended well: one key everywhere, nothing left over. */
export function finalViolations(view: WorldView, options: { secretMayBeEmpty?: boolean } = {}): string[] {
  const broken = stepViolations(view);
  const held = view.holders[0]?.accessKeyId ?? null;
  for (const holder of view.holders.slice(1)) {
    if (holder.accessKeyId !== held) broken.push(`${holder.label} holds ${holder.accessKeyId}, the connection ${held}`);
  }
  // A first rotation rolled back before its promote leaves the secret as it found it: without a current version.
  if (view.secret.current !== held && !(options.secretMayBeEmpty && view.secret.current === null))
    broken.push(`the secret's current key ${view.secret.current} is not the connection's ${held}`);
  if (view.secret.pending) broken.push(`a pending version (${view.secret.pending}) is left`);
  for (const key of view.keys) {
    // A retired key is inactive (or the secret's previous) until a later run deletes it; anything else is an orphan.
    if (key.accessKeyId !== held && key.accessKeyId !== view.secret.previous && key.status === 'Active')
      broken.push(`active key ${key.accessKeyId} is held by neither the connection nor the secret (orphan)`);
  }
  return broken;
}

/** Keys, statuses, holders and secret labels: equal when a run changed nothing. */
export function fingerprint(view: WorldView): string {
  return JSON.stringify({
    keys: [...view.keys].sort((a, b) => a.accessKeyId.localeCompare(b.accessKeyId)),
    holders: view.holders.map((h) => [h.label, h.accessKeyId]),
    secret: view.secret,
  });
}

/** Keys no run may delete (a person's; one used again after it was retired), and the held key's fate. */
export function deletionViolations(
  before: WorldView,
  after: WorldView,
  seeded: SeededWorld,
  spec: WorldSpec,
  report: TargetReport | undefined,
): string[] {
  const broken: string[] = [];
  const gone = (id: string) =>
    before.keys.some((k) => k.accessKeyId === id) && !after.keys.some((k) => k.accessKeyId === id);
  for (const id of seeded.mustSurvive)
    if (gone(id)) broken.push(`key ${id}, which the rotator did not make, was deleted`);
  // The held key goes only in an emergency rotation that ended with every holder on the new key.
  if (gone(seeded.heldKeyId) && !(spec.mode === 'emergency' && report?.outcome === 'rotated'))
    broken.push(`the held key ${seeded.heldKeyId} was deleted (outcome ${report?.outcome})`);
  return broken;
}

/**
 * Whether the outcome reported matches the state left. Returns the broken rules, and whether the run
 * failed past the plan (then the caller runs the next, healing run and checks `finalViolations` after it).
 */
export function outcomeViolations(
  report: TargetReport,
  before: WorldView,
  after: WorldView,
  seeded: SeededWorld,
  firstRotation: boolean,
): { broken: string[]; needsHealing: boolean } {
  const broken: string[] = [];
  const holdersOn = (id: string | null) => after.holders.every((h) => h.accessKeyId === id);
  const unchanged = fingerprint(before) === fingerprint(after);
  switch (report.outcome) {
    case 'rotated':
      if (report.newAccessKeyId === seeded.heldKeyId || !holdersOn(report.newAccessKeyId))
        broken.push(`reported rotated to ${report.newAccessKeyId}, but the holders hold ${keysHeld(after)}`);
      {
        // A first rotation whose revoke failed (tolerated, and warned about) leaves the old key active with no
        // secret version recording it: the next run refuses it, naming it, and a person decides (a known gap).
        const warned = firstRotation && report.warnings.some((w) => w.includes(seeded.heldKeyId));
        const unrecorded = `active key ${seeded.heldKeyId} is held by neither the connection nor the secret (orphan)`;
        const left = finalViolations(after);
        broken.push(...left.filter((v) => !(warned && v === unrecorded)));
        if (warned && left.includes(unrecorded)) return { broken, needsHealing: true };
      }
      break;
    case 'rolled-back':
      if (report.stateLeft.startsWith('Kept the new key')) {
        // A first rotation: the old credential was never stored, so the new key stays and the old key stays active.
        if (!firstRotation) broken.push('kept the new key, but the secret existed before the run');
        if (!holdersOn(report.newAccessKeyId))
          broken.push(`reported keeping the new key, but the holders hold ${keysHeld(after)}`);
        const oldKey = after.keys.find((k) => k.accessKeyId === seeded.heldKeyId);
        if (oldKey?.status !== 'Active')
          broken.push(`kept the new key, but the old key is ${oldKey?.status ?? 'gone'}`);
        broken.push(...finalViolations(after).filter((v) => !v.startsWith(`active key ${seeded.heldKeyId} `)));
        break;
      }
      if (!holdersOn(seeded.heldKeyId))
        broken.push(`reported rolled back, but the holders hold ${keysHeld(after)}, not ${seeded.heldKeyId}`);
      {
        // Back to the world as it was: leftovers it started with (an aborted run's) may remain, nothing new; the
        // next run must clean them up.
        const options = { secretMayBeEmpty: firstRotation };
        const already = finalViolations(before, options);
        const left = finalViolations(after, options);
        broken.push(...left.filter((v) => !already.includes(v)));
        if (left.length) return { broken, needsHealing: true };
      }
      break;
    case 'repaired':
      if (!holdersOn(seeded.heldKeyId)) broken.push(`reported repaired, but the holders hold ${keysHeld(after)}`);
      broken.push(...finalViolations(after));
      break;
    case 'refused':
    case 'skipped':
      // Nothing was touched: the world may have been inconsistent from the start (that is why it was refused).
      if (!unchanged) broken.push(`reported ${report.outcome}, but the state changed`);
      broken.push(...stepViolations(after));
      break;
    case 'failed':
      broken.push(...stepViolations(after));
      if (report.failure?.step === 'plan') {
        if (!unchanged) broken.push('the plan failed, but the state changed');
        if (!report.stateLeft.startsWith('Unchanged')) broken.push('a failed plan did not report the target unchanged');
        break;
      }
      if (!report.stateLeft.includes('Needs a human')) broken.push('reported failed without saying a human is needed');
      return { broken, needsHealing: true };
    default:
      broken.push(`unexpected outcome ${report.outcome}`);
  }
  return { broken, needsHealing: false };
}

/**
 * After the healing run: everything agrees, except a key no record proves ours (a create whose answer
 * was lost, then a rollback that stopped): the next run refuses, naming it, and a person decides.
 */
export function healedViolations(
  view: WorldView,
  healed: TargetReport | undefined,
  firstRotation: boolean,
  seededHeldKeyId: string,
): string[] {
  // Known gap (issue 17): with no secret before the run, nothing records the key the run replaced; once a
  // failed first rotation published its key, the next run refuses that old key, naming it, and a person decides.
  if (firstRotation && healed?.reasonCode === 'UnknownActiveKeyError' && healed.summary.includes(seededHeldKeyId))
    return stepViolations(view);
  const secretMayBeEmpty = firstRotation && healed?.outcome !== 'rotated';
  // A first rotation may leave the old key active and unrecorded, when it says so (see outcomeViolations).
  const old = healed?.oldAccessKeyId;
  const oldLeftSaid =
    firstRotation &&
    old != null &&
    (healed?.stateLeft.startsWith('Kept the new key') || healed?.warnings.some((w) => w.includes(old)));
  return finalViolations(view, { secretMayBeEmpty })
    .filter(
      (v) => !(oldLeftSaid && v === `active key ${old} is held by neither the connection nor the secret (orphan)`),
    )
    .filter(
      (v) =>
        !(
          healed?.reasonCode === 'UnknownActiveKeyError' &&
          /\(orphan\)$/.test(v) &&
          healed.summary.includes(v.split(' ')[2] as string)
        ),
    );
}

function keysHeld(view: WorldView): string {
  return [...new Set(view.holders.map((h) => h.accessKeyId))].join(', ');
}
