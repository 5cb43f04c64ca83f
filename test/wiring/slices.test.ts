import { describe, expect, it } from 'vitest';
import { type SliceName, SLICE_MODULES, SLICES } from '../../src/wiring/index.js';

describe('wiring slices named as data', () => {
  it.each(Object.keys(SLICE_MODULES) as SliceName[])(
    '%s: the module and export the bundler imports are the slice the container uses',
    async (name) => {
      // Prepare
      const { module, exportName } = SLICE_MODULES[name];

      // Act
      const exported = ((await import(`../../src/wiring/${module}.ts`)) as Record<string, unknown>)[exportName];

      // Assess
      expect(exported).toBe(SLICES[name]);
    },
  );
});
