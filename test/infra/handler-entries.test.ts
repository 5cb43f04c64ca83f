import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { handlerEntrySource, writeHandlerEntries } from '../../infra/handler-entries.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../src/domain/lifecycle/catalog.js';
import { SLICE_MODULES, slicesFor } from '../../src/wiring/index.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'entries-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Lambda entries generated from the step catalog', () => {
  const files = writeHandlerEntries(ROOT, LAMBDA_STEPS, dir);

  it.each(LAMBDA_STEPS)(
    '%s: its entry exports a handler for that step, built from exactly the slices its catalog ports need',
    async (step: LambdaStep) => {
      // Prepare
      const file = files[step];

      // Act
      const module = (await import(pathToFileURL(file).href)) as {
        handler: { step: string; wiring: readonly unknown[] };
      };

      // Assess
      expect(module.handler.step).toBe(step);
      expect(new Set(module.handler.wiring)).toEqual(new Set(slicesFor(step)));
      expect(module.handler.wiring).toHaveLength(new Set(module.handler.wiring).size);
    },
  );

  it('imports no wiring module the step does not need (its bundle carries no other SDK client)', () => {
    // Prepare
    const wiringImports = (step: LambdaStep) =>
      [...readFileSync(files[step], 'utf8').matchAll(/from "([^"]+)"/g)]
        .map((m) => m[1] as string)
        .filter((file) => file.includes(`${path.sep}wiring${path.sep}`))
        .map((file) => path.basename(file, '.ts'))
        .sort();

    // Act
    const verifyKey = wiringImports('verify-key');
    const promote = wiringImports('promote');

    // Assess
    expect(verifyKey).toEqual([SLICE_MODULES.secrets.module, SLICE_MODULES.sts.module].sort());
    expect(promote).toEqual([SLICE_MODULES.secrets.module]);
  });

  it('imports the sources of the root it is given, by absolute path', () => {
    // Act
    const source = handlerEntrySource('publish', '/somewhere/else');

    // Assess
    expect(source).toContain('"/somewhere/else/src/handlers/lambda-handler.ts"');
    expect(source).toContain('export const handler = lambdaHandler("publish", [secretsWiring, azureDevOpsWiring]);');
  });
});
