/**
 * Each Lambda's esbuild entry, generated from the step catalog at bundle time: there is no handler
 * file per step to write or keep in step. The entry imports the one generic handler
 * (src/handlers/lambda-handler.ts) and exactly the wiring slices the step's catalog ports need
 * (src/wiring/slices.ts), each by its own module, so the step's bundle carries no other SDK client.
 * Read by scripts/bundle.ts (npm run build, the bundle test, the benchmarks) and by the construct
 * (NodejsFunction needs an entry file: `writeHandlerEntries`).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type LambdaStep, LAMBDA_STEPS } from '../src/domain/lifecycle/catalog.js';
import { SLICE_MODULES, sliceNamesFor } from '../src/wiring/slices.js';

/** The generic handler every entry calls, relative to the package root. */
export const GENERIC_HANDLER = path.join('src', 'handlers', 'lambda-handler.ts');

/** The TypeScript source of `step`'s entry; imports are absolute paths under `root` (the package root). */
export function handlerEntrySource(step: LambdaStep, root: string): string {
  const slices = sliceNamesFor(step).map((name) => SLICE_MODULES[name]);
  const modules = [...new Set(slices.map((slice) => slice.module))];
  const imports = modules.map((module) => {
    const names = slices.filter((slice) => slice.module === module).map((slice) => slice.exportName);
    const file = path.join(root, 'src', 'wiring', `${module}.ts`);
    return `import { ${names.join(', ')} } from ${JSON.stringify(file)};`;
  });
  return [
    `// The Lambda entry of step "${step}", generated from the step catalog (infra/handler-entries.ts).`,
    `import { lambdaHandler } from ${JSON.stringify(path.join(root, GENERIC_HANDLER))};`,
    ...imports,
    `export const handler = lambdaHandler(${JSON.stringify(step)}, [${slices.map((s) => s.exportName).join(', ')}]);`,
    '',
  ].join('\n');
}

/**
 * Where the construct writes the entries: NodejsFunction wants an entry under the project root, and a
 * tool's cache folder keeps them out of the sources (they are regenerated at every synth).
 */
export const ENTRIES_DIR = path.join('node_modules', '.cache', 'ado-key-rotator', 'handler-entries');

/**
 * Writes every step's entry (`<step>.ts`) into `dir` (default: `ENTRIES_DIR` under `root`) and returns
 * their paths by step. Each file is written whole and renamed into place, so a synth running next to
 * another never reads half an entry.
 */
export function writeHandlerEntries(
  root: string,
  steps: readonly LambdaStep[] = LAMBDA_STEPS,
  dir = path.join(root, ENTRIES_DIR),
): Record<LambdaStep, string> {
  mkdirSync(dir, { recursive: true });
  const files = {} as Record<LambdaStep, string>;
  for (const step of steps) {
    files[step] = path.join(dir, `${step}.ts`);
    const partial = `${files[step]}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(partial, handlerEntrySource(step, root));
    renameSync(partial, files[step]);
  }
  return files;
}
