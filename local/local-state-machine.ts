/**
 * The synthesized state machine, run locally against a FakeWorld: the real ASL from the CDK
 * stack, the real Lambda handlers (test/support/local-handlers.ts) over the in-memory fakes.
 * The runner itself lives in local/local-run.ts (the demo uses it too).
 */
import {
  type AslDefinition,
  type LocalRunResult,
  type LocalTaskHandler,
  runStateMachineLocally,
  synthesizeLocally,
} from './local-run.js';
import { parseRotationConfig } from '../src/config/parse-rotation-config.js';
import type { RotationConfig } from '../src/domain/config.js';
import type { TargetReport } from '../src/domain/report.js';
import { deployedObjects } from '../infra/run-data.js';
import { S3RunResults } from '../src/adapters/aws/s3-run-results.adapter.js';
import { parseResultsLocation, reportsFromChildResults } from '../src/domain/map-run-results.js';
import type { FakeWorld } from './fakes/world.js';
import { localS3Client } from './fakes/local-s3-client.js';
import { localTaskHandlers, type TaskName } from './local-handlers.js';

export { allStates, definitionFromTemplate, runStateMachineLocally, synthesizeLocally } from './local-run.js';
export type { AslDefinition, LocalRunEvent, LocalRunResult } from './local-run.js';

/** Where a FakeWorld keeps its secrets and parameters (`rotator/{target}`, `/rotator/azure-devops/pat`). */
export const WORLD_PREFIXES = { secrets: 'rotator/', parameters: '/rotator/' } as const;

/**
 * The rotation configuration of a FakeWorld's targets (what the stack would be deployed with: with its prefixes,
 * which a deployed rotator always enforces).
 */
export function worldConfig(world: FakeWorld, extra: Partial<RotationConfig> = {}): RotationConfig {
  return parseRotationConfig({
    targets: world.targets.targets,
    settings: world.targets.settings,
    resourcePrefixes: WORLD_PREFIXES,
    ...extra,
  });
}

/** The definition synthesized for a world's targets. */
export function worldDefinition(world: FakeWorld, extra: Partial<RotationConfig> = {}): AslDefinition {
  return synthesizeLocally(worldConfig(world, extra)).definition;
}

/**
 * The run's reports: from the Distributed Map's results in the world's bucket, read by the real
 * adapter as notify reads them; or, for the inline-Map design, from the execution's output.
 */
export async function reportsOf(world: FakeWorld, result: LocalRunResult): Promise<TargetReport[]> {
  const output = result.output as { reports?: TargetReport[]; results?: { ResultWriterDetails?: unknown } } | undefined;
  if (output?.reports) return output.reports;
  if (!output?.results?.ResultWriterDetails) return [];
  const results = await new S3RunResults(localS3Client(world.runData)).read(
    parseResultsLocation(output.results.ResultWriterDetails),
  );
  return reportsFromChildResults(results);
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
  const handlers = localTaskHandlers(
    world,
    options.secondsBetweenTasks === undefined ? {} : { secondsBetweenTasks: options.secondsBetweenTasks },
  );
  const wrapped = { ...handlers, ...(options.wrap?.(handlers) ?? {}) };
  const result = await runStateMachineLocally({
    definition: options.definition,
    handlers: wrapped,
    input: options.input,
    execution: { startTime: world.clock.now().toISOString() },
    s3: world.runData,
    deployedObjects: deployedObjects(worldConfig(world)),
  });
  const reports = await reportsOf(world, result);
  return {
    ...result,
    reports,
    report: (targetName) => {
      const found = reports.find((r) => r.targetName === targetName);
      if (!found)
        throw new Error(
          `no report for ${targetName} (status ${result.status}` +
            `${result.error ? `: ${result.error} ${result.cause}` : ''})`,
        );
      return found;
    },
  };
}
