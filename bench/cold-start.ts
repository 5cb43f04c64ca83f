/**
 * Cold start of a BUNDLED handler, in fresh Node processes: `process.execPath` (Node 22) spawned
 * on bench/cold-start-child.mjs, which imports the bundle and invokes it once, the way Lambda's
 * runtime starts a new instance.
 *
 * The handler is `plan`: the step that touches the most services at once (SSM for the PAT, IAM,
 * Secrets Manager, Azure DevOps), so its first invocation builds the most clients. AWS answers
 * through the wire stubs over loopback HTTP (AWS_ENDPOINT_URL_<SERVICE>), Azure DevOps through the
 * stand-in; the child has the deployed environment (LOG_LEVEL=INFO, NODE_OPTIONS as the stack
 * sets it, the configuration file in LAMBDA_TASK_ROOT) and nothing inherited from this process
 * (in particular no tsx loader).
 *
 * Three clocks per run:
 * - total: this process's clock, from spawn() to the child's answer on its stdout;
 * - node start-up: the child's performance.now() when its first line runs (Node's bootstrap);
 * - module init (import of the bundle) and first invocation, from the child's clock.
 * And a floor to read them against: the same spawn of a bare Node that answers at once.
 * The runs are sequential (parallel runs on 2 cores would measure contention), after one
 * discarded warm-up run that loads the Node binary and the bundle into the page cache.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBundleWorld } from './bundle-world.js';
import { type ColdStartProfile, profileColdStart } from './cold-start-profile.js';
import { round, type Summary, summarize } from './stats.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cold-start-child.mjs');
const MARKER = '@@bench-cold-start ';

/** Median target from issue #9. */
export const COLD_START_TARGET_MS = 150;

interface ChildReport {
  startedMs: number;
  importedMs: number;
  respondedMs: number;
  cpuMs: number;
  planAction: string | null;
  error?: string;
}

export interface ColdStartRun {
  totalMs: number;
  nodeStartupMs: number;
  moduleInitMs: number;
  firstInvocationMs: number;
  cpuMs: number;
}

export interface ColdStartResult {
  handler: 'plan';
  method: string;
  runs: number;
  /** spawn() to first response. */
  total: Summary;
  /**
   * spawn() to first output of a bare `node -e` that does nothing else: what no handler can go below on this machine.
   */
  bareNode: Summary;
  nodeStartup: Summary;
  moduleInit: Summary;
  firstInvocation: Summary;
  /**
   * CPU time (user + system) of the child up to its answer: a figure that a loaded machine inflates far less than the
   * wall clock.
   */
  cpu: Summary;
  /** Median module init / median (module init + first invocation): the function's own share, runtime excluded. */
  moduleInitShareOfFunction: number;
  /** Median module init / median total. */
  moduleInitShareOfTotal: number;
  /** What the plan decided in every run (all "rotate": the handler really did its work). */
  planActions: string[];
  /** Requests the stubs and the stand-in answered per cold start. */
  requestsPerRun: { aws: number; azureDevOps: number };
  targetMs: number;
  medianUnderTarget: boolean;
  /** Where the time of one more (profiled) cold start went: bench/cold-start-profile.ts. */
  profile?: ColdStartProfile;
}

