/**
 * Warm duration of every step, as deployed: the esbuild bundles imported into this process (one
 * module instance per function, each with its own container and SDK clients, as separate Lambda
 * functions have), invoked in the state machine's order for one target after another. AWS answers
 * through the wire stubs over loopback HTTP, Azure DevOps through the stand-in; the functions log
 * at INFO and emit their metrics as deployed (the output is captured and dropped).
 *
 * The first rotation warms every function (module init, client construction, first connections)
 * and is discarded: the figures are warm invocations. They feed the Lambda half of the cost
 * (bench/cost.ts), with the number of remote calls each step makes, because on AWS each of those
 * waits on a real network, which loopback does not show.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { BundleResult, HandlerName } from '../scripts/bundle.js';
import type { RotationState } from '../src/domain/rotation-state.js';
import { captureOutput } from '../local/capture-output.js';
import { lambdaContext, startBundleWorld } from './bundle-world.js';
import { type Summary, summarize } from './stats.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** The steps of a successful rotation, in order (rollback does not run). */
const ROTATION_STEPS = [
  'plan',
  'cleanup',
  'create',
  'verify-key',
  'publish',
  'verify-publish',
  'promote',
  'revoke',
  'report',
] as const;

export interface StepDuration {
  time: Summary;
  /** Remote calls per invocation: AWS API requests and Azure DevOps requests. */
  awsCalls: number;
  azureDevOpsCalls: number;
}

export interface WarmDurationsResult {
  method: string;
  rotations: number;
  steps: Record<string, StepDuration>;
}

export async function measureWarmDurations(options: {
  bundles: BundleResult[];
  rotations: number;
}): Promise<WarmDurationsResult> {
  const world = await startBundleWorld(options.rotations + 1);
  const savedEnv = { ...process.env };
  try {
    // Read by each bundle when it loads (logger) or first runs (SDK clients, configuration).
    Object.assign(process.env, world.lambdaEnv('ado-key-rotator-bench'), { LOG_LEVEL: 'INFO' });
    const handlers = {} as Record<HandlerName, Handler>;
    for (const bundle of options.bundles) {
      // A query string makes each measurement load fresh module instances (a new "function").
      const url = `${pathToFileURL(bundle.file).href}?warm=${randomUUID()}`;
      handlers[bundle.name] = ((await import(url)) as { handler: Handler }).handler;
    }

    const samples: Record<string, number[]> = {};
    const calls: Record<string, { aws: number; ado: number }> = {};
    const awsTotal = () => Object.values(world.aws.counts).reduce((a, b) => a + b, 0);
    const invoke = async (step: HandlerName, input: unknown, measured: boolean) => {
      const aws = awsTotal();
      const ado = world.ado.requests.length;
      const start = performance.now();
      const output = await handlers[step](structuredClone(input), lambdaContext(`ado-key-rotator-${step}`));
      const elapsed = performance.now() - start;
      if (measured) {
        samples[step] = [...(samples[step] ?? []), elapsed];
        const c = calls[step] ?? { aws: 0, ado: 0 };
        calls[step] = { aws: c.aws + awsTotal() - aws, ado: c.ado + world.ado.requests.length - ado };
      }
      return output;
    };

    const { error } = await captureOutput(async () => {
      for (const [index, target] of world.config.targets.entries()) {
        const measured = index > 0;
        let state = {
          rotationId: randomUUID(),
          targetName: target.name,
          mode: 'rotate',
          startedAt: new Date().toISOString(),
        } as unknown as RotationState;
        for (const step of ROTATION_STEPS) {
          if (step === 'verify-key') {
            // IAM has propagated the new key: STS accepts it (the retry on KeyNotYetUsable is counted by the scale
            // run).
            world.aws.sts.addKey(state.newAccessKeyId as string, world.aws.iam.userArn(target.iamUserName));
          }
          const output = await invoke(step, state, measured);
          if (step === 'report') {
            const outcome = (output as { outcome?: string }).outcome;
            if (outcome !== 'rotated')
              throw new Error(
                `the bundles did not rotate ${target.name}: ${outcome} (${JSON.stringify(output).slice(0, 500)})`,
              );
            await invoke(
              'notify',
              { executionId: 'bench', mode: 'rotate', startedAt: state.startedAt, reports: [output] },
              measured,
            );
          } else {
            state = output as RotationState;
          }
        }
      }
    });
    if (error) throw error;

    const steps: Record<string, StepDuration> = {};
    for (const [step, values] of Object.entries(samples)) {
      const c = calls[step] as { aws: number; ado: number };
      steps[step] = {
        time: summarize(values),
        awsCalls: c.aws / values.length,
        azureDevOpsCalls: c.ado / values.length,
      };
    }
    return {
      method:
        `esbuild bundles imported in-process, ${options.rotations} sequential rotations after one ` +
        `discarded warm-up rotation; AWS via the wire stubs on loopback HTTP, Azure DevOps via the stand-in; ` +
        `logs and metrics at the deployed level (captured)`,
      rotations: options.rotations,
      steps,
    };
  } finally {
    process.env = savedEnv;
    await world.close();
  }
}
