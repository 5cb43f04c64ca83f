import { describe, expect, it } from 'vitest';
import { LAMBDA_STEPS } from '../../src/domain/lifecycle/catalog.js';
import { slicesFor } from '../../src/wiring/index.js';

describe('Lambda handlers and the step catalog', () => {
  it.each(LAMBDA_STEPS)(
    '%s: a handler exists and builds its container from exactly the slices its catalog ports need',
    async (step) => {
      // Prepare
      const module = (await import(`../../src/handlers/${step}.ts`)) as {
        handler: { step: string; wiring: readonly unknown[] };
      };

      // Act
      const { step: named, wiring } = module.handler;

      // Assess
      expect(named).toBe(step);
      expect(new Set(wiring)).toEqual(new Set(slicesFor(step)));
      expect(wiring).toHaveLength(new Set(wiring).size);
    },
  );
});