export async function measureColdStart(options: {
  bundleFile: string;
  runs: number;
  profile?: boolean;
  profileFile?: string;
}): Promise<ColdStartResult> {
  const world = await startBundleWorld(1);
  try {
    // Deployed as index.mjs next to rotation.config.json, as the stack packages it.
    const handlerFile = path.join(world.taskRoot, 'index.mjs');
    await copyFile(options.bundleFile, handlerFile);
    const env = {
      PATH: process.env.PATH ?? '',
      ...world.lambdaEnv('ado-key-rotator-plan'),
      LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const target = world.config.targets[0]?.name as string;
    const once = () => runChild(pathToFileURL(handlerFile).href, target, env);
    const bare = () =>
      spawnUntilMarker(['-e', `require('node:fs').writeSync(1, ${JSON.stringify(`${MARKER}{}\n`)})`], env);

    await once(); // warm-up, discarded
    await bare();
    const awsBefore = Object.values(world.aws.counts).reduce((a, b) => a + b, 0);
    const adoBefore = world.ado.requests.length;
    const runs: ColdStartRun[] = [];
    const actions: string[] = [];
    const bareRuns: number[] = [];
    // Interleaved, so that whatever else the machine does at the time weighs on both alike.
    for (let i = 0; i < options.runs; i++) {
      const { run, report } = await once();
      runs.push(run);
      actions.push(report.planAction ?? 'none');
      bareRuns.push((await bare()).elapsedMs);
    }
    const awsRequests = Object.values(world.aws.counts).reduce((a, b) => a + b, 0) - awsBefore;
    const adoRequests = world.ado.requests.length - adoBefore;
    const profile = options.profile
      ? await profileColdStart({ world, env, ...(options.profileFile ? { profileFile: options.profileFile } : {}) })
      : undefined;

    const total = summarize(runs.map((r) => r.totalMs));
    const moduleInit = summarize(runs.map((r) => r.moduleInitMs));
    const firstInvocation = summarize(runs.map((r) => r.firstInvocationMs));
    return {
      handler: 'plan',
      method:
        'fresh `node` (process.execPath) per run importing the esbuild bundle and invoking it once; AWS via ' +
        'the wire stubs served on loopback HTTP (AWS_ENDPOINT_URL_<SERVICE>), Azure DevOps via the local ' +
        'stand-in; sequential runs after one discarded warm-up',
      runs: runs.length,
      total,
      bareNode: summarize(bareRuns),
      nodeStartup: summarize(runs.map((r) => r.nodeStartupMs)),
      moduleInit,
      firstInvocation,
      cpu: summarize(runs.map((r) => r.cpuMs)),
      moduleInitShareOfFunction: round(moduleInit.median / (moduleInit.median + firstInvocation.median), 3),
      moduleInitShareOfTotal: round(moduleInit.median / total.median, 3),
      planActions: [...new Set(actions)],
      requestsPerRun: { aws: awsRequests / runs.length, azureDevOps: adoRequests / runs.length },
      targetMs: COLD_START_TARGET_MS,
      medianUnderTarget: total.median < COLD_START_TARGET_MS,
      ...(profile ? { profile } : {}),
    };
  } finally {
    await world.close();
  }
}

async function runChild(
  handlerUrl: string,
  targetName: string,
  env: Record<string, string>,
): Promise<{ run: ColdStartRun; report: ChildReport }> {
  const event = { rotationId: randomUUID(), targetName, mode: 'rotate', startedAt: new Date().toISOString() };
  const { elapsedMs, line } = await spawnUntilMarker(
    [CHILD, handlerUrl, JSON.stringify(event), 'ado-key-rotator-plan'],
    env,
  );
  const report = JSON.parse(line) as ChildReport;
  if (report.error) throw new Error(`the bundled plan handler failed in the cold-start child: ${report.error}`);
  return {
    report,
    run: {
      totalMs: elapsedMs,
      nodeStartupMs: report.startedMs,
      moduleInitMs: report.importedMs - report.startedMs,
      firstInvocationMs: report.respondedMs - report.importedMs,
      cpuMs: report.cpuMs,
    },
  };
}

/**
 * Spawns a fresh Node and times spawn() → the marker line on its stdout (not its exit: exit is not part of a cold
 * start).
 */
function spawnUntilMarker(args: string[], env: Record<string, string>): Promise<{ elapsedMs: number; line: string }> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    let answeredAt: number | undefined;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (answeredAt === undefined && stdout.includes(MARKER)) answeredAt = performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
      if (!line || answeredAt === undefined) {
        reject(
          new Error(
            `cold-start child exited with ${code} without a report:\n${stderr.slice(-2000)}${stdout.slice(-2000)}`,
          ),
        );
        return;
      }
      resolve({ elapsedMs: answeredAt - spawnedAt, line: line.slice(MARKER.length) });
    });
  });
}
