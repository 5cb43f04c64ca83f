/**
 * The synthesized state machine, run locally against a FakeWorld: the real ASL from the CDK
 * stack, the real Lambda handlers (test/support/local-handlers.ts) over the in-memory fakes.
 * The runner itself lives in infra/local-run.ts (the demo uses it too).
 */
import { type AslDefinition, type LocalRunResult, type LocalTaskHandler, runStateMachineLocally, synthesizeLocally } from './local-run.js';
import { parseRotationConfig } from '../src/config/parse-rotation-config.js';
import type { RotationConfig } from '../src/domain/config.js';
import type { TargetReport } from '../src/domain/report.js';
import type { FakeWorld } from './fakes/world.js';
import { localTaskHandlers, type TaskName } from './local-handlers.js';

export { allStates, definitionFromTemplate, runStateMachineLocally, synthesizeLocally } from './local-run.js';
export type { AslDefinition, LocalRunEvent, LocalRunResult } from './local-run.js';

/** The rotation configuration of a FakeWorld's targets (what the stack would be deployed with). */
export function worldConfig(world: FakeWorld, extra: Partial<RotationConfig> = {}): RotationConfig {
  return parseRotationConfig({ targets: world.targets.targets, settings: world.targets.settings, ...extra });
}

/** The definition synthesized for a world's targets. */
export function worldDefinition(world: FakeWorld, extra: Partial<RotationConfig> = {}): AslDefinition {
  return synthesizeLocally(worldConfig(world, extra)).definition;
}

export interface WorldRunOptions {
  definition: AslDefinition;
  input: unknown;
  /** Replaces or wraps some of the real handlers (e.g. to fail one target's step). */
  wrap?: (handlers: Record<TaskName, LocalTaskHandler>) => Partial<Record<TaskName, LocalTaskHandler>>;
  secondsBetweenTasks?: number;
}

export interface WorldRunResult extends LocalRunResult {
  reports: TargetReport[];
  report: (targetName: string) => TargetReport;
}

/** Runs the definition with the real handlers over the world; the execution starts at the world's clock. */
export async function runInWorld(world: FakeWorld, options: WorldRunOptions): Promise<WorldRunResult> {
  const handlers = localTaskHandlers(world, options.secondsBetweenTasks === undefined ? {} : { secondsBetweenTasks: options.secondsBetweenTasks });
  const wrapped = { ...handlers, ...(options.wrap?.(handlers) ?? {}) };
  const result = await runStateMachineLocally({
    definition: options.definition,
    handlers: wrapped,
    input: options.input,
    execution: { startTime: world.clock.now().toISOString() },
  });
  const reports = ((result.output as { reports?: TargetReport[] } | undefined)?.reports ?? []) as TargetReport[];
  return {
    ...result,
    reports,
    report: (targetName) => {
      const found = reports.find((r) => r.targetName === targetName);
      if (!found) throw new Error(`no report for ${targetName} (status ${result.status}${result.error ? `: ${result.error} ${result.cause}` : ''})`);
      return found;
    },
  };
}
