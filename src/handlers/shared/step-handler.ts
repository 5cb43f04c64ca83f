import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { Container } from 'inversify';
import { logger } from '../../adapters/observability/logger.js';
import { getContainer } from '../../composition-root.js';
import { parseRotationState, type RotationState, type StepName } from '../../domain/rotation-state.js';
import type { Wiring } from '../../wiring/wiring.js';
import { correlationKeys, errorBoundary } from './middleware.js';

/** A use case that takes the rotation state, as every step but notify does. */
export interface StateUseCase<Output> {
  execute(state: RotationState): Promise<Output>;
}

/**
 * Builds a step's Lambda handler: validate the input (a clear error naming the bad field),
 * resolve the use case from the container (built from `wiring`, the adapter slices the step
 * needs), run it, return its small output.
 */
export function stepHandler<Output>(step: StepName, wiring: readonly Wiring[], resolve: (container: Container) => StateUseCase<Output>) {
  return withMiddleware(step, async (event: unknown) => {
    const state = parseRotationState(event); // first: bad input fails before anything is built or read
    return resolve(getContainer(wiring)).execute(state);
  });
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
