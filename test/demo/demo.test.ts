import { describe, expect, it } from 'vitest';
import { DEMO_FAILURES, type DemoFailure } from '../../scripts/demo-support.js';
import { runDemo } from '../../scripts/demo.js';
import { startAdoStandIn } from '../../local/ado-stand-in/index.js';

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

  it("--holders: rotates a second connection and a variable group with the first, keeping the group's " +
    'other secret, and proves the new key with a canary run before the old key retires', async () => {
    // Prepare
    let printed = '';

    // Act
    const result = await runDemo({ targets: 1, holders: true, out: (t) => (printed += t) });

    // Assess
    expect(result.ok).toBe(true);
    const newKey = result.targets[0]?.connectionHolds;
    expect(newKey).toBeTruthy();
    expect(printed).toMatch(new RegExp(`connection aws-payments-prod-eu \\S+ holds ${newKey}`));
    expect(printed).toContain(
      `variable group aws-deploy-payments-prod (1) holds ${newKey}; its other secret TF_TOKEN kept as it was`,
    );
    // The canary: queued and polled in the timeline, run with the new key, and in the Slack message.
    expect(printed).toMatch(/payments-prod\s+✓ canary /);
    expect(printed).toMatch(/payments-prod\s+✓ check-canary /);
    expect(printed).toContain(`canary pipeline 42: run 1001 ran with ${newKey}: completed, succeeded`);
    expect(printed).toContain('*Canary:* run 20260105.1001 of pipeline 42: succeeded');
    expect(printed).toMatch(/\*Holders \(3\):\* connection "aws-payments-prod" in project "payments" · connection/);
  }, 60_000);

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
    // The virtual clock's projection: one rotation with its verify-key retry, about 10 s on AWS.
    const projected = Number(/on AWS this run would take about ([\d.]+) s/.exec(printed)?.[1]);
    expect(projected).toBeGreaterThan(5);
    expect(projected).toBeLessThan(20);
  }, 60_000);

  it('tells the truth about time: the durations it reports are labelled simulated, and the timeline and ' +
    'Slack agree', async () => {
    // Prepare
    let printed = '';

    // Act
    await runDemo({ targets: 2, out: (t) => (printed += t) });

    // Assess: every reported duration in the timeline appears in the Slack message, and both say "simulated".
    const timeline = printed.slice(printed.indexOf('timeline'), printed.indexOf('final state'));
    const slack = printed.slice(printed.indexOf('Slack message'));
    const reported = [...timeline.matchAll(/reported duration ([\d.]+) s, simulated clock/g)].map((m) => m[1]);
    const tookInSlack = [...slack.matchAll(/New key .* took ([\d.]+) s/g)].map((m) => m[1]);
    expect(reported).toHaveLength(2);
    expect(tookInSlack.sort()).toEqual([...reported].sort());
    expect(timeline).toContain('simulated clock');
    expect(slack.split('\n')[0]).toContain('simulated clock');
  }, 60_000);

  it("--ado-url: runs one target's Azure DevOps half against a given server (here a stand-in), dry run " +
    'unless --yes', async () => {
    // Arrange: "someone else's" Azure DevOps with one AWS connection holding a key.
    const server = await startAdoStandIn({
      pat: 'real-org-pat-000000000000000000000000000000000',
      organizations: ['fabrikam'],
    });
    try {
      const ref = { organizationUrl: server.organizationUrl('fabrikam'), project: 'web', connectionName: 'aws-deploy' };
      const id = server.seedConnection(ref, {
        accessKeyId: 'AKIAEXISTING00000001',
        secretAccessKey: 'existing-secret-00000000000000000000000000',
      });
      const realAdo = {
        url: ref.organizationUrl,
        project: 'web',
        connection: 'aws-deploy',
        pat: 'real-org-pat-000000000000000000000000000000000',
      };

      // Act
      const dry = await runDemo({ targets: 1, realAdo, out: quiet });
      const unchanged = server.connection(id)?.accessKeyId;
      const published = await runDemo({ targets: 1, realAdo, publishToRealAdo: true, out: quiet });

      // Assert
      expect(dry.ok).toBe(true);
      expect(dry.targets[0]?.outcome).toBe('planned');
      expect(unchanged).toBe('AKIAEXISTING00000001');
      expect(published.ok).toBe(true);
      expect(published.targets[0]?.outcome).toBe('rotated');
      expect(server.connection(id)?.accessKeyId).toBe(published.targets[0]?.secretCurrentKeyId);
      expect(server.connection(id)?.id).toBe(id);
    } finally {
      await server.close();
    }
  }, 60_000);
});
