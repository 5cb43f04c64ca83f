import type { ClockPort } from '../../ports/clock.port.js';
import type { PipelineRunsPort } from '../../ports/pipeline-runs.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { CANARY_POLICY, type CanaryProgress, describeCanary } from '../canary.js';
import { CanaryRunFailedError, CanaryRunTimedOutError, ConfigurationError, InvalidStepInputError } from '../errors.js';
import type { CanaryPipelineRef } from '../holders.js';
import type { RotationTarget } from '../model.js';
import { markCompleted, type RotationState } from '../rotation-state.js';

async function canaryOf(targets: TargetsPort, runs: PipelineRunsPort | undefined, state: RotationState, step: string) {
  const target: RotationTarget = await targets.getTarget(state.targetName);
  const ref: CanaryPipelineRef | undefined = target.canary;
  if (!ref || !state.canary) {
    throw new InvalidStepInputError(
      `Step "${step}" of target ${state.targetName} runs only for a target naming a canary pipeline whose plan ` +
        `set "canary"; the state machine reached it without one`,
      { context: { step, target: state.targetName } },
    );
  }
  if (!runs)
    throw new ConfigurationError(
      `target ${state.targetName} names a canary pipeline, but no pipeline runs client is wired; wire the ` +
        `azure-devops slice`,
    );
  return { ref, runs, canary: state.canary };
}

/**
 * Step `canary`: queues a run of the target's canary pipeline once every holder holds the new key
 * (after verify-publish). Idempotent: a run already queued by this rotation is not queued again.
 */
export class QueueCanary {
  constructor(
    private readonly targets: TargetsPort,
    private readonly clock: ClockPort,
    private readonly pipelineRuns?: PipelineRunsPort,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const { ref, runs, canary } = await canaryOf(this.targets, this.pipelineRuns, state, 'canary');
    if (canary.runId !== undefined) return markCompleted(state, 'canary');
    const run = await runs.queueRun(ref);
    const queued: CanaryProgress = {
      pipelineId: ref.pipelineId,
      runId: run.runId,
      runName: run.name,
      state: run.state,
      result: run.result,
      webUrl: run.webUrl,
      queuedAt: this.clock.now().toISOString(),
      checks: 0,
    };
    return markCompleted({ ...state, canary: queued }, 'canary');
  }
}

/**
 * Step `check-canary`: reads the run once. Completed and succeeded: done (the old key may now be
 * retired). Failed or cancelled, or still running when the budget is spent (`CanaryRunFailedError`,
 * `CanaryRunTimedOutError`),
 * which rolls every holder back to the old key. Otherwise the state machine waits and asks again.
 */
export class CheckCanary {
  constructor(
    private readonly targets: TargetsPort,
    private readonly clock: ClockPort,
    private readonly pipelineRuns?: PipelineRunsPort,
    private readonly budgetSeconds: number = CANARY_POLICY.budgetSeconds,
  ) {}

  async execute(state: RotationState): Promise<RotationState> {
    const { ref, runs, canary } = await canaryOf(this.targets, this.pipelineRuns, state, 'check-canary');
    if (canary.runId === undefined || canary.queuedAt === undefined) {
      throw new InvalidStepInputError(
        `Step "check-canary" of target ${state.targetName} needs "canary.runId" and "canary.queuedAt"; they ` +
          `are set by the canary step`,
        {
          context: { step: 'check-canary', target: state.targetName },
        },
      );
    }
    const run = await runs.readRun(ref, canary.runId);
    const read: CanaryProgress = {
      ...canary,
      runName: run.name,
      state: run.state,
      result: run.result,
      webUrl: run.webUrl,
      checks: (canary.checks ?? 0) + 1,
    };
    const rollingBack = 'every holder is rolled back to the old key, which stays active';
    if (run.state === 'completed' && run.result === 'succeeded')
      return markCompleted({ ...state, canary: read }, 'check-canary');
    if (run.state === 'completed') {
      throw new CanaryRunFailedError(
        `target ${state.targetName}: ${describeCanary(read)}: the new key does not work where it is used; ` +
          `${rollingBack}. Open the run to see which step failed`,
        {
          context: { target: state.targetName, runId: run.runId, webUrl: run.webUrl, result: run.result },
        },
      );
    }
    const elapsedSeconds = (this.clock.now().getTime() - Date.parse(canary.queuedAt)) / 1000;
    if (elapsedSeconds >= this.budgetSeconds) {
      throw new CanaryRunTimedOutError(
        `target ${state.targetName}: ${describeCanary(read)} after ${Math.round(elapsedSeconds)} s (budget ` +
          `${this.budgetSeconds} s): timed out; ${rollingBack}. Cancel the run if it is stuck, and check the ` +
          `agent pool`,
        { context: { target: state.targetName, runId: run.runId, webUrl: run.webUrl, result: 'timed out' } },
      );
    }
    return { ...state, canary: read };
  }
}
