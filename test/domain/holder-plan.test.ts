/**
 * How a target's plan extends to its other holders (issue 13): every holder must hold the key the first
 * connection holds, except a holder an interrupted run left on that run's other key, which a `sync-holders`
 * clean-up, run first, brings back. One row per rule, each plan pinned whole (action, reason, code, clean-up).
 */
import { describe, expect, it } from 'vitest';
import { ConnectionUsesOidcError } from '../../src/domain/errors.js';
import { extendPlanToHolders, type HolderFacts } from '../../src/domain/holder-plan.js';
import type { HolderView } from '../../src/domain/holder-set.js';
import type { SecretVersionRef } from '../../src/domain/model.js';
import type { Plan } from '../../src/domain/rotation-state.js';
import { daysAgo, HELD, OTHER, ROTATION_ID, secret, THIRD } from './support/plan-facts.js';

const FIRST = 'connection "aws-prod" in project "payments"';
const B = 'connection "aws-b" in project "payments"';
const G = 'variable group "aws-g" in project "payments"';

const view = (label: string, heldAccessKeyId: string | null, problem?: Error): HolderView => ({
  holder: {
    kind: 'connection',
    ref: { organizationUrl: 'https://dev.azure.com/o', project: 'p', connectionName: label },
  },
  label,
  id: `id-${label.length}`,
  heldAccessKeyId,
  ...(problem ? { problem } : {}),
});
const version = (versionId: string, accessKeyId: string): SecretVersionRef => ({
  versionId,
  accessKeyId,
  createdAt: daysAgo(1),
});
const ROTATE: Plan = { action: 'rotate', reason: `key ${HELD} is 8 days old`, cleanup: [], heldKeyAgeDays: 8 };
const dropPending = (versionId: string) => ({ kind: 'drop-pending' as const, versionId, reason: 'stale pending' });
const promotePending = (versionId: string) => ({ kind: 'promote-pending' as const, versionId, reason: 'promote' });
const restoreCurrent = (versionId: string) => ({ kind: 'restore-current' as const, versionId, reason: 'restore' });
const holderFacts = (extra: Partial<HolderFacts>): HolderFacts => ({
  plan: ROTATE,
  rotationId: ROTATION_ID,
  firstLabel: FIRST,
  firstHeld: HELD,
  secret: secret(),
  others: [view(B, HELD)],
  ...extra,
});
const disagree = (label: string, held: string) =>
  `${label} holds ${held}, but ${FIRST} holds ${HELD}: every holder of one key must hold the same key; set ` +
  `${label} to ${HELD} by hand (or remove it from the target), then re-run`;
const refused = (reason: string, code = 'HoldersDisagreeError'): Plan => ({
  action: 'refuse',
  reason,
  code,
  cleanup: [],
  heldKeyAgeDays: 8,
});
const synced = (plan: Plan, versionId: string, labels: string, action = plan.action): Plan => {
  const reason = `an interrupted rotation left ${labels} holding another key; writing ${HELD} back into them first`;
  return {
    ...plan,
    action,
    reason: `${reason}; ${plan.reason}`,
    cleanup: [{ kind: 'sync-holders', versionId, accessKeyId: HELD, reason }, ...plan.cleanup],
  };
};

