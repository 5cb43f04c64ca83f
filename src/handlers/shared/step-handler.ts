import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../../adapters/observability/logger.js';
import { getContainer } from '../../composition-root.js';
import { type LambdaStep, STEP_CATALOG } from '../../domain/lifecycle/catalog.js';
import { parseRotationState, type RotationState, type StepName } from '../../domain/rotation-state.js';
import type { Wiring } from '../../wiring/wiring.js';
import { correlationKeys, errorBoundary } from './middleware.js';

/** A use case that takes the rotation state, as every step but notify does. */
export interface StateUseCase<Output> {
  execute(state: RotationState): Promise<Output>;
}

/** A Lambda handler, with the slices its container is built from (test/handlers checks them against the catalog). */
export type StepHandler = ReturnType<typeof withMiddleware<unknown, unknown>> & {
  readonly step: LambdaStep;
  readonly wiring: readonly Wiring[];
};

/**
 * Builds a step's Lambda handler: validate the input (a clear error naming the bad field),
 * resolve the step's use case (its catalog entry's token) from the container built from `wiring`
 * (the adapter slices its ports need: named here, not looked up, so the bundle carries no other
 * SDK client), run it, return its small output.
 */
export function stepHandler(step: StepName, wiring: readonly Wiring[]): StepHandler {
  const handler = withMiddleware(step, async (event: unknown) => {
    const state = parseRotationState(event); // first: bad input fails before anything is built or read
    return getContainer(wiring).get<StateUseCase<unknown>>(STEP_CATALOG[step].useCase).execute(state);
  });
  return Object.assign(handler, { step, wiring });
}

/** The shared middleware stack: Lambda context and correlation keys on every log line, one error boundary. */
export function withMiddleware<Input, Output>(step: string, run: (event: Input) => Promise<Output>) {
  const base = async (event: Input, _context: Context): Promise<Output> => {
    const output = await run(event);
    logger.info(`step ${step} done`);
    return output;
  };
  return middy(base)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlationKeys())
    .use(errorBoundary(step));
}
