/**
 * Use case PromoteSecret (src/domain/use-cases/promote-secret.ts), which makes the pending secret version current:
 * its guards and messages, one branch at a time, over the in-memory world: what it refuses (exact error, message
 * and context), what it changes, and what it reports.
 */
import { describe, it } from 'vitest';
import { needsEarlierStepField } from './support.js';

describe('Use case: PromoteSecret, its input', () => {
  it.each([['promote', 'promote', 'pendingVersionId', {}]] as const)(
    '%s names step "%s" and field %s when it is missing',
    async (useCase, step, field, extra) => {
      await needsEarlierStepField(useCase, step, field, extra);
    },
  );
});
