/** The demo's failure scenarios, target names and timeline printer. */
import type { LocalRunEvent } from '../local/local-run.js';
import { LAMBDA_STEPS } from '../infra/steps.js';
import {
  AwsAccessDeniedError,
  AzureDevOpsRequestError,
  KeyVerificationFailedError,
  PublishNotVerifiedError,
} from '../src/domain/errors.js';
import type { RotationTarget } from '../src/domain/model.js';
import type { FakeWorld } from '../local/fakes/world.js';

export interface DemoFailureScenario {
  /** What goes wrong, for people. */
  story: string;
  /** The outcome every target should end in. */
  expected: 'rolled-back' | 'rotated';
  inject: (world: FakeWorld, targets: RotationTarget[]) => void;
}

const always = { times: Number.POSITIVE_INFINITY };
/** Matches an Azure DevOps port call (its first argument is the connection reference) for one target. */
const forConnection = (target: RotationTarget) => (args: readonly unknown[]) =>
  (args[0] as { connectionName?: string } | undefined)?.connectionName === target.connection.connectionName;

/** `--fail-at <step>`: one realistic failure per mutating step, injected into every target. */
export const DEMO_FAILURES = {
  create: {
    story: 'IAM refuses CreateAccessKey (the role lost iam:CreateAccessKey)',
    expected: 'rolled-back',
    inject: (world) =>
      world.faults.fail(
        'iam.createKey',
        () => new AwsAccessDeniedError('IAM answered AccessDenied for CreateAccessKey (injected)'),
        always,
      ),
  },
  'verify-key': {
    story: 'STS rejects the new key',
    expected: 'rolled-back',
    inject: (world) =>
      world.faults.fail(
        'verifier.verify',
        () => new KeyVerificationFailedError('STS rejected the new key (injected)'),
        always,
      ),
  },
  publish: {
    story: 'Azure DevOps applies the PUT but the answer is lost (a partial publish): the connection must be put back',
    expected: 'rolled-back',
    inject: (world, targets) => {
      // Once per target: the rollback's own PUT (restoring the old key) goes through.
      for (const t of targets) {
        world.faults.fail(
          'ado.updateCredential',
          () => new AzureDevOpsRequestError('connection reset after the PUT (injected)'),
          {
            phase: 'after',
            match: forConnection(t),
          },
        );
      }
    },
  },
  'verify-publish': {
    story: 'the connection does not read back with the new key',
    expected: 'rolled-back',
    inject: (world, targets) => {
      // Once per target: the first read after the publish is the verification.
      for (const t of targets) {
        world.faults.fail(
          'ado.readConnection',
          () => new PublishNotVerifiedError('the connection still holds the old key (injected)'),
          { match: forConnection(t) },
        );
      }
    },
  },
  promote: {
    story: 'Secrets Manager refuses UpdateSecretVersionStage',
    expected: 'rolled-back',
    inject: (world) =>
      world.faults.fail(
        'secrets.promote',
        () => new AwsAccessDeniedError('Secrets Manager answered AccessDenied (injected)'),
        { times: 1_000 },
      ),
  },
  revoke: {
    story:
      'the old key cannot be deactivated: a warning, not a rollback (the connection already works with the new key)',
    expected: 'rotated',
    inject: (world) =>
      world.faults.fail(
        'iam.setKeyStatus',
        () => new AwsAccessDeniedError('IAM answered AccessDenied for UpdateAccessKey (injected)'),
        always,
      ),
  },
} satisfies Record<string, DemoFailureScenario>;
export type DemoFailure = keyof typeof DEMO_FAILURES;

const NAMES = ['payments-prod', 'data-platform-staging'];

export function demoTargetNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => NAMES[i] ?? `service-${String(i + 1).padStart(4, '0')}`);
}

export interface TargetFinalState {
  target: string;
  connectionId: string;
  connectionHolds: string | null;
  secretCurrentKeyId: string | null;
  iamKeys: Array<{ accessKeyId: string; status: string }>;
}

const TASKS = new Set<string>(LAMBDA_STEPS);

/**
 * Prints state-machine events as a readable timeline: each task entered and left (with its duration), retried, caught.
 *
 * Times and task durations are wall-clock. The demo's AWS fakes run on a simulated clock (it moves
 * 2 s per task or retry, standing in for Step Functions' waits, so that a new key "propagates" in no
 * real time); the durations the rotator itself reports (the report step, the Slack message) are on
 * that clock, so where the timeline shows one (a target's report) it says so.
 */
export function printTimeline(write: (text: string) => void): (event: LocalRunEvent) => void {
  const entered = new Map<string, number>();
  const lastError = new Map<string, string>();
  const key = (e: LocalRunEvent) => `${e.mapIndex ?? ''}/${e.stateName}`;
  const at = (e: LocalRunEvent) => `${(e.elapsedMs / 1000).toFixed(3).padStart(7)}s`;
  const who = (e: LocalRunEvent) => (e.targetName ?? (e.mapIndex === undefined ? 'run' : `#${e.mapIndex}`)).padEnd(22);
  return (e) => {
    const task = e.stateName !== undefined && TASKS.has(e.stateName);
    switch (e.type) {
      case 'ExecutionStarted':
        write(`${at(e)}  ▶ execution started\n`);
        break;
      case 'StateEntered':
        if (task) entered.set(key(e), e.timestamp);
        else if (e.stateType === 'Map') write(`${at(e)}  ▶ ${e.stateName} (one iteration per target)\n`);
        break;
      case 'StateExited':
        if (task && lastError.has(`caught:${key(e)}`)) {
          lastError.delete(`caught:${key(e)}`);
        } else if (task) {
          const ms = e.timestamp - (entered.get(key(e)) ?? e.timestamp);
          const report = e.output as { outcome?: string; durationMs?: number } | undefined;
          const reported =
            typeof report?.durationMs === 'number'
              ? ` (reported duration ${(report.durationMs / 1000).toFixed(1)} s, simulated clock)`
              : '';
          const outcome = e.stateName === 'report' ? ` → ${report?.outcome}${reported}` : '';
          write(`${at(e)}  ${who(e)} ✓ ${String(e.stateName).padEnd(15)} ${String(ms).padStart(4)} ms${outcome}\n`);
        }
        break;
      case 'StateFailed':
        if (e.error) lastError.set(key(e), e.error);
        break;
      case 'StateRetried':
        write(
          `${at(e)}  ${who(e)} ↻ ${String(e.stateName).padEnd(15)} retry ${e.retryAttempt} after ` +
            `${lastError.get(key(e)) ?? 'an error'}\n`,
        );
        break;
      case 'StateCaught':
        lastError.set(`caught:${key(e)}`, 'yes');
        write(
          `${at(e)}  ${who(e)} ✖ ${String(e.stateName).padEnd(15)} ${lastError.get(key(e)) ?? 'an error'} → ` +
            `caught by ${e.caughtBy}\n`,
        );
        break;
      case 'ExecutionSucceeded':
        write(`${at(e)}  ■ execution succeeded\n`);
        break;
      case 'ExecutionFailed':
        write(`${at(e)}  ■ execution failed: ${e.error}\n`);
        break;
      default:
        break;
    }
  };
}
