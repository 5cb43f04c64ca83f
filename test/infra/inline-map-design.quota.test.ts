import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_LIMIT_CAUSE, QUOTAS } from '../../local/local-quotas.js';
import { logger } from '../../src/adapters/observability/logger.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { type AslDefinition, runInWorld } from '../../local/local-state-machine.js';

/**
 * The design before Distributed Map (one Standard execution, every target an iteration of one inline
 * Map, every report collected into `$.reports`), as it was synthesized; kept to show why it had to go.
 */
const INLINE_DESIGN = JSON.parse(
  readFileSync(new URL('../fixtures/state-machines/inline-map-design.asl.json', import.meta.url), 'utf8'),
) as AslDefinition;

beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => logger.setLogLevel('INFO'));

describe('The inline-Map design under the Step Functions quota model', () => {
  it('fails at 500 targets as AWS would: the history limit, before the 256 KiB of reports', async () => {
    // Prepare
    const world = new FakeWorld({ targets: 500 });
    const targets = world.targets.targets.map((t) => t.name);

    // Act
    const run = await runInWorld(world, { definition: INLINE_DESIGN, input: { mode: 'rotate', targets } });

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: HISTORY_LIMIT_CAUSE });
    expect(run.quota.historyEvents).toBeGreaterThanOrEqual(QUOTAS.historyEvents.value);
    expect(world.notifier.sent).toHaveLength(0);
  }, 180_000);

  it('fails at 400 targets on the payload limit: the Map collects every report into its output', async () => {
    // Prepare: 400 targets stay under the history limit (about 54 events each).
    const world = new FakeWorld({ targets: 400 });
    const targets = world.targets.targets.map((t) => t.name);

    // Act
    const run = await runInWorld(world, { definition: INLINE_DESIGN, input: { mode: 'rotate', targets } });

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(run.cause).toContain("'rotate each target'");
    expect(run.quota.historyEvents).toBeLessThan(QUOTAS.historyEvents.value);
  }, 180_000);
});
