import { AzureDevOpsHttpClient } from '../src/adapters/azure-devops/http-client.js';
/**
 * The Azure DevOps half of a rotation, timed: the REAL adapter (AzureDevOpsServiceConnectionAdapter,
 * global fetch, default client options) against the local stand-in over loopback HTTP, doing what
 * the state machine asks of it for one connection: find it by name, read it by id, update its
 * credential in place, read it back to verify. Every request is counted at the stand-in, per
 * operation, so the table says exactly which requests a rotation costs.
 *
 * The PAT comes from an in-memory parameter store: in a Lambda it is an SSM read cached by
 * Powertools for a minute, so a cached read is the representative case. No logger is given to the
 * adapter (its one INFO line per update is not what is measured).
 */
import { randomBytes } from 'node:crypto';
import { AzureDevOpsServiceConnectionAdapter } from '../src/adapters/azure-devops/index.js';
import type { ConnectionRef } from '../src/domain/model.js';
import { SecretValue } from '../src/domain/secret-value.js';
import { startAdoStandIn } from '../local/ado-stand-in/index.js';
import { FakeSecureParameters } from '../local/fakes/fake-targets.js';
import { BENCH_PAT, PAT_PARAMETER } from './bundle-world.js';
import { type Summary, summarize } from './stats.js';

export const PUBLISH_TARGET_MS = 20;
export const PUBLISH_TARGET_REQUESTS = 4;

const OPERATIONS = ['find', 'read', 'update', 'verify'] as const;
type Operation = (typeof OPERATIONS)[number];

export interface PublishResult {
  method: string;
  runs: number;
  warmupRuns: number;
  /** One whole find → read → update → verify sequence. */
  total: Summary;
  byOperation: Record<Operation, { time: Summary; requests: string[] }>;
  /** Requests the stand-in answered per run (the same in every run, or the bench fails). */
  requestsPerRun: number;
  targetRequests: number;
  targetMs: number;
  medianUnderTarget: boolean;
  /** Every run ended with the connection holding the new key, under the same id. */
  allVerified: boolean;
}

export async function measurePublish(options: { runs: number; warmupRuns: number }): Promise<PublishResult> {
  const ado = await startAdoStandIn({ pat: BENCH_PAT, organizations: ['contoso'] });
  try {
    const ref: ConnectionRef = {
      organizationUrl: ado.organizationUrl('contoso'),
      project: 'payments',
      connectionName: 'aws-payments-prod',
      credentialParameter: PAT_PARAMETER,
    };
    const seeded = ado.seedConnection(ref, {
      accessKeyId: 'AKIABENCH00000000000',
      secretAccessKey: 'bench/seed/secret/0000000000000000000000',
      projects: ['payments', 'shared-services'],
    });
    const adapter = new AzureDevOpsServiceConnectionAdapter(
      new AzureDevOpsHttpClient(new FakeSecureParameters({ [PAT_PARAMETER]: BENCH_PAT })),
    );

    const times: Record<Operation, number[]> = { find: [], read: [], update: [], verify: [] };
    const requests: Record<Operation, string[]> = { find: [], read: [], update: [], verify: [] };
    const totals: number[] = [];
    let allVerified = true;
    const perRun = new Set<number>();

    for (let i = 0; i < options.warmupRuns + options.runs; i++) {
      const measured = i >= options.warmupRuns;
      const newKeyId = `AKIABENCH${String(i).padStart(11, '0')}`;
      const credential = {
        accessKeyId: newKeyId,
        secretAccessKey: new SecretValue(randomBytes(30).toString('base64').slice(0, 40)),
      };
      const before = ado.requests.length;
      const runStart = performance.now();
      let id = '';
      let held: string | null = null;
      const steps: Record<Operation, () => Promise<void>> = {
        find: async () => {
          id = (await adapter.findConnection(ref)).id;
        },
        read: async () => {
          await adapter.readConnection(ref, id);
        },
        update: async () => {
          await adapter.updateCredential(ref, id, credential);
        },
        verify: async () => {
          held = (await adapter.readConnection(ref, id)).heldAccessKeyId;
        },
      };
      for (const operation of OPERATIONS) {
        const mark = ado.requests.length;
        const start = performance.now();
        await steps[operation]();
        if (!measured) continue;
        times[operation].push(performance.now() - start);
        // The request list of one run describes them all; the per-run count below checks that.
        if (requests[operation].length === 0) requests[operation] = ado.requests.slice(mark).map(describeRequest);
      }
      if (!measured) continue;
      totals.push(performance.now() - runStart);
      perRun.add(ado.requests.length - before);
      if (id !== seeded || held !== newKeyId || ado.connection(seeded)?.accessKeyId !== newKeyId) allVerified = false;
    }
    if (perRun.size !== 1) throw new Error(`the number of requests per run varied: ${[...perRun].join(', ')}`);
    const total = summarize(totals);
    const requestsPerRun = [...perRun][0] as number;
    return {
      method:
        `real AzureDevOpsServiceConnectionAdapter → local stand-in over loopback HTTP; ${options.runs} ` +
        `sequential runs after ${options.warmupRuns} discarded warm-up runs`,
      runs: options.runs,
      warmupRuns: options.warmupRuns,
      total,
      byOperation: Object.fromEntries(
        OPERATIONS.map((op) => [op, { time: summarize(times[op]), requests: requests[op] }]),
      ) as PublishResult['byOperation'],
      requestsPerRun,
      targetRequests: PUBLISH_TARGET_REQUESTS,
      targetMs: PUBLISH_TARGET_MS,
      medianUnderTarget: total.median < PUBLISH_TARGET_MS,
      allVerified,
    };
  } finally {
    await ado.close();
  }
}

/** "GET list by name" / "GET by id" / "PUT by id": what a request is, without ids or query values. */
function describeRequest(request: {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}): string {
  const byId = /\/endpoints\/[^/]+$/.test(request.path);
  const what = byId ? 'by id' : request.query.endpointNames ? 'list by name' : 'list';
  return `${request.method} ${what} → ${request.status}`;
}
