/**
 * Turning the SDK's own retries off for one command, whatever the client was built with.
 *
 * The SDK retries inside `client.send` through one middleware, named `retryMiddleware`, in the
 * `finalizeRequest` step. A command may override a client middleware of the same name, step and
 * priority; overriding it with a pass-through makes that command a single attempt. Only the
 * command changes: the shared client keeps retrying its other calls.
 *
 * Used where retrying inside the SDK is wrong:
 * - `CreateAccessKey` is not idempotent (a retry after a lost answer makes a second key), and the
 *   standard strategy classes `LimitExceededException` as throttling, so the two-keys quota would
 *   be retried with backoff instead of failing fast. Throttling surfaces as `AwsThrottledError`
 *   and the step, which knows how to find an orphan key, retries.
 * - `GetCallerIdentity` with a new key: the state machine owns the propagation backoff.
 *
 * If the SDK ever renames the middleware, this adds a harmless pass-through instead, and the tests
 * that count requests (test/adapters/aws) fail.
 */
export const SDK_RETRY_MIDDLEWARE_NAME = 'retryMiddleware';

type Handler = (args: unknown) => Promise<unknown>;

/** The one overload of `MiddlewareStack.add` used here (the SDK's type has one per step). */
interface FinalizeStepStack {
  add(
    middleware: (next: Handler) => Handler,
    options: { step: 'finalizeRequest'; name: string; priority: 'high'; tags: string[]; override: boolean },
  ): void;
}

/** Makes `command` a single attempt; returns it, to be sent. */
export function withoutSdkRetries<C extends { middlewareStack: object }>(command: C): C {
  // A structural cast to the finalizeRequest overload: the stack's own type is an overload set
  // parameterised by the command's input and output, which a pass-through need not know.
  (command.middlewareStack as FinalizeStepStack).add((next) => (args) => next(args), {
    step: 'finalizeRequest',
    name: SDK_RETRY_MIDDLEWARE_NAME,
    priority: 'high',
    tags: ['RETRY'],
    override: true,
  });
  return command;
}
