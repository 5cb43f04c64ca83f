import type { MiddlewareObj } from '@middy/core';
import { logger } from '../../adapters/observability/logger.js';
import { RotationError } from '../../domain/errors.js';

/**
 * Puts the correlation keys on every log line of the invocation: the rotation id, the target and
 * the run's execution (`parentExecutionId`: a target runs as a child execution of the run), or the
 * execution, for the run-level notify step; read from the raw event so that they are there even
 * when the input turns out to be invalid.
 */
export function correlationKeys(): MiddlewareObj {
  return {
    before: (request) => {
      const event = (request.event ?? {}) as Record<string, unknown>;
      const pick = (key: string) => (typeof event[key] === 'string' ? (event[key] as string) : undefined);
      logger.appendKeys({
        rotationId: pick('rotationId'),
        target: pick('targetName'),
        executionId: pick('executionId'),
        parentExecutionId: pick('parentExecutionId'),
      });
    },
  };
}

/**
 * The one place errors are handled: log once, with the error's safe context and reduced cause,
 * and rethrow it unchanged so its stable `name` reaches the state machine's `Retry`/`Catch`.
 */
export function errorBoundary(step: string): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof RotationError) {
        const log = error.kind === 'transient' ? logger.warn.bind(logger) : logger.error.bind(logger);
        log(`step ${step} failed: ${error.name}`, { error: error.toJSON() });
      } else if (error) {
        // Not one of ours: a bug or an unexpected library error. Name and message only.
        logger.error(`step ${step} failed: ${error.name}`, { error: { name: error.name, message: error.message } });
      }
      // Leaving request.response unset makes Middy rethrow request.error.
    },
  };
}
