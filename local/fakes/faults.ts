/**
 * Failure injection for the in-memory fakes: make any call of any port fail, before its side
 * effect (nothing happened) or after it (it happened, but the caller sees an error, as when a
 * Lambda dies or a response is lost).
 *
 * Calls are named `<port>.<method>`, e.g. `iam.createKey`, `secrets.promote`, `ado.updateCredential`.
 */
export type FaultPhase = 'before' | 'after';

export interface Fault {
  call: string;
  phase: FaultPhase;
  error: () => Error;
  /** How many more times it fires. */
  remaining: number;
  /** Fires on the n-th matching call from now (1 = the next one). */
  skip: number;
  /** Fires only for calls whose arguments match (calls made without arguments never match). */
  match?: (args: readonly unknown[]) => boolean;
}

export class FaultInjector {
  private readonly faults: Fault[] = [];
  /** Every call made through the fakes, in order (mutating and reading). */
  readonly calls: string[] = [];
  /** Called after every call's side effect (the fault suite checks invariants here). */
  afterEach: ((call: string) => void) | undefined;

  /** Makes the next `times` calls of `call` fail. */
  fail(
    call: string,
    error: Error | (() => Error),
    options: { phase?: FaultPhase; times?: number; skip?: number; match?: (args: readonly unknown[]) => boolean } = {},
  ): this {
    this.faults.push({
      call,
      phase: options.phase ?? 'before',
      error: typeof error === 'function' ? error : () => error,
      remaining: options.times ?? 1,
      skip: options.skip ?? 0,
      ...(options.match ? { match: options.match } : {}),
    });
    return this;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** Wraps a fake's call: faults before, the side effect, faults after. */
  async around<T>(call: string, fn: () => T | Promise<T>, args?: readonly unknown[]): Promise<T> {
    this.calls.push(call);
    this.fire(call, 'before', args);
    const result = await fn();
    this.afterEach?.(call);
    this.fire(call, 'after', args);
    return result;
  }

  private fire(call: string, phase: FaultPhase, args: readonly unknown[] | undefined): void {
    const fault = this.faults.find(
      (f) =>
        f.call === call && f.phase === phase && f.remaining > 0 && (!f.match || (args !== undefined && f.match(args))),
    );
    if (!fault) return;
    if (fault.skip > 0) {
      fault.skip--;
      return;
    }
    fault.remaining--;
    throw fault.error();
  }
}

/**
 * Wraps any port (a real adapter included) so its calls go through the injector as `<prefix>.<method>`:
 * the demo and the benchmarks inject failures into the real Azure DevOps adapter this way.
 */
export function withFaults<T extends object>(port: T, prefix: string, faults: FaultInjector): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => faults.around(`${prefix}.${property}`, () => value.apply(target, args), args);
    },
  });
}
