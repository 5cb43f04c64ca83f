/**
 * Cost per rotation on paper, from the measured figures: nothing here is measured, it is
 * arithmetic on the other measurements, so every input is recorded next to the result.
 *
 * - Step Functions Standard: billed per state transition, retries included.
 * - Lambda (arm64, 256 MB as the stack configures it): requests, plus GB-seconds of duration
 *   rounded up to the millisecond per invocation, plus the INIT phase of cold starts (billed for
 *   managed runtimes since August 2025). A weekly run finds every instance cold, so each function
 *   the run uses starts up to `maxConcurrency` instances (the Map's concurrency bounds them).
 * - The warm durations come from loopback: on AWS each remote call (AWS API, Azure DevOps) waits
 *   on a real network. A second figure adds an assumed latency per remote call to show how much
 *   that could change the bill (it stays a rounding error next to nothing).
 *
 * Free tiers are not applied.
 */
import { round } from './stats.js';

export const PRICES = {
  stepFunctionsStandardPerTransition: 0.025 / 1000,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaMemoryMb: 256,
  source:
    'AWS public list prices as quoted in issue #9 (Step Functions Standard $0.025 per 1,000 state transitions; ' +
    'Lambda arm64 $0.0000133334 per GB-s, $0.20 per million requests)',
} as const;

export const ASSUMED_REMOTE_CALL_MS = 50;

export interface CostInputs {
  /** The fleet size the weekly figure is for. */
  targets: number;
  maxConcurrency: number;
  /** (StateEntered + StateRetried) per target, from the scale run. */
  billedTransitionsPerTarget: number;
  /** Lambda invocations per target, per step, from the scale run. */
  invocationsPerTarget: Record<string, number>;
  /** Median warm duration (ms) and remote calls per invocation, per step. */
  warmSteps: Record<string, { medianMs: number; remoteCalls: number }>;
  /** Median cold-start INIT (Node start-up + module init), ms. */
  initMs: number;
}

export interface CostBreakdown {
  perRotationUsd: {
    stepFunctions: number;
    lambdaRequests: number;
    lambdaDuration: number;
    lambdaInit: number;
    total: number;
  };
  /** The same, with ASSUMED_REMOTE_CALL_MS added per remote call. */
  perRotationWithNetworkUsd: number;
  weekly: { targets: number; usd: number; stepFunctionsUsd: number; lambdaUsd: number; transitions: number };
  yearlyUsd: number;
  lambdaGbSecondsPerRotation: number;
  inputs: CostInputs & { prices: typeof PRICES; assumedRemoteCallMs: number };
}

export function computeCost(inputs: CostInputs): CostBreakdown {
  const gb = PRICES.lambdaMemoryMb / 1024;
  let invocations = 0;
  let durationMs = 0;
  let networkMs = 0;
  let coldInstances = 0;
  for (const [step, count] of Object.entries(inputs.invocationsPerTarget)) {
    const warm = inputs.warmSteps[step];
    if (!warm) throw new Error(`no warm duration measured for step ${step}`);
    invocations += count;
    durationMs += count * Math.ceil(warm.medianMs);
    networkMs += count * warm.remoteCalls * ASSUMED_REMOTE_CALL_MS;
    // Up to maxConcurrency instances of a per-target step; one for notify (once per run).
    coldInstances += Math.min(inputs.maxConcurrency, Math.ceil(count * inputs.targets));
  }
  const initMsPerRotation = (coldInstances * Math.ceil(inputs.initMs)) / inputs.targets;

  const stepFunctions = inputs.billedTransitionsPerTarget * PRICES.stepFunctionsStandardPerTransition;
  const lambdaRequests = invocations * PRICES.lambdaPerRequest;
  const lambdaDuration = (durationMs / 1000) * gb * PRICES.lambdaArmPerGbSecond;
  const lambdaInit = (initMsPerRotation / 1000) * gb * PRICES.lambdaArmPerGbSecond;
  const total = stepFunctions + lambdaRequests + lambdaDuration + lambdaInit;
  const network = (networkMs / 1000) * gb * PRICES.lambdaArmPerGbSecond;
  const lambda = lambdaRequests + lambdaDuration + lambdaInit;

  return {
    perRotationUsd: { stepFunctions, lambdaRequests, lambdaDuration, lambdaInit, total },
    perRotationWithNetworkUsd: total + network,
    weekly: {
      targets: inputs.targets,
      usd: total * inputs.targets,
      stepFunctionsUsd: stepFunctions * inputs.targets,
      lambdaUsd: lambda * inputs.targets,
      transitions: round(inputs.billedTransitionsPerTarget * inputs.targets, 0),
    },
    yearlyUsd: total * inputs.targets * 52,
    lambdaGbSecondsPerRotation: round(((durationMs + initMsPerRotation) / 1000) * gb, 6),
    inputs: { ...inputs, prices: PRICES, assumedRemoteCallMs: ASSUMED_REMOTE_CALL_MS },
  };
}
