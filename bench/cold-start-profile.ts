/**
 * Where a cold start's time goes: one more cold start of the `plan` handler (the same bundle,
 * environment and world as bench/cold-start.ts), run with `--cpu-prof`, summarized by what the
 * CPU was doing. The bundle is rebuilt with an external source map (same code: only the .map file
 * is added), so that each sample in the bundle is attributed to its npm package or source folder.
 * The raw profile can be kept (`profileFile`) and opened in Chrome DevTools (Performance panel).
 *
 * Categories (self time of the sampled frames):
 * - `compile the bundle (V8 parse)`: Node compiling the bundle's source text as a module;
 * - `Node built-in modules`: loading and running Node's own `node:*` modules (http, crypto...);
 * - `undici`: Node's bundled fetch implementation (a cost only when something loads it);
 * - `bundle: <package>`: the bundle's own code, by the package it comes from;
 * - `garbage collection`, `V8/native (program)` and `idle` (waiting for the stubs to answer).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '../infra/bundle-options.js';
import { handlerEntrySource } from '../infra/handler-entries.js';
import type { BundleWorld } from './bundle-world.js';
import { round } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = path.join(ROOT, 'bench', 'cold-start-child.mjs');

export interface ColdStartProfile {
  method: string;
  /** Sampled time, spawn of the profiler to exit (ms). */
  sampledMs: number;
  /** Self time per category, largest first (ms, and share of the sampled time). */
  breakdown: Array<{ category: string; ms: number; share: number }>;
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

export async function profileColdStart(options: {
  world: BundleWorld;
  env: Record<string, string>;
  profileFile?: string;
}): Promise<ColdStartProfile> {
  const dir = await mkdtemp(path.join(options.world.taskRoot, 'profile-'));
  try {
    const bundle = path.join(dir, 'index.mjs');
    await build({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      // The plan Lambda's entry, generated from the step catalog as the deployed bundle's is.
      stdin: { contents: handlerEntrySource('plan', ROOT), resolveDir: ROOT, sourcefile: 'plan.ts', loader: 'ts' },
      outfile: bundle,
      sourcemap: 'external',
      sourcesContent: false,
      logLevel: 'warning',
    });
    await copyFile(path.join(options.world.taskRoot, 'rotation.config.json'), path.join(dir, 'rotation.config.json'));
    const event = {
      rotationId: randomUUID(),
      targetName: options.world.config.targets[0]?.name,
      mode: 'rotate',
      startedAt: new Date().toISOString(),
    };
    const profDir = path.join(dir, 'prof');
    await new Promise<void>((resolve, reject) => {
      const args = [
        '--cpu-prof',
        '--cpu-prof-interval',
        '100',
        '--cpu-prof-dir',
        profDir,
        CHILD,
        pathToFileURL(bundle).href,
        JSON.stringify(event),
        'ado-key-rotator-plan',
      ];
      const child = spawn(process.execPath, args, {
        env: { ...options.env, LAMBDA_TASK_ROOT: dir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`profiled cold start exited ${code}: ${stderr.slice(-1000)}`)),
      );
    });
    const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled cold start wrote no .cpuprofile');
    const raw = await readFile(path.join(profDir, file), 'utf8');
    if (options.profileFile) await copyFile(path.join(profDir, file), options.profileFile);
    const map = new SourceMap(JSON.parse(await readFile(`${bundle}.map`, 'utf8')));
    return summarizeProfile(JSON.parse(raw) as CpuProfile, pathToFileURL(bundle).href, map);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function summarizeProfile(profile: CpuProfile, bundleUrl: string, map: SourceMap): ColdStartProfile {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let sampled = 0;
  for (const [i, id] of profile.samples.entries()) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    sampled += ms;
    const frame = byId.get(id)?.callFrame;
    const category = frame ? categorize(frame, bundleUrl, map) : 'unknown';
    totals.set(category, (totals.get(category) ?? 0) + ms);
  }
  const breakdown = [...totals]
    .map(([category, ms]) => ({ category, ms: round(ms), share: round(ms / sampled, 3) }))
    .sort((a, b) => b.ms - a.ms);
  return {
    method:
      'one extra cold start of the plan bundle (rebuilt with an external source map) under `node --cpu-prof` ' +
      '(100 µs sampling); self time per category',
    sampledMs: round(sampled),
    breakdown,
  };
}

function categorize(frame: CpuProfile['nodes'][number]['callFrame'], bundleUrl: string, map: SourceMap): string {
  if (frame.functionName === 'compileSourceTextModule') return 'compile the bundle (V8 parse)';
  if (frame.url === bundleUrl) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
    const source = entry.originalSource ?? '';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
    return `bundle: ${pkg ?? (source ? source.replace(/^.*?\/(src\/[^/]+).*$/, '$1') : 'unmapped')}`;
  }
  if (frame.url.includes('undici')) return 'undici';
  if (frame.url.startsWith('node:')) return 'Node built-in modules';
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(idle)') return 'idle (waiting for answers)';
  if (frame.functionName === '(program)') return 'V8/native (program)';
  return frame.url ? `other: ${path.basename(frame.url)}` : `native: ${frame.functionName || 'anonymous'}`;
}
