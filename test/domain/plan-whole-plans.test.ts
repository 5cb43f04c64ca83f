/**
 * Over 300 lines on purpose: one table row per branch and boundary of decidePlan: splitting the table would split the
 * rules it pins.
 *
 * The plan's decisions pinned whole (action, reason, code, clean-up and key age), one row per
 * branch and per boundary (a day's age, the grace period, the in-progress timeout, a minute of
 * clock skew). Added from the mutants Stryker found surviving in plan.ts.
 */
import { describe, expect, it } from 'vitest';
import { type AccessKeyInfo, DEFAULT_SETTINGS } from '../../src/domain/model.js';
import { decidePlan, orphansOfRun, type PlanFacts } from '../../src/domain/plan.js';
import {
  ago,
  connection,
  DAY,
  daysAgo,
  facts,
  HELD,
  key,
  OTHER,
  ROTATION_ID,
  secret,
  THIRD,
} from './support/plan-facts.js';

const WHERE = 'connection "aws-prod" (conn-1)';

describe('Function: decidePlan (whole plans)', () => {
  const rows: Array<{ rule: string; facts: PlanFacts; plan: ReturnType<typeof decidePlan> }> = [
    {
      rule: 'a connection of another type is refused, whatever its case, before anything else',
      facts: facts({ connection: connection({ type: 'Generic', usesOidc: true, heldAccessKeyId: null }) }),
      plan: {
        action: 'refuse',
        code: 'ConnectionNotAwsError',
        reason: `${WHERE} is of type "Generic", not AWS; check the target's connectionName`,
        cleanup: [],
      },
    },
    {
      rule: 'an OIDC connection is refused',
      facts: facts({ connection: connection({ type: 'aws', usesOidc: true }) }),
      plan: {
        action: 'refuse',
        code: 'ConnectionUsesOidcError',
        reason:
          `${WHERE} uses OIDC: it holds no static key, so there is nothing to rotate (it is already ` +
          `keyless); remove it from the targets`,
        cleanup: [],
      },
    },
    {
      rule: 'a connection that holds no key id is refused, listing the user keys',
      facts: facts({ connection: connection({ heldAccessKeyId: null }), keys: [key(HELD, 8), key(OTHER, 1)] }),
      plan: {
        action: 'refuse',
        code: 'HeldKeyUnknownError',
        reason:
          `${WHERE} holds no access key id, which is not one of the IAM user's keys (${HELD}, ${OTHER}); ` +
          `set the connection to a valid key by hand, then re-run`,
        cleanup: [],
      },
    },
    {
      rule: 'a user without keys is refused, saying "none"',
      facts: facts({ keys: [] }),
      plan: {
        action: 'refuse',
        code: 'HeldKeyUnknownError',
        reason:
          `${WHERE} holds access key ${HELD}, which is not one of the IAM user's keys (none); set the ` +
          `connection to a valid key by hand, then re-run`,
        cleanup: [],
      },
    },
    {
      rule: 'an inactive held key is refused, with its age',
      facts: facts({ keys: [key(HELD, 8.25, { status: 'Inactive' })] }),
      plan: {
        action: 'refuse',
        code: 'HeldKeyInactiveError',
        reason:
          `${WHERE} holds access key ${HELD}, which is inactive: its pipelines cannot authenticate; ` +
          `reactivate the key or fix the connection by hand`,
        cleanup: [],
        heldKeyAgeDays: 8.2,
      },
    },
    {
      rule: 'a secret holding a key IAM does not have is refused',
      facts: facts({ secret: secret({ current: { versionId: 'v9', accessKeyId: THIRD, createdAt: daysAgo(8) } }) }),
      plan: {
        action: 'refuse',
        code: 'SecretHoldsUnknownKeyError',
        reason:
          `the secret's current version v9 holds access key ${THIRD}, which the IAM user does not have; ` +
          `put the connection's key ${HELD} in the secret or delete the secret, then re-run`,
        cleanup: [],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'a young pending version of another run is refused, with its age in minutes',
      facts: facts({
        secret: secret({
          pending: { versionId: 'other-run', accessKeyId: OTHER, createdAt: ago(30 * 60_000 + 20_000) },
        }),
        keys: [key(HELD, 8), key(OTHER, 0, { lastUsedAt: null })],
      }),
      plan: {
        action: 'refuse',
        code: 'RotationInProgressError',
        reason:
          'another rotation (other-run) of this target started 30 minutes ago and has not finished; wait for ' +
          'it, or re-run after 120 minutes to clean it up',
        cleanup: [],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'a pending version exactly as old as the timeout is abandoned: dropped, and its key deleted',
      facts: facts({
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: ago(120 * 60_000) } }),
        keys: [key(HELD, 8), key(OTHER, 0.1, { lastUsedAt: null })],
      }),
      plan: {
        action: 'rotate',
        reason: `key ${HELD} is 8 days old (rotated from 6 days)`,
        cleanup: [
          // The key first: the pending version proves it ours, so it outlives the key.
          { kind: 'delete-key', accessKeyId: OTHER, reason: `key ${OTHER} of an aborted rotation, never published` },
          { kind: 'drop-pending', versionId: 'old-run', reason: 'an aborted rotation left pending version old-run' },
        ],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'an abandoned pending version whose key is already gone is only dropped',
      facts: facts({
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(1) } }),
        keys: [key(HELD, 8)],
      }),
      plan: {
        action: 'rotate',
        reason: `key ${HELD} is 8 days old (rotated from 6 days)`,
        cleanup: [
          { kind: 'drop-pending', versionId: 'old-run', reason: 'an aborted rotation left pending version old-run' },
        ],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: "this run's own pending version is neither refused nor cleaned up",
      facts: facts({
        secret: secret({ pending: { versionId: ROTATION_ID, accessKeyId: OTHER, createdAt: ago(60_000) } }),
        keys: [key(HELD, 8), key(OTHER, 0, { lastUsedAt: null, createdAt: ago(60_000) })],
      }),
      plan: {
        action: 'rotate',
        reason: `key ${HELD} is 8 days old (rotated from 6 days)`,
        cleanup: [
          {
            kind: 'delete-key',
            accessKeyId: OTHER,
            reason:
              `orphan key ${OTHER}: active, never used, held by neither the connection nor the secret (a ` +
              `create whose answer was lost)`,
          },
        ],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule:
        'an aborted run that published its key is finished (promote, deactivate the key it replaced), and ' +
        'that key waits out its grace',
      facts: facts({
        connection: connection({ heldAccessKeyId: OTHER }),
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(1) } }),
        keys: [key(HELD, 8, { lastUsedAt: daysAgo(1) }), key(OTHER, 1)],
      }),
      plan: {
        action: 'repair',
        reason:
          `an aborted rotation published ${OTHER} but never promoted it; promoting it so the secret ` +
          `matches the connection; old key ${HELD} was retired but is still active and unused since; ` +
          `deactivating it; key ${OTHER} is 1 days old, not due (the secret held ${HELD}, not the connection's ` +
          `key ${OTHER})`,
        cleanup: [
          {
            kind: 'promote-pending',
            versionId: 'old-run',
            reason:
              `an aborted rotation published ${OTHER} but never promoted it; promoting it so the secret ` +
              `matches the connection`,
          },
          {
            kind: 'deactivate-key',
            accessKeyId: HELD,
            reason: `old key ${HELD} was retired but is still active and unused since; deactivating it`,
          },
        ],
        heldKeyAgeDays: 1,
      },
    },
    {
      rule: 'an aborted published run whose replaced key is past its grace and inactive: promote, and delete that key',
      facts: facts({
        connection: connection({ heldAccessKeyId: OTHER }),
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(7) } }),
        keys: [key(HELD, 20, { status: 'Inactive', lastUsedAt: daysAgo(7) }), key(OTHER, 7)],
      }),
      plan: {
        action: 'rotate',
        reason:
          `key ${OTHER} is 7 days old (rotated from 6 days) (the secret held ${HELD}, not the ` +
          `connection's key ${OTHER})`,
        cleanup: [
          {
            kind: 'promote-pending',
            versionId: 'old-run',
            reason:
              `an aborted rotation published ${OTHER} but never promoted it; promoting it so the secret ` +
              `matches the connection`,
          },
          {
            kind: 'delete-key',
            accessKeyId: HELD,
            reason: `old key ${HELD} is past its 6-day grace period and unused since it was retired`,
          },
        ],
        heldKeyAgeDays: 7,
      },
    },
    {
      rule:
        "the secret's previous key, still active (its revoke failed) and unused since: deactivated, not " +
        'deleted, and the rotation waits',
      facts: facts({
        secret: secret({ previous: { versionId: 'v-prev', accessKeyId: OTHER, createdAt: daysAgo(14) } }),
        keys: [key(HELD, 6), key(OTHER, 14, { lastUsedAt: daysAgo(6) })],
      }),
      plan: {
        action: 'repair',
        reason:
          `old key ${OTHER} is in its grace period until 2026-11-29T03:00:00.000Z and IAM allows only ` +
          `two keys; rotation waits (use emergency mode to force)`,
        cleanup: [
          {
            kind: 'deactivate-key',
            accessKeyId: OTHER,
            reason: `old key ${OTHER} was retired but is still active and unused since; deactivating it`,
          },
        ],
        heldKeyAgeDays: 6,
      },
    },
    {
      rule:
        "the secret's previous key, inactive and unused since it was retired: deleted once the grace " +
        'period has passed',
      facts: facts({
        secret: secret({ previous: { versionId: 'v-prev', accessKeyId: OTHER, createdAt: daysAgo(14) } }),
        keys: [key(HELD, 6), key(OTHER, 14, { status: 'Inactive', lastUsedAt: ago(6 * DAY - 120 * 60_000) })],
      }),
      plan: {
        action: 'rotate',
        reason: `key ${HELD} is 6 days old (rotated from 6 days)`,
        cleanup: [
          {
            kind: 'delete-key',
            accessKeyId: OTHER,
            reason: `old key ${OTHER} is past its 6-day grace period and unused since it was retired`,
          },
        ],
        heldKeyAgeDays: 6,
      },
    },
    {
      rule: 'a previous key reactivated and used after it was retired is kept, and the rotation refused, naming it',
      facts: facts({
        secret: secret({ previous: { versionId: 'v-prev', accessKeyId: OTHER, createdAt: daysAgo(14) } }),
        keys: [key(HELD, 6), key(OTHER, 14, { lastUsedAt: ago(6 * DAY - 120 * 60_000 - 1) })],
      }),
      plan: {
        action: 'refuse',
        code: 'RetiredKeyInUseError',
        reason:
          `old key ${OTHER} was retired but is active and was used 2026-11-23T05:00:00.001Z, after its ` +
          `retirement; it is kept, and IAM allows only two keys, so key ${HELD} cannot be rotated: move ` +
          `whoever uses ${OTHER} to the connection's key, then delete ${OTHER} by hand`,
        cleanup: [],
        heldKeyAgeDays: 6,
      },
    },
    {
      rule: 'an inactive retired key used after its retirement is kept with a warning while the held key is not due',
      facts: facts({ keys: [key(HELD, 2), key(OTHER, 14, { status: 'Inactive', lastUsedAt: daysAgo(1) })] }),
      plan: {
        action: 'skip',
        reason:
          `key ${HELD} is 2 days old; it is rotated from 6 days (old key ${OTHER} is inactive and was ` +
          `used 2026-11-28T03:00:00.000Z, after it was retired; it is kept)`,
        cleanup: [],
        heldKeyAgeDays: 2,
      },
    },
    {
      rule: 'a retired key one millisecond short of the grace period waits, and so does the rotation',
      facts: facts({
        keys: [
          key(HELD, 0, { createdAt: ago(6 * DAY - 1) }),
          key(OTHER, 13, { status: 'Inactive', lastUsedAt: daysAgo(6) }),
        ],
        settings: { ...DEFAULT_SETTINGS, minKeyAgeDays: 1 },
      }),
      plan: {
        action: 'skip',
        reason:
          `old key ${OTHER} is in its grace period until 2026-11-29T03:00:00.001Z and IAM allows only ` +
          `two keys; rotation waits (use emergency mode to force)`,
        cleanup: [],
        heldKeyAgeDays: 5.9,
      },
    },
    {
      rule: 'a retired key in its grace period is deleted at once in emergency mode',
      facts: facts({
        mode: 'emergency',
        keys: [key(HELD, 1), key(OTHER, 10, { status: 'Inactive', lastUsedAt: daysAgo(1) })],
      }),
      plan: {
        action: 'rotate',
        reason: `emergency rotation of ${HELD}; the old key is deleted at once`,
        cleanup: [
          {
            kind: 'delete-key',
            accessKeyId: OTHER,
            reason: `old key ${OTHER} is past its 6-day grace period and unused since it was retired`,
          },
        ],
        heldKeyAgeDays: 1,
      },
    },
    {
      rule: 'a waiting rotation still carries out the clean-up it can (repair)',
      facts: facts({
        keys: [key(HELD, 3), key(OTHER, 10, { status: 'Inactive', lastUsedAt: daysAgo(3) })],
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: THIRD, createdAt: daysAgo(1) } }),
        settings: { ...DEFAULT_SETTINGS, minKeyAgeDays: 1 },
      }),
      plan: {
        action: 'repair',
        reason:
          `old key ${OTHER} is in its grace period until 2026-12-02T03:00:00.000Z and IAM allows only ` +
          `two keys; rotation waits (use emergency mode to force)`,
        cleanup: [
          { kind: 'drop-pending', versionId: 'old-run', reason: 'an aborted rotation left pending version old-run' },
        ],
        heldKeyAgeDays: 3,
      },
    },
    {
      rule: 'a key exactly the minimum age is due',
      facts: facts({ keys: [key(HELD, 6)] }),
      plan: {
        action: 'rotate',
        reason: `key ${HELD} is 6 days old (rotated from 6 days)`,
        cleanup: [],
        heldKeyAgeDays: 6,
      },
    },
    {
      rule: 'a key a tenth of a day younger than the minimum is skipped, its age floored to a tenth',
      facts: facts({ keys: [key(HELD, 5.95)] }),
      plan: {
        action: 'skip',
        reason: `key ${HELD} is 5.9 days old; it is rotated from 6 days`,
        cleanup: [],
        heldKeyAgeDays: 5.9,
      },
    },
    {
      rule: 'a never-used key that no rotation recorded (made by a person yesterday) is refused, not deleted',
      facts: facts({ keys: [key(HELD, 2), key(OTHER, 1, { lastUsedAt: null })] }),
      plan: {
        action: 'refuse',
        code: 'UnknownActiveKeyError',
        reason:
          `the IAM user has an active key ${OTHER}, created 2026-11-28T03:00:00.000Z and never used, ` +
          `that neither the connection nor the secret holds and that no rotation recorded; the rotator deletes ` +
          `only keys it can prove it made, so a person must decide: delete it by hand if it is a leftover, or ` +
          `leave the target out until it is in use`,
        cleanup: [],
        heldKeyAgeDays: 2,
      },
    },
    {
      rule: 'the key of an aborted run used after that run ended is refused, not deleted',
      facts: facts({
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(2) } }),
        keys: [key(HELD, 8), key(OTHER, 2, { lastUsedAt: daysAgo(1) })],
      }),
      plan: {
        action: 'refuse',
        code: 'UnknownActiveKeyError',
        reason:
          `key ${OTHER} of an aborted rotation (old-run) was never published, but was used ` +
          `2026-11-28T03:00:00.000Z, after that rotation had ended; find out who uses it, then delete it and ` +
          `the pending version by hand`,
        cleanup: [],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'a used active key nobody holds is refused, with when it was last used',
      facts: facts({ keys: [key(HELD, 8), key(OTHER, 30, { lastUsedAt: new Date('2026-11-20T10:00:00.000Z') })] }),
      plan: {
        action: 'refuse',
        code: 'UnknownActiveKeyError',
        reason:
          `the IAM user has an active key ${OTHER} that neither the connection nor the secret holds and ` +
          `that was last used 2026-11-20T10:00:00.000Z; find out who uses it, then delete or deactivate it by hand`,
        cleanup: [],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'a secret that lags behind the connection is noted in the reason',
      facts: facts({
        keys: [key(HELD, 8), key(OTHER, 20, { status: 'Inactive', lastUsedAt: daysAgo(8) })],
        secret: secret({ current: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(20) } }),
      }),
      plan: {
        action: 'rotate',
        reason:
          `key ${HELD} is 8 days old (rotated from 6 days) (the secret held ${OTHER}, not the ` +
          `connection's key ${HELD})`,
        cleanup: [
          {
            kind: 'delete-key',
            accessKeyId: OTHER,
            reason: `old key ${OTHER} is past its 6-day grace period and unused since it was retired`,
          },
        ],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'a retired key reactivated, used, and deactivated again is refused as inactive, with when it was used',
      facts: facts({
        secret: secret({ previous: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(16) } }),
        keys: [key(HELD, 8), key(OTHER, 16, { status: 'Inactive', lastUsedAt: daysAgo(1) })],
      }),
      plan: {
        action: 'refuse',
        code: 'RetiredKeyInUseError',
        reason:
          `old key ${OTHER} was retired but is inactive and was used 2026-11-28T03:00:00.000Z, after its ` +
          `retirement; it is kept, and IAM allows only two keys, so key ${HELD} cannot be rotated: move whoever ` +
          `uses ${OTHER} to the connection's key, then delete ${OTHER} by hand`,
        cleanup: [],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'a young key is skipped, every warning noted in the reason, the kept key named active',
      facts: facts({
        keys: [key(HELD, 2), key(OTHER, 20, { lastUsedAt: daysAgo(1) })],
        secret: secret({ current: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(20) } }),
      }),
      plan: {
        action: 'skip',
        reason:
          `key ${HELD} is 2 days old; it is rotated from 6 days (the secret held ${OTHER}, not the connection's ` +
          `key ${HELD}; old key ${OTHER} is active and was used 2026-11-28T03:00:00.000Z, after it was retired; ` +
          `it is kept)`,
        cleanup: [],
        heldKeyAgeDays: 2,
      },
    },
    {
      rule: "a rollback stopped half-way: the secret moves back to the connection's key, the new key is deactivated",
      facts: facts({
        secret: secret({
          current: { versionId: 'v-new', accessKeyId: OTHER, createdAt: ago(60 * 60_000) },
          previous: { versionId: 'v-old', accessKeyId: HELD, createdAt: daysAgo(8) },
        }),
        keys: [key(HELD, 8), key(OTHER, 0, { lastUsedAt: null })],
      }),
      plan: {
        action: 'repair',
        reason:
          `old key ${OTHER} is in its grace period until 2026-11-27T03:00:00.000Z and IAM allows only two keys; ` +
          `rotation waits (use emergency mode to force) (the secret held ${OTHER}, not the connection's key ${HELD})`,
        cleanup: [
          {
            kind: 'restore-current',
            versionId: 'v-old',
            reason:
              `the secret's current version holds ${OTHER}, which the connection does not; moving it back to ` +
              `version v-old, which holds the connection's key ${HELD}`,
          },
          {
            kind: 'deactivate-key',
            accessKeyId: OTHER,
            reason: `old key ${OTHER} was retired but is still active and unused since; deactivating it`,
          },
        ],
        heldKeyAgeDays: 8,
      },
    },
    {
      rule: 'a missing secret is not a reason to refuse',
      facts: facts({ secret: { exists: false, current: null, pending: null, previous: null } }),
      plan: {
        action: 'rotate',
        reason: `key ${HELD} is 8 days old (rotated from 6 days)`,
        cleanup: [],
        heldKeyAgeDays: 8,
      },
    },
  ];

  for (const { rule, facts: input, plan } of rows) {
    it(rule, () => {
      // Strict: a field the plan does not know (the key's age before it is read) is absent, not undefined.
      expect(decidePlan(input)).toStrictEqual(plan);
    });
  }

  it('plans to delete a key once, even when two rules select it', () => {
    // The stale pending version's key is also inactive and past its grace: one delete.
    const plan = decidePlan(
      facts({
        keys: [key(HELD, 8), key(OTHER, 10, { status: 'Inactive', lastUsedAt: null })],
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(1) } }),
      }),
    );

    expect(plan.cleanup.filter((c) => c.kind === 'delete-key')).toEqual([
      { kind: 'delete-key', accessKeyId: OTHER, reason: `key ${OTHER} of an aborted rotation, never published` },
    ]);
  });
});

