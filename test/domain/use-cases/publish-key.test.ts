/**
 * Use case PublishKey (src/domain/use-cases/publish-key.ts), which puts the new key into every holder: its guards
 * and messages, one branch at a time, over the in-memory world: what it refuses (exact error, message and
 * context), what it changes, and what it reports.
 */
import { describe, it } from 'vitest';
import { needsEarlierStepField } from './support.js';

describe('Use case: PublishKey, its input', () => {
  it.each([
    ['publish', 'publish', 'connectionId', {}],
    ['publish', 'publish', 'pendingVersionId', { connectionId: 'c1' }],
  ] as const)('%s names step "%s" and field %s when it is missing', async (useCase, step, field, extra) => {
    await needsEarlierStepField(useCase, step, field, extra);
  });
});