describe('Function: extendPlanToHolders', () => {
  it('keeps a refusal as decided, whatever the other holders hold or why they cannot take the key', () => {
    // Prepare
    const plan: Plan = { action: 'refuse', reason: 'no', code: 'HeldKeyInactiveError', cleanup: [] };

    // Act
    const extended = extendPlanToHolders(
      holderFacts({ plan, others: [view(B, OTHER, new ConnectionUsesOidcError('uses OIDC'))] }),
    );

    // Assess
    expect(extended).toBe(plan);
  });

  const deleteKey = { kind: 'delete-key' as const, accessKeyId: OTHER, reason: 'never published' };
  const dropping: Plan = { ...ROTATE, cleanup: [deleteKey, dropPending('old-run')] };
  const stale = secret({ pending: version('old-run', OTHER) });
  const deactivate = { kind: 'deactivate-key' as const, accessKeyId: THIRD, reason: 'retired, still active' };
  const promoting: Plan = { ...ROTATE, cleanup: [promotePending('v-pending'), deactivate] };
  const published = secret({ current: version('v-current', OTHER), pending: version('v-pending', HELD) });
  const restoring: Plan = { ...ROTATE, cleanup: [restoreCurrent('v-previous')] };
  const halfRolledBack = secret({ current: version('v-new', OTHER), previous: version('v-previous', HELD) });
  const rows: Array<{ rule: string; facts: HolderFacts; plan: Plan }> = [
    { rule: 'no other holder: the plan is the first connection’s', facts: holderFacts({ others: [] }), plan: ROTATE },
    {
      rule: 'every holder holds the first connection’s key: the plan is unchanged',
      facts: holderFacts({ others: [view(B, HELD), view(G, HELD)] }),
      plan: ROTATE,
    },
    {
      rule: 'a holder that cannot take a key (here OIDC) refuses with its own error, the first such holder',
      facts: holderFacts({
        others: [
          view(B, HELD),
          view(G, HELD, new ConnectionUsesOidcError(`${G} uses OIDC`)),
          view(B, HELD, new Error('second')),
        ],
      }),
      plan: refused(`${G} uses OIDC`, 'ConnectionUsesOidcError'),
    },
    {
      rule: 'a holder on another key, no interrupted run: refused, naming the holder, both keys and the fix',
      facts: holderFacts({ others: [view(B, HELD), view(G, OTHER)] }),
      plan: refused(disagree(G, `access key ${OTHER}`)),
    },
    {
      rule: 'a holder with no key id at all is refused in those words',
      facts: holderFacts({ others: [view(B, null)] }),
      plan: refused(disagree(B, 'no access key id')),
    },
    {
      rule: 'a first connection with no key: the refusal says so and asks for the current key',
      facts: holderFacts({ firstHeld: null, others: [view(B, OTHER)] }),
      plan: refused(
        `${B} holds access key ${OTHER}, but ${FIRST} holds none: every holder of one key must hold the same ` +
          `key; set ${B} to the current key by hand (or remove it from the target), then re-run`,
      ),
    },
    {
      rule: 'holders left on the pending key of a run whose version is dropped: synced from the current version',
      facts: holderFacts({ plan: dropping, secret: stale, others: [view(B, OTHER), view(G, HELD), view(G, OTHER)] }),
      plan: synced(dropping, 'v-current', `${B}, ${G}`),
    },
    {
      rule: 'a skip becomes a repair when a holder must be synced',
      facts: holderFacts({ plan: { ...dropping, action: 'skip' }, secret: stale, others: [view(B, OTHER)] }),
      plan: synced({ ...dropping, action: 'skip' }, 'v-current', B, 'repair'),
    },
    {
      rule: 'a repair stays a repair when a holder must be synced',
      facts: holderFacts({ plan: { ...dropping, action: 'repair' }, secret: stale, others: [view(B, OTHER)] }),
      plan: synced({ ...dropping, action: 'repair' }, 'v-current', B),
    },
    {
      rule: 'the pending key of a run whose version is not the one dropped is no excuse',
      facts: holderFacts({
        plan: { ...ROTATE, cleanup: [dropPending('another')] },
        secret: stale,
        others: [view(B, OTHER)],
      }),
      plan: refused(disagree(B, `access key ${OTHER}`)),
    },
    {
      rule: 'the pending version of this very run is no interrupted run',
      facts: holderFacts({
        plan: { ...ROTATE, cleanup: [dropPending(ROTATION_ID)] },
        secret: secret({ pending: version(ROTATION_ID, OTHER) }),
        others: [view(B, OTHER)],
      }),
      plan: refused(disagree(B, `access key ${OTHER}`)),
    },
    {
      rule: 'a holder on a third key while a pending version is dropped is refused',
      facts: holderFacts({ plan: dropping, secret: stale, others: [view(B, THIRD)] }),
      plan: refused(disagree(B, `access key ${THIRD}`)),
    },
    {
      rule: 'a dropped pending version with no version holding the agreed key to sync from is refused',
      facts: holderFacts({
        plan: dropping,
        secret: secret({ current: null, pending: version('old-run', OTHER) }),
        others: [view(B, OTHER)],
      }),
      plan: refused(disagree(B, `access key ${OTHER}`)),
    },
    {
      rule: 'a dropped pending version while the secret holds yet another key: no version to sync from, refused',
      facts: holderFacts({
        plan: dropping,
        secret: secret({ current: version('v-current', THIRD), pending: version('old-run', OTHER) }),
        others: [view(B, OTHER)],
      }),
      plan: refused(disagree(B, `access key ${OTHER}`)),
    },
    {
      rule: 'a promote with no current version (a first rotation) explains no holder on another key',
      facts: holderFacts({
        plan: promoting,
        secret: secret({ current: null, pending: version('v-pending', HELD) }),
        others: [view(B, OTHER)],
      }),
      plan: refused(disagree(B, `access key ${OTHER}`)),
    },
    {
      rule: 'holders left on the old key of a run whose pending version is promoted: synced from that version',
      facts: holderFacts({ plan: promoting, secret: published, others: [view(B, OTHER)] }),
      plan: synced(promoting, 'v-pending', B),
    },
    {
      rule: 'a promote of another pending version is no excuse for a holder on the old key',
      facts: holderFacts({
        plan: { ...ROTATE, cleanup: [promotePending('another')] },
        secret: published,
        others: [view(B, OTHER)],
      }),
      plan: refused(disagree(B, `access key ${OTHER}`)),
    },
    {
      rule: 'a promote explains a holder on the current version’s key, not one on the pending key',
      facts: holderFacts({
        plan: promoting,
        secret: secret({ current: version('v-current', HELD), pending: version('v-pending', OTHER) }),
        others: [view(B, OTHER)],
      }),
      plan: refused(disagree(B, `access key ${OTHER}`)),
    },
    {
      rule: 'holders left on the new key by a rollback stopped half-way: synced from the version restored',
      facts: holderFacts({ plan: restoring, secret: halfRolledBack, others: [view(B, OTHER)] }),
      plan: synced(restoring, 'v-previous', B),
    },
    {
      rule: 'a restore explains a holder on the current version’s key only',
      facts: holderFacts({ plan: restoring, secret: halfRolledBack, others: [view(B, THIRD)] }),
      plan: refused(disagree(B, `access key ${THIRD}`)),
    },
  ];

  it.each(rows)('$rule', ({ facts, plan }) => {
    // Act
    const extended = extendPlanToHolders(facts);

    // Assess
    expect(extended).toEqual(plan);
  });
});