describe('Function: orphansOfRun', () => {
  const STARTED = '2026-11-29T03:00:00.000Z';
  const at = (iso: string, extra: Partial<AccessKeyInfo> = {}): AccessKeyInfo => ({
    accessKeyId: OTHER,
    status: 'Active',
    createdAt: new Date(iso),
    lastUsedAt: null,
    ...extra,
  });

  const cases = [
    ['created after the run started', at('2026-11-29T03:00:05.000Z'), true],
    ['created exactly a minute before (clock skew allowed)', at('2026-11-29T02:59:00.000Z'), true],
    ['created a minute and a millisecond before', at('2026-11-29T02:58:59.999Z'), false],
    ['inactive', at('2026-11-29T03:00:05.000Z', { status: 'Inactive' }), false],
    ['already used', at('2026-11-29T03:00:05.000Z', { lastUsedAt: new Date('2026-11-29T03:00:06.000Z') }), false],
    ['one of the keys to keep', at('2026-11-29T03:00:05.000Z', { accessKeyId: HELD }), false],
  ] as const;
  for (const [what, candidate, orphan] of cases) {
    it(`${orphan ? 'counts' : 'does not count'} a key ${what} as an orphan`, () => {
      expect(orphansOfRun([candidate], STARTED, [HELD, null, undefined])).toEqual(orphan ? [candidate] : []);
    });
  }

  it('keeps the order of the keys it is given', () => {
    const a = at('2026-11-29T03:00:05.000Z', { accessKeyId: 'AKIAA00000000000000A' });
    const b = at('2026-11-29T03:00:06.000Z', { accessKeyId: 'AKIAB00000000000000B' });
    expect(orphansOfRun([a, b], STARTED, [])).toEqual([a, b]);
  });
});
