/**
 * The weekly cost of a fleet run, on paper, from what the fleet run counted: Step Functions
 * Standard transitions (parent and every child execution, retries included), Lambda requests and
 * GB-seconds (each invocation at its modelled duration, infra/execution-time.ts, arm64 at the
 * stack's 256 MB), and S3 (the Map reads the target list once, writes its result files, notify
 * reads them; the objects are kept a week by the run-data bucket's lifecycle at most). Prices are
 * AWS's public list prices (us-east-1), free tiers not applied; the run is weekly (the default schedule).
 */
import { isLambdaStep, modelledTaskMs } from '../infra/execution-time.js';
import { PRICES } from './cost.js';
import { round } from './stats.js';

export const S3_PRICES = {
  perPut: 0.005 / 1000,
  perGet: 0.0004 / 1000,
  perGbMonth: 0.023,
  source: 'AWS public list prices, S3 Standard us-east-1 (PUT $0.005 / 1,000, GET $0.0004 / 1,000, $0.023 / GB-month)',
} as const;

/**
 * Result files the Map writes and notify reads: SUCCEEDED_0.json, FAILED_0.json and the manifest
 * for a fleet whose results fit one file each (5 GB), which any fleet of this size does.
 */
const RESULT_OBJECTS = 3;
/** A child's entry in the result files (its input, its report as output, ARNs, dates): about 2 KB. */
const RESULT_BYTES_PER_TARGET = 2_048;

export interface FleetCostInputs {
  targets: number;
  /** StateEntered + StateRetried, parent and children. */
  transitions: number;
  /** Invocations by step (StateEntered + StateRetried of each Lambda task). */
  invocationsByStep: Record<string, number>;
  childExecutions: number;
}

export interface FleetCost {
  weeklyUsd: { stepFunctions: number; lambdaRequests: number; lambdaDuration: number; s3: number; total: number };
  perTargetUsd: number;
  yearlyUsd: number;
  lambdaGbSeconds: number;
  inputs: FleetCostInputs & { prices: { stepFunctionsAndLambda: string; s3: string } };
}

export function fleetCost(inputs: FleetCostInputs): FleetCost {
  const gb = PRICES.lambdaMemoryMb / 1024;
  let invocations = 0;
  let gbSeconds = 0;
  for (const [step, count] of Object.entries(inputs.invocationsByStep)) {
    if (!isLambdaStep(step)) continue;
    invocations += count;
    gbSeconds += ((count * modelledTaskMs(step)) / 1000) * gb;
  }
  const stepFunctions = inputs.transitions * PRICES.stepFunctionsStandardPerTransition;
  const lambdaRequests = invocations * PRICES.lambdaPerRequest;
  const lambdaDuration = gbSeconds * PRICES.lambdaArmPerGbSecond;
  // The target list (one GET), the result files (PUT by the Map, GET by notify), kept about a week.
  const storedGb = (inputs.targets * RESULT_BYTES_PER_TARGET) / 1024 ** 3;
  const s3 =
    S3_PRICES.perGet * (1 + RESULT_OBJECTS) + S3_PRICES.perPut * RESULT_OBJECTS + (storedGb * S3_PRICES.perGbMonth) / 4;
  const total = stepFunctions + lambdaRequests + lambdaDuration + s3;
  return {
    weeklyUsd: {
      stepFunctions: round(stepFunctions, 4),
      lambdaRequests: round(lambdaRequests, 4),
      lambdaDuration: round(lambdaDuration, 4),
      s3: round(s3, 6),
      total: round(total, 4),
    },
    perTargetUsd: round(total / inputs.targets, 7),
    yearlyUsd: round(total * 52, 2),
    lambdaGbSeconds: round(gbSeconds, 1),
    inputs: { ...inputs, prices: { stepFunctionsAndLambda: PRICES.source, s3: S3_PRICES.source } },
  };
}
