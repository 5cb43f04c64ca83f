import { describe, expect, it } from 'vitest';
import { DEMO_FAILURES, type DemoFailure } from '../../scripts/demo-support.js';
import { runDemo } from '../../scripts/demo.js';

const quiet = () => undefined;

describe('Demo: npm run demo', () => {
  it('rotates both seeded targets through the synthesized state machine and posts one Slack message', async () => {
    const result = await runDemo({ targets: 2, out: quiet });

    expect(result.ok).toBe(true);
    expect(result.status).toBe('SUCCEEDED');
    for (const t of result.targets) {
      expect(t.outcome).toBe('rotated');
      expect(t.connectionHolds).toBe(t.secretCurrentKeyId);
      expect(t.iamKeys).toHaveLength(2);
      expect(t.iamKeys.find((k) => k.accessKeyId === t.connectionHolds)?.status).toBe('Active');
      expect(t.iamKeys.find((k) => k.accessKeyId !== t.connectionHolds)?.status).toBe('Inactive');
    }
    expect(result.slackMessages).toHaveLength(1);
  }, 60_000);

  for (const step of Object.keys(DEMO_FAILURES) as DemoFailure[]) {
    it(`--fail-at ${step}: ends ${DEMO_FAILURES[step].expected} with the connection on a working key`, async () => {
      const result = await runDemo({ targets: 2, failAt: step, out: quiet });

      expect(result.ok).toBe(true);
      for (const t of result.targets) {
        expect(t.outcome).toBe(DEMO_FAILURES[step].expected);
        expect(t.connectionHolds).toBe(t.secretCurrentKeyId);
        expect(t.iamKeys.find((k) => k.accessKeyId === t.connectionHolds)?.status).toBe('Active');
        // Rolled back: only the old key is left; rotated: the old key is kept (active, since its revoke failed).
        expect(t.iamKeys).toHaveLength(DEMO_FAILURES[step].expected === 'rolled-back' ? 1 : 2);
      }
    }, 60_000);
  }

  it('--targets 25: rotates every target with bounded concurrency', async () => {
    const result = await runDemo({ targets: 25, out: quiet });

    expect(result.ok).toBe(true);
    expect(result.targets).toHaveLength(25);
    expect(new Set(result.targets.map((t) => t.outcome))).toEqual(new Set(['rotated']));
    expect(result.slackMessages).toHaveLength(1);
  }, 120_000);

  it('prints a timeline, the final state and the Slack message', async () => {
    let printed = '';
    await runDemo({ targets: 1, out: (t) => (printed += t) });

    expect(printed).toContain('timeline');
    expect(printed).toMatch(/verify-key\s+retry 1 after KeyNotYetUsableError/);
    expect(printed).toContain('final state');
    expect(printed).toContain('Slack message');
    expect(printed).toContain('✔ demo finished');
  }, 60_000);
});
