/**
 * Deployment size of each handler: the esbuild bundle exactly as deployed (ESM, minified, AWS SDK
 * bundled rather than taken from the runtime, so the pinned SDK version is the one that runs),
 * raw and gzipped. Lambda stores a zip; gzip (zlib, default level 6) is within a few percent of its
 * deflate and needs no archive tool.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { type BundleResult, bundleHandlers, type HandlerName } from '../scripts/bundle.js';

/** Every handler must stay under this, gzipped (issue #9). */
export const GZIP_TARGET_BYTES = 150 * 1024;

/**
 * What the product replaces, for scale: the well-known blog implementation ships its Azure DevOps
 * step as a container image with the Azure CLI inside. The figure is quoted from issue #9, not
 * measured here (this machine has no network).
 */
export const REPLACED_IMPLEMENTATION = {
  what: 'Azure DevOps step of the blog implementation: container image with the Azure CLI',
  bytes: 299 * 1024 * 1024,
};

export interface HandlerSize {
  handler: HandlerName;
  rawBytes: number;
  gzipBytes: number;
}

export interface Contributor {
  /** An npm package (`@aws-sdk/client-iam`), or `(project source)` for src/. */
  name: string;
  bytes: number;
  share: number;
}

export interface BundleSizeResult {
  handlers: HandlerSize[];
  largest: { handler: HandlerName; topContributors: Contributor[] };
  targetGzipBytes: number;
  allUnderTarget: boolean;
  replacedImplementation: typeof REPLACED_IMPLEMENTATION;
}

export async function measureBundleSizes(
  outDir: string,
  bundles?: BundleResult[],
): Promise<{ result: BundleSizeResult; bundles: BundleResult[] }> {
  const built = bundles ?? (await bundleHandlers(outDir));
  const handlers: HandlerSize[] = [];
  for (const bundle of built) {
    const code = await readFile(bundle.file);
    handlers.push({ handler: bundle.name, rawBytes: code.length, gzipBytes: gzipSync(code).length });
  }
  const largest = [...handlers].sort((a, b) => b.gzipBytes - a.gzipBytes)[0];
  if (!largest) throw new Error('no handler was bundled');
  const largestBundle = built.find((b) => b.name === largest.handler) as BundleResult;
  return {
    bundles: built,
    result: {
      handlers,
      largest: { handler: largest.handler, topContributors: topContributors(largestBundle.metafile, 10) },
      targetGzipBytes: GZIP_TARGET_BYTES,
      allUnderTarget: handlers.every((h) => h.gzipBytes < GZIP_TARGET_BYTES),
      replacedImplementation: REPLACED_IMPLEMENTATION,
    },
  };
}

/**
 * The bytes each package contributes to the (single) output of a metafile, largest first.
 * `bytesInOutput` is after minification and tree shaking: what the package really costs.
 */
export function topContributors(metafile: Metafile, count: number): Contributor[] {
  const output = Object.values(metafile.outputs)[0];
  if (!output) return [];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  const total = output.bytes;
  return [...byPackage.entries()]
    .map(([name, bytes]) => ({ name, bytes, share: Math.round((bytes / total) * 1000) / 10 }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

/** `node_modules/@smithy/core/dist-es/x.js` → `@smithy/core`; nested node_modules count as the innermost package. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.startsWith('src/') ? '(project source)' : input;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
}
