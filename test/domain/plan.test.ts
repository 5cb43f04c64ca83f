import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/domain/model.js';
import { decidePlan, type PlanFacts } from '../../src/domain/plan.js';
import { ago, connection, daysAgo, facts, HELD, key, OTHER, ROTATION_ID, secret, THIRD } from './support/plan-facts.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('Function: decidePlan', () => {
  // One row per rule: what the ports report, and what the plan must decide.
  const table: Array<{ rule: string; facts: PlanFacts; action: string; code?: string; cleanup?: string[] }> = [
    { rule: 'rotates a key older than the minimum age', facts: facts(), action: 'rotate', cleanup: [] },
    {
      rule: 'skips a key younger than the minimum age (a re-run in the same week)',
      facts: facts({ keys: [key(HELD, 2)] }),
      action: 'skip',
    },
    {
      rule: 'rotates a young key in emergency mode',
      facts: facts({ mode: 'emergency', keys: [key(HELD, 0)] }),
      action: 'rotate',
    },
    {
      rule: 'deletes an inactive key past its grace period before creating a new one (the quota counts it)',
      facts: facts({ keys: [key(HELD, 8), key(OTHER, 15, { status: 'Inactive', lastUsedAt: daysAgo(8) })] }),
      action: 'rotate',
      cleanup: [`delete-key:${OTHER}`],
    },
    {
      rule: 'waits while the retired key is in its grace period',
      facts: facts({
        keys: [key(HELD, 3), key(OTHER, 10, { status: 'Inactive', lastUsedAt: daysAgo(3) })],
        settings: { ...DEFAULT_SETTINGS, minKeyAgeDays: 1 },
      }),
      action: 'skip',
    },
    {
      rule:
        'refuses, not deletes, an active, never-used key that nobody holds and no rotation recorded (a ' +
        'person made it)',
      facts: facts({ keys: [key(HELD, 8), key(OTHER, 0, { lastUsedAt: null })] }),
      action: 'refuse',
      code: 'UnknownActiveKeyError',
      cleanup: [],
    },
    {
      rule: "deletes the never-used key of an aborted rotation's pending version (provably ours)",
      facts: facts({
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(1) } }),
        keys: [key(HELD, 8), key(OTHER, 1, { lastUsedAt: null })],
      }),
      action: 'rotate',
      cleanup: [`delete-key:${OTHER}`, 'drop-pending:old-run'],
    },
    {
      rule: 'deletes a retired key past its grace period only if it is inactive and unused since it was retired',
      facts: facts({
        secret: secret({ previous: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(16) } }),
        keys: [key(HELD, 8), key(OTHER, 16, { status: 'Inactive', lastUsedAt: daysAgo(8) })],
      }),
      action: 'rotate',
      cleanup: [`delete-key:${OTHER}`],
    },
    {
      rule:
        'keeps a previous key that was reactivated and used again, refusing the rotation with a warning ' +
        'that names it',
      facts: facts({
        secret: secret({ previous: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(16) } }),
        keys: [key(HELD, 8), key(OTHER, 16, { lastUsedAt: daysAgo(1) })],
      }),
      action: 'refuse',
      code: 'RetiredKeyInUseError',
      cleanup: [],
    },
    {
      rule: 'deactivates (does not delete) a previous key a failed revoke left active and unused, and waits',
      facts: facts({
        secret: secret({ previous: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(16) } }),
        keys: [key(HELD, 8), key(OTHER, 16, { lastUsedAt: daysAgo(8) })],
      }),
      action: 'repair',
      cleanup: [`deactivate-key:${OTHER}`],
    },
    {
      rule: 'refuses when an active key nobody holds has been used',
      facts: facts({ keys: [key(HELD, 8), key(OTHER, 30)] }),
      action: 'refuse',
      code: 'UnknownActiveKeyError',
    },
    {
      rule: 'refuses two active keys when neither is the one the connection holds',
      facts: facts({ keys: [key('AKIAAAAAAAAAAAAAAAA1', 8), key('AKIAAAAAAAAAAAAAAAA2', 8)] }),
      action: 'refuse',
      code: 'HeldKeyUnknownError',
    },
    {
      rule: 'refuses an OIDC connection (already keyless)',
      facts: facts({ connection: connection({ usesOidc: true }) }),
      action: 'refuse',
      code: 'ConnectionUsesOidcError',
    },
    {
      rule: 'refuses a connection that is not of type AWS',
      facts: facts({ connection: connection({ type: 'azurerm' }) }),
      action: 'refuse',
      code: 'ConnectionNotAwsError',
    },
    {
      rule: 'refuses when the connection holds an inactive key',
      facts: facts({ keys: [key(HELD, 8, { status: 'Inactive' })] }),
      action: 'refuse',
      code: 'HeldKeyInactiveError',
    },
    {
      rule: 'refuses when the secret holds a key id IAM does not know',
      facts: facts({
        secret: secret({ current: { versionId: 'v1', accessKeyId: 'AKIAUNKNOWN000000000', createdAt: daysAgo(8) } }),
      }),
      action: 'refuse',
      code: 'SecretHoldsUnknownKeyError',
    },
    {
      rule: 'refuses while another rotation of the target is in progress',
      facts: facts({
        secret: secret({ pending: { versionId: 'other-run', accessKeyId: OTHER, createdAt: daysAgo(0) } }),
        keys: [key(HELD, 8), key(OTHER, 0, { lastUsedAt: null })],
      }),
      action: 'refuse',
      code: 'RotationInProgressError',
    },
    {
      rule: 'drops a stale pending version and deletes its unpublished key',
      facts: facts({
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(1) } }),
        keys: [key(HELD, 8), key(OTHER, 1, { lastUsedAt: null })],
      }),
      action: 'rotate',
      cleanup: [`delete-key:${OTHER}`, 'drop-pending:old-run'],
    },
    {
      rule: 'promotes a stale pending version that the connection already holds (finishes an aborted run)',
      facts: facts({
        connection: connection({ heldAccessKeyId: OTHER }),
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: daysAgo(1) } }),
        keys: [key(HELD, 8), key(OTHER, 1)],
      }),
      action: 'repair',
      cleanup: ['promote-pending:old-run'],
    },
    {
      rule: 'deletes the key of an aborted run that was used during that run only (its own verify)',
      facts: facts({
        secret: secret({ pending: { versionId: 'old-run', accessKeyId: OTHER, createdAt: ago(3 * HOUR) } }),
        keys: [key(HELD, 8), key(OTHER, 0, { createdAt: ago(3 * HOUR), lastUsedAt: ago(2.5 * HOUR) })],
      }),
      action: 'rotate',
      cleanup: [`delete-key:${OTHER}`, 'drop-pending:old-run'],
    },
    {
      rule: "moves the secret back to the connection's key when a rollback stopped half-way, and retires the new key",
      facts: facts({
        secret: secret({
          current: { versionId: 'v-new', accessKeyId: OTHER, createdAt: ago(HOUR) },
          previous: { versionId: 'v-old', accessKeyId: HELD, createdAt: daysAgo(8) },
        }),
        keys: [key(HELD, 8), key(OTHER, 0, { createdAt: ago(2 * HOUR), lastUsedAt: null })],
      }),
      action: 'repair',
      cleanup: ['restore-current:v-old', `deactivate-key:${OTHER}`],
    },
    {
      rule: 'drops the pending version of an aborted run and then moves the secret back, both',
      facts: facts({
        secret: secret({
          current: { versionId: 'v-new', accessKeyId: OTHER, createdAt: ago(HOUR) },
          previous: { versionId: 'v-old', accessKeyId: HELD, createdAt: daysAgo(8) },
          pending: { versionId: 'old-run', accessKeyId: THIRD, createdAt: ago(3 * HOUR) },
        }),
        keys: [key(HELD, 8), key(OTHER, 0, { lastUsedAt: null }), key(THIRD, 0, { lastUsedAt: null })],
      }),
      action: 'repair',
      cleanup: [`delete-key:${THIRD}`, 'drop-pending:old-run', 'restore-current:v-old', `deactivate-key:${OTHER}`],
    },
    {
      rule: "promotes the aborted run's pending version rather than moving the secret back when both would fit",
      facts: facts({
        secret: secret({
          current: { versionId: 'v-cur', accessKeyId: OTHER, createdAt: daysAgo(8) },
          previous: { versionId: 'v-prev', accessKeyId: HELD, createdAt: daysAgo(8) },
          pending: { versionId: 'old-run', accessKeyId: HELD, createdAt: daysAgo(1) },
        }),
        keys: [key(HELD, 8), key(OTHER, 20, { lastUsedAt: daysAgo(9) })],
      }),
      action: 'repair',
      cleanup: ['promote-pending:old-run', `deactivate-key:${OTHER}`],
    },
    {
      rule: "moves nothing back when the secret's current version already holds the connection's key",
      facts: facts({ secret: secret({ previous: { versionId: 'v-prev', accessKeyId: HELD, createdAt: daysAgo(9) } }) }),
      action: 'rotate',
      cleanup: [],
    },
    {
      rule: "refuses a used key that this run's own pending version records (only a never-used one is an orphan)",
      facts: facts({
        secret: secret({ pending: { versionId: ROTATION_ID, accessKeyId: OTHER, createdAt: ago(10 * MINUTE) } }),
        keys: [key(HELD, 8), key(OTHER, 0, { createdAt: ago(10 * MINUTE), lastUsedAt: ago(5 * MINUTE) })],
      }),
      action: 'refuse',
      code: 'UnknownActiveKeyError',
      cleanup: [],
    },
    {
      rule: 'deletes at once, in emergency mode, a retired key a failed revoke left active and unused',
      facts: facts({
        mode: 'emergency',
        secret: secret({ previous: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(16) } }),
        keys: [key(HELD, 2), key(OTHER, 16, { lastUsedAt: daysAgo(8) })],
      }),
      action: 'rotate',
      cleanup: [`delete-key:${OTHER}`],
    },
    {
      rule: 'refuses an emergency rotation of a young key while a retired key is in use (IAM allows two keys)',
      facts: facts({
        mode: 'emergency',
        secret: secret({ previous: { versionId: 'v0', accessKeyId: OTHER, createdAt: daysAgo(16) } }),
        keys: [key(HELD, 2), key(OTHER, 16, { lastUsedAt: daysAgo(1) })],
      }),
      action: 'refuse',
      code: 'RetiredKeyInUseError',
      cleanup: [],
    },
    {
      rule: 'rotates when the secret does not exist yet (it is created)',
      facts: facts({ secret: { exists: false, current: null, pending: null, previous: null } }),
      action: 'rotate',
    },
  ];

  for (const row of table) {
    it(row.rule, () => {
      // Act
      const plan = decidePlan(row.facts);

      // Assert
      expect(plan.action).toBe(row.action);
      if (row.code) expect(plan.code).toBe(row.code);
      if (row.cleanup) {
        expect(plan.cleanup.map((c) => `${c.kind}:${'accessKeyId' in c ? c.accessKeyId : c.versionId}`)).toEqual(
          row.cleanup,
        );
      }
      expect(plan.reason.length).toBeGreaterThan(10);
    });
  }

  it('never plans to delete the key the connection holds', () => {
    // Arrange: the held key is the secret's previous and inactive-looking history must not matter
    const f = facts({ secret: secret({ previous: { versionId: 'v0', accessKeyId: HELD, createdAt: daysAgo(20) } }) });

    // Act
    const plan = decidePlan(f);

    // Assert
    expect(plan.cleanup.filter((c) => c.kind === 'delete-key' && c.accessKeyId === HELD)).toEqual([]);
  });

  it('names the connection and what to do in a refusal', () => {
    const plan = decidePlan(facts({ connection: connection({ usesOidc: true }) }));
    expect(plan.reason).toContain('aws-prod');
    expect(plan.reason).toContain('keyless');
  });

  it('does the same for the same facts', () => {
    expect(decidePlan(facts())).toEqual(decidePlan(facts()));
  });
});
