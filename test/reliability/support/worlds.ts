/**
 * Random starting worlds for the fault property (issue 17, item 7): not only "one 7-day-old key, the
 * secret present", but every kind of state a target can be found in — a first rotation with no secret,
 * the leftovers of an aborted run, a retired key in its grace period, a second active key the rotator made
 * (recorded) or a person made (not), several holders, a canary pipeline and how its run ends.
 *
 * A world is a plain description (`WorldSpec`, shrinkable by fast-check) and a seeding function that
 * builds it, in time order, through a `WorldSeeder` (the in-memory fakes, or the wire stubs and the
 * Azure DevOps stand-in). The seeding writes through the stores' own APIs, so a seeded world is one
 * the real services could hold.
 */
import fc from 'fast-check';

export type SecretSeed = 'present' | 'absent';
/** A key the secret's previous version records (or, without a secret, just an inactive key). */
export type RetiredSeed = 'none' | 'inactive' | 'active-unrevoked' | 'used-after-retired';
/** What an earlier, aborted run left in the secret's AWSPENDING label. */
export type PendingSeed = 'none' | 'unpublished' | 'unpublished-key-gone' | 'published' | 'in-progress';
export type CanarySeed = 'none' | 'pass' | 'fail' | 'cancel' | 'timeout';

export interface WorldSpec {
  /** Age of the key the holders hold (the rotator rotates from 6 days; its grace period is 6 days). */
  heldKeyAgeDays: number;
  secret: SecretSeed;
  retired: RetiredSeed;
  pending: PendingSeed;
  /** An active key with no record: a person made it; the plan must refuse, never delete it. */
  personMadeKey: boolean;
  /** A detail that varies a world without changing its kind: whether the person's key (or the reused
   * retired key) was used, and whether the reused retired key was reactivated. */
  flip: boolean;
  holders: { connections: number; groups: number };
  canary: CanarySeed;
  mode: 'rotate' | 'emergency';
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** IAM allows two keys per user, so a world has at most one key besides the held one. */
function coherent(spec: WorldSpec): WorldSpec {
  const s = { ...spec };
  if (s.secret === 'absent') {
    s.pending = 'none';
    if (s.retired !== 'none') s.retired = 'inactive';
  }
  if (s.pending === 'unpublished' || s.pending === 'in-progress' || s.pending === 'published') {
    s.retired = 'none';
    s.personMadeKey = false;
  }
  if (s.retired !== 'none') s.personMadeKey = false;
  // A published leftover means the holders took the aborted run's key hours ago.
  if (s.pending === 'published') s.heldKeyAgeDays = 0.25;
  return s;
}

export const worldArbitrary: fc.Arbitrary<WorldSpec> = fc
  .record({
    heldKeyAgeDays: fc.constantFrom(1, 7, 7, 30),
    secret: fc.constantFrom<SecretSeed>('present', 'present', 'present', 'absent'),
    retired: fc.constantFrom<RetiredSeed>('none', 'none', 'inactive', 'active-unrevoked', 'used-after-retired'),
    pending: fc.constantFrom<PendingSeed>(
      'none',
      'none',
      'none',
      'unpublished',
      'unpublished-key-gone',
      'published',
      'in-progress',
    ),
    personMadeKey: fc.boolean(),
    flip: fc.boolean(),
    holders: fc.record({ connections: fc.constantFrom(0, 0, 1, 2), groups: fc.constantFrom(0, 0, 1, 2) }),
    canary: fc.constantFrom<CanarySeed>('none', 'none', 'pass', 'pass', 'fail', 'cancel', 'timeout'),
    mode: fc.constantFrom<'rotate' | 'emergency'>('rotate', 'rotate', 'rotate', 'emergency'),
  })
  .map(coherent);

/** The one world the property used to start from, for the example tests. */
export const PLAIN_WORLD: WorldSpec = {
  heldKeyAgeDays: 7,
  secret: 'present',
  retired: 'none',
  pending: 'none',
  personMadeKey: false,
  flip: false,
  holders: { connections: 0, groups: 0 },
  canary: 'none',
  mode: 'rotate',
};

export interface SeedKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What seeding needs from a world: its stores, written through their own APIs, and its clock. */
export interface WorldSeeder {
  /** Sets the world's clock (seeding goes forward in time). */
  setTime(at: Date): void;
  seedKey(options: { createdAt: Date; lastUsedAt: Date | null; status: 'Active' | 'Inactive' }): SeedKey;
  /** Creates the secret with one AWSCURRENT version. */
  seedSecret(key: SeedKey): Promise<void>;
  /** Puts a version under AWSPENDING (the rotator's create step), with this version id. */
  putPending(versionId: string, key: SeedKey): Promise<void>;
  /** Moves AWSCURRENT to a version (the rotator's promote step). */
  promote(versionId: string): Promise<void>;
  /** The target with its first connection holding `key`, then its other holders and its canary. */
  seedTarget(key: SeedKey, spec: WorldSpec): Promise<void>;
}

/** What was seeded: the keys that must survive any run, and the key the holders hold. */
export interface SeededWorld {
  heldKeyId: string;
  /** Keys the rotator did not make (or that someone uses again): no run may delete them. */
  mustSurvive: string[];
}

let versionCounter = 0;
const versionId = () => `00000000-0000-4000-8000-${(++versionCounter).toString(16).padStart(12, '0')}`;

/** Builds `spec` through `seeder`, in time order, ending at `now`. */
export async function seedWorld(seeder: WorldSeeder, spec: WorldSpec, now: Date): Promise<SeededWorld> {
  const t = (msAgo: number) => new Date(now.getTime() - msAgo);
  const heldAt = spec.heldKeyAgeDays * DAY;
  const mustSurvive: string[] = [];

  // 1. Before the held key: the key it replaced (recorded as the secret's version of that time).
  let retired: SeedKey | undefined;
  if (spec.retired !== 'none' || spec.pending === 'published') {
    seeder.setTime(t(heldAt + 90 * DAY));
    const retiredAt = t(heldAt);
    const usedAgain = spec.retired === 'used-after-retired';
    retired = seeder.seedKey({
      createdAt: t(heldAt + 90 * DAY),
      // Used until it was retired, or (someone reactivated it) after its retirement.
      lastUsedAt: usedAgain ? t(HOUR) : retiredAt,
      status: spec.retired === 'inactive' || (usedAgain && spec.flip) ? 'Inactive' : 'Active',
    });
    if (usedAgain) mustSurvive.push(retired.accessKeyId);
    if (spec.secret === 'present') await seeder.seedSecret(retired);
  }

  // 2. The held key, recorded in the secret as a completed rotation would (or a first-time secret).
  seeder.setTime(t(heldAt));
  const held = seeder.seedKey({ createdAt: t(heldAt), lastUsedAt: t(HOUR), status: 'Active' });
  if (spec.secret === 'present') {
    if (!retired) await seeder.seedSecret(held);
    else if (spec.pending === 'published') {
      // An aborted run published its key and died before promoting it.
      await seeder.putPending(versionId(), held);
    } else {
      const id = versionId();
      await seeder.putPending(id, held);
      await seeder.promote(id);
    }
  }

  // 3. An aborted run's key that never reached a holder (its pending version records it).
  if (spec.pending === 'unpublished' || spec.pending === 'unpublished-key-gone' || spec.pending === 'in-progress') {
    const startedAt = t(spec.pending === 'in-progress' ? 30 * 60_000 : 5 * HOUR);
    seeder.setTime(startedAt);
    // "key gone": a later run (or a person) already deleted it; the pending version outlived it.
    const created =
      spec.pending === 'unpublished-key-gone'
        ? { accessKeyId: 'AKIAGONEKEY000000001', secretAccessKey: 'gone/Secret+00000000000000000000000000000' }
        : seeder.seedKey({ createdAt: startedAt, lastUsedAt: null, status: 'Active' });
    await seeder.putPending(versionId(), created);
  }

  // 4. A key a person made yesterday for a new tool: no record says it is the rotator's.
  if (spec.personMadeKey) {
    seeder.setTime(t(DAY));
    const made = seeder.seedKey({ createdAt: t(DAY), lastUsedAt: spec.flip ? t(HOUR) : null, status: 'Active' });
    mustSurvive.push(made.accessKeyId);
  }
  return finish();

  async function finish(): Promise<SeededWorld> {
    seeder.setTime(now);
    await seeder.seedTarget(held, spec);
    return { heldKeyId: held.accessKeyId, mustSurvive };
  }
}
