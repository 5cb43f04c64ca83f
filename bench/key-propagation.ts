/**
 * "The key authenticates → the connection holds it": how long a rotation keeps a working new key
 * waiting before publishing it, because `verify-key` polls on a schedule (issue #15's target: < 1.2 s).
 *
 * The in-process runner (the CLI's, with the same retry policy as the state machine's Retry on
 * verify-key) rotates one target of the in-memory world, on the REAL clock: the stand-in IAM's new
 * keys authenticate `propagationMs` after they are created, and every wait is a real wait. For each
 * run: the new key's creation time from IAM, + propagationMs = when it authenticates; the end of
 * the `publish` step = when the connection holds it. The difference is the measured delay.
 */
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../src/domain/runner.js';
import { FakeWorld } from '../local/fakes/world.js';
import { round, type Summary, summarize } from './stats.js';

export const KEY_PROPAGATION_TARGET_MS = 1_200;

export interface KeyPropagationResult {
  method: string;
  propagationMs: number;
  runs: number;
  /** Key authenticates → connection holds it. */
  delay: Summary;
  /** verify-key attempts per run. */
  verifyAttempts: number[];
  /** The waits between attempts, from the policy (ms), up to the one that succeeded. */
  waitsMs: number[];
  retryPolicy: RetryPolicy['keyPropagation'];
  targetMs: number;
  medianUnderTarget: boolean;
}

export async function measureKeyPropagation(options: {
  propagationMs: number;
  runs: number;
  retry?: RetryPolicy;
}): Promise<KeyPropagationResult> {
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const delays: number[] = [];
  const attempts: number[] = [];
  let waits: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const world = new FakeWorld({ targets: 1, propagationMs: options.propagationMs, start: new Date() });
    // The real clock: the fakes keep their state, but time passes as it does for the CLI.
    world.clock.now = () => new Date();
    const requested: number[] = [];
    world.clock.sleep = (ms: number) => {
      requested.push(ms);
      return new Promise((resolve) => setTimeout(resolve, ms));
    };
    const user = world.target().iamUserName;
    const before = new Set(world.iam.keys(user).map((k) => k.accessKeyId));
    let publishedAt: number | undefined;
    const { summary } = await world.runner(retry).run({
      mode: 'rotate',
      targetNames: ['target-1'],
      newRotationId: () => world.newRotationId(),
      onEvent: (e) => {
        if (e.type === 'step-succeeded' && e.step === 'publish') publishedAt = Date.now();
      },
    });
    const created = world.iam.keys(user).find((k) => !before.has(k.accessKeyId));
    if (summary.targets[0]?.outcome !== 'rotated' || !created || publishedAt === undefined) {
      throw new Error(`the key-propagation run did not rotate (${summary.targets[0]?.outcome ?? 'no report'})`);
    }
    delays.push(publishedAt - (created.createdAt.getTime() + options.propagationMs));
    attempts.push(world.verifier.attempts);
    waits = requested;
  }
  const delay = summarize(delays);
  return {
    method:
      "in-process runner (the CLI's; the state machine's Retry has the same policy) on the real clock, " +
      'in-memory AWS whose new keys authenticate after a set delay; delay = end of publish − (key created + ' +
      'propagation)',
    propagationMs: options.propagationMs,
    runs: options.runs,
    delay,
    verifyAttempts: attempts,
    waitsMs: waits.map((w) => round(w)),
    retryPolicy: retry.keyPropagation,
    targetMs: KEY_PROPAGATION_TARGET_MS,
    medianUnderTarget: delay.median < KEY_PROPAGATION_TARGET_MS,
  };
}
