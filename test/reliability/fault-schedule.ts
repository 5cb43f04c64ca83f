import fc from 'fast-check';
import {
  AccessKeyNotFoundError,
  AwsCallFailedError,
  AwsThrottledError,
  AzureDevOpsRequestError,
  AzureDevOpsUnavailableError,
} from '../../src/domain/errors.js';
import type { FaultPhase } from '../../local/fakes/faults.js';
import { type WorldSpec, worldArbitrary } from './support/worlds.js';

/** Every port call the lifecycle makes, by the name the fakes give it. */
export const PORT_CALLS = [
  'iam.listKeys',
  'iam.createKey',
  'iam.setKeyStatus',
  'iam.deleteKey',
  'verifier.verify',
  'secrets.describe',
  'secrets.putPending',
  'secrets.getVersion',
  'secrets.promote',
  'secrets.dropPending',
  'ado.findConnection',
  'ado.readConnection',
  'ado.updateCredential',
  'groups.findVariableGroup',
  'groups.readVariableGroup',
  'groups.updateCredential',
  'pipelines.readPipeline',
  'pipelines.queueRun',
  'pipelines.readRun',
  'notifier.notify',
] as const;

/** The kinds of failure a real call can have. */
export const FAULT_KINDS = {
  /** AWS throttling: retried with backoff. */
  throttled: () => new AwsThrottledError('Rate exceeded (injected)'),
  /** Azure DevOps 429/503 after the client's own retries. */
  unavailable: () => new AzureDevOpsUnavailableError('Azure DevOps answered 503 (injected)'),
  /** A timeout or a dropped connection: not known to be retryable. */
  timeout: () => new AwsCallFailedError('socket hang up (injected timeout)'),
  /** A 500 from Azure DevOps. */
  serverError: () => new AzureDevOpsRequestError('Azure DevOps answered 500 (injected)'),
  /** A key that vanished under our feet. */
  gone: () => new AccessKeyNotFoundError('The Access Key cannot be found (injected)'),
} as const;

export interface ScheduledFault {
  call: (typeof PORT_CALLS)[number];
  phase: FaultPhase;
  kind: keyof typeof FAULT_KINDS;
  /** Fires on the n-th call from the start (0 = the first). */
  skip: number;
  times: number;
}

export interface Schedule {
  faults: ScheduledFault[];
  /** How long the new key takes to authenticate; past ~60 s it exceeds the retry budget. */
  propagationMs: number;
  /** Steps whose Lambda is delivered twice (at-least-once delivery, or a crash after the side effect and a retry). */
  deliveredTwice: string[];
  /** Where the run starts from: secret, leftovers, extra keys, holders, canary, mode (support/worlds.ts). */
  world: WorldSpec;
}

const STEP_NAMES = [
  'plan',
  'cleanup',
  'create',
  'verify-key',
  'publish',
  'verify-publish',
  'canary',
  'check-canary',
  'promote',
  'revoke',
  'rollback',
  'report',
] as const;

export const scheduleArbitrary: fc.Arbitrary<Schedule> = fc.record({
  faults: fc.array(
    fc
      .record({
        call: fc.constantFrom(...PORT_CALLS),
        phase: fc.constantFrom<FaultPhase>('before', 'after'),
        kind: fc.constantFrom(...(Object.keys(FAULT_KINDS) as Array<keyof typeof FAULT_KINDS>)),
        skip: fc.nat({ max: 3 }),
        times: fc.integer({ min: 1, max: 4 }),
      })
      // IAM answers NoSuchEntity only for a key that is gone: the retry of a delete whose answer was lost.
      // (Injected anywhere else it would report a key deleted that exists, a world no service can make.)
      .map((f) => (f.kind === 'gone' ? { ...f, call: 'iam.deleteKey' as const, phase: 'after' as const } : f)),
    { maxLength: 4 },
  ),
  propagationMs: fc.constantFrom(0, 3_000, 20_000, 10 * 60_000),
  deliveredTwice: fc.subarray([...STEP_NAMES]),
  world: worldArbitrary,
});
