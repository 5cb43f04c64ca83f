/**
 * Pacing one Azure DevOps identity from its rate-limit headers (src/adapters/azure-devops/pacing.ts),
 * and a blocked identity ending in AzureDevOpsRateLimitedError, against the stand-in's model of
 * Azure DevOps' usage limit (local/ado-stand-in/usage.ts) on real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IdentityPacer, RATE_LIMIT_PACING, readRateLimitHeaders } from '../../../src/adapters/azure-devops/pacing.js';
import { AzureDevOpsRateLimitedError } from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { type AdoStandIn, startAdoStandIn, type UsageModel } from '../../../local/ado-stand-in/index.js';
import { makeAdapter } from './support/test-kit.js';

const PAT = 'pacing-pat-0123456789abcdefghijklmnopqrstuvwxyz0123456';
const PAT_PARAMETER = '/rotator/ado/pat';
const OLD = { accessKeyId: 'AKIAOLDKEY000000001', secretAccessKey: 'old/Secret+Key0123456789abcdefghijklmnop' };
const NOW = 1_800_000_000_000;

describe('Class: IdentityPacer', () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it('waits nothing while plenty of the limit remains', () => {
    // Prepare
    const pacer = new IdentityPacer();
    const reset = String((NOW + 300_000) / 1000);

    // Act
    pacer.observe(
      readRateLimitHeaders(
        headers({ 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '150', 'x-ratelimit-reset': reset }),
        NOW,
      ),
      NOW,
    );

    // Assess
    expect(pacer.waitBefore(NOW).waitMs).toBe(0);
  });

  it('spreads what remains until the reset once under a fifth of the limit', () => {
    // Prepare
    const pacer = new IdentityPacer();
    const reset = String((NOW + 20_000) / 1000);

    // Act
    pacer.observe(
      readRateLimitHeaders(
        headers({ 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': reset }),
        NOW,
      ),
      NOW,
    );

    // Assess: 20 s for the 3 left and the next one
    expect(pacer.waitBefore(NOW)).toMatchObject({ waitMs: 5_000 });
    expect(pacer.waitBefore(NOW).reason).toContain('3 of 200 TSTUs left');
  });

  it('waits as long as the service delayed the last request, and as long as Retry-After says', () => {
    // Prepare
    const delayed = new IdentityPacer();
    const told = new IdentityPacer();

    // Act
    delayed.observe(readRateLimitHeaders(headers({ 'x-ratelimit-delay': '2.5' }), NOW), NOW);
    told.observe(
      readRateLimitHeaders(headers({ 'retry-after': '120', 'x-ratelimit-resource': 'Core:TSTU' }), NOW),
      NOW,
    );

    // Assess
    expect(delayed.waitBefore(NOW).waitMs).toBe(2_500);
    expect(delayed.waitBefore(NOW + 1_000).waitMs).toBe(1_500);
    expect(told.waitBefore(NOW)).toMatchObject({ waitMs: 120_000, resource: 'Core:TSTU' });
  });

  it("never paces one wait beyond the service's 30 s delay cap, except for Retry-After", () => {
    // Prepare
    const pacer = new IdentityPacer();

    // Act
    pacer.observe(readRateLimitHeaders(headers({ 'x-ratelimit-delay': '90' }), NOW), NOW);

    // Assess
    expect(pacer.waitBefore(NOW).waitMs).toBe(RATE_LIMIT_PACING.maxPacingWaitMs);
  });
});

describe('The Azure DevOps client, paced against the stand-in usage limit', () => {
  let ado: AdoStandIn | undefined;
  afterEach(async () => {
    await ado?.close();
    ado = undefined;
  });

  async function standIn(usage: UsageModel) {
    ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam'], usage });
    const ref: ConnectionRef = {
      organizationUrl: ado.organizationUrl('fabrikam'),
      project: 'Web',
      connectionName: 'aws-prod',
      credentialParameter: PAT_PARAMETER,
    };
    const id = ado.seedConnection(ref, { ...OLD });
    return { ado, ref, id };
  }

  /** The real adapter on real time (the stand-in's window slides on the wall clock). */
  function realTimeAdapter() {
    const waits: number[] = [];
    const kit = makeAdapter({
      parameters: { [PAT_PARAMETER]: PAT },
      client: {
        now: () => Date.now(),
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((resolve) => setTimeout(resolve, ms));
        },
      },
    });
    return { ...kit, waits };
  }

  it('slows a burst down before the identity is blocked: no 429 where an unpaced burst is blocked', async () => {
    // Prepare: 6 TSTUs per 1.5 s, blocked above 9
    const usage: UsageModel = { limit: 6, windowMs: 1_500, blockAt: 1.5, delayPerTstuMs: 100 };
    const { ado, ref, id } = await standIn(usage);
    const { adapter, waits } = realTimeAdapter();
    const unpaced = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const answer = await fetch(`${ref.organizationUrl}/Web/_apis/serviceendpoint/endpoints/${id}?api-version=7.1`, {
          headers: { authorization: `Basic ${Buffer.from(`:${PAT}-other`).toString('base64')}` },
        });
        statuses.push(answer.status);
      }
      return statuses;
    };

    // Act
    for (let i = 0; i < 12; i++) await adapter.readConnection(ref, id);
    const paced = ado.requests.map((r) => r.status);
    ado.setPat(`${PAT}-other`);
    const blind = await unpaced();

    // Assess
    expect(paced).toHaveLength(12);
    expect(paced.every((status) => status === 200)).toBe(true);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
    expect(blind).toContain(429);
  }, 30_000);

  it('ends with AzureDevOpsRateLimitedError, sending nothing more, when the block outlasts the budget', async () => {
    // Prepare: a ten-minute window the identity has already overrun
    const { ado, ref, id } = await standIn({ limit: 2, windowMs: 600_000, blockAt: 1 });
    const { adapter } = realTimeAdapter();
    for (let i = 0; i < 3; i++) {
      await fetch(`${ref.organizationUrl}/Web/_apis/serviceendpoint/endpoints/${id}?api-version=7.1`, {
        headers: { authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}` },
      });
    }
    const before = ado.requests.length;

    // Act
    const first = await adapter.readConnection(ref, id).catch((e: unknown) => e);
    const second = await adapter.readConnection(ref, id).catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(AzureDevOpsRateLimitedError);
    expect((first as Error).message).toMatch(
      new RegExp(`rate limiting the credential in ${PAT_PARAMETER} at .*Core:TSTU.*asked to wait \\d+ s`),
    );
    expect((first as AzureDevOpsRateLimitedError).context).toMatchObject({ rateLimitResource: 'Core:TSTU' });
    expect((first as AzureDevOpsRateLimitedError).kind).toBe('refusal');
    expect(second).toBeInstanceOf(AzureDevOpsRateLimitedError);
    expect(ado.requests.length - before).toBe(1);
  });
});
