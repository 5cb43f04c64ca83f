import { describe, expect, it } from 'vitest';
import { runDemo } from '../../scripts/demo.js';

describe('Demo: npm run demo -- --federated', () => {
  it('rotates every target with no Azure DevOps secret in the configuration or in SSM', async () => {
    // Prepare
    let printed = '';

    // Act
    const result = await runDemo({ targets: 2, federated: true, out: (text) => (printed += text) });

    // Assess
    expect(result.ok).toBe(true);
    for (const t of result.targets) {
      expect(t.outcome).toBe('rotated');
      expect(t.connectionHolds).toBe(t.secretCurrentKeyId);
    }
    expect(result.world.parameters.names()).toEqual(['/ado-key-rotator/slack/webhook-url']);
    expect(printed).toContain('no Azure DevOps secret anywhere');
    expect(printed).toMatch(
      /sts:GetWebIdentityToken calls \(regional endpoint, audience api:\/\/AzureADTokenExchange\): [1-9]/,
    );
    expect(printed).toMatch(/Entra token exchanges \(client_assertion, app [0-9a-f-]+\): [1-9]/);
    expect(printed).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
  }, 60_000);

  it("leaves the environment as it found it (the stand-in credentials are the demo's only)", async () => {
    // Prepare
    const before = process.env.AWS_ACCESS_KEY_ID;

    // Act
    await runDemo({ targets: 1, federated: true, out: () => undefined });

    // Assess
    expect(process.env.AWS_ACCESS_KEY_ID).toBe(before);
  }, 60_000);
});
