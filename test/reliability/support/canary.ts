/**
 * Canary scanning: every form a secret can take on its way out (raw, base64 in a Basic header,
 * URL-encoded, JSON-escaped, a truncated piece of it), every way a value can be rendered into a
 * log line (String, util.inspect, JSON, the message and stack of each error in its cause chain),
 * and a capture of everything the process writes (stdout, stderr, console).
 */
import { inspect } from 'node:util';
import { type MockInstance, vi } from 'vitest';

export interface Canary {
  /** What it is, for the failure message. */
  label: string;
  value: string;
  /** Also flag any `window` consecutive characters of it (a truncated echo); 0 = whole value only. */
  window?: number;
}

/** The forms of a canary worth looking for. */
export function formsOf(canary: Canary): string[] {
  const { value } = canary;
  const forms = new Set([
    value,
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(`:${value}`).toString('base64'),
    Buffer.from(value).toString('base64'),
  ]);
  if (canary.window) {
    for (let start = 0; start + canary.window <= value.length; start++)
      forms.add(value.slice(start, start + canary.window));
  }
  return [...forms].filter((form) => form.length >= 8);
}

export interface Leak {
  canary: string;
  form: string;
  surface: string;
  excerpt: string;
}

/** Every (canary, surface) pair where a form of the canary shows; empty when nothing leaked. */
export function findLeaks(
  surfaces: ReadonlyArray<{ name: string; text: string }>,
  canaries: readonly Canary[],
): Leak[] {
  const leaks: Leak[] = [];
  for (const canary of canaries) {
    const forms = formsOf(canary);
    for (const surface of surfaces) {
      const form = forms.find((f) => surface.text.includes(f));
      if (form === undefined) continue;
      const at = surface.text.indexOf(form);
      leaks.push({
        canary: canary.label,
        form,
        surface: surface.name,
        excerpt: surface.text.slice(Math.max(0, at - 80), at + form.length + 80),
      });
    }
  }
  return leaks;
}

/** Every way a value ends up as text: String, inspect (hidden fields too), JSON, and each error of its cause chain. */
export function renderings(value: unknown): string[] {
  const out: string[] = [
    safe(() => String(value)),
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
  ];
  out.push(safe(() => JSON.stringify(value) ?? ''));
  let cause: unknown = value;
  for (let depth = 0; depth < 10 && typeof cause === 'object' && cause !== null; depth++) {
    const { message, stack } = cause as { message?: unknown; stack?: unknown };
    out.push(
      String(message ?? ''),
      String(stack ?? ''),
      safe(() => JSON.stringify(cause) ?? ''),
    );
    const context = (cause as { context?: unknown }).context;
    if (context !== undefined) out.push(safe(() => JSON.stringify(context) ?? ''));
    cause = (cause as { cause?: unknown }).cause;
  }
  return out;
}

function safe(render: () => string): string {
  try {
    return render();
  } catch (error) {
    return `(unrenderable: ${error instanceof Error ? error.name : 'error'})`;
  }
}

/** Captures (and silences) everything written to stdout, stderr and the console until `restore()`. */
export function captureOutput(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spies: MockInstance[] = [];
  const text = (chunk: unknown) =>
    typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  for (const stream of [process.stdout, process.stderr]) {
    spies.push(
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        lines.push(text(chunk));
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof stream.write),
    );
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    spies.push(
      vi
        .spyOn(console, method)
        .mockImplementation((...args: unknown[]) =>
          lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' ')),
        ),
    );
  }
  return {
    lines,
    restore: () => {
      for (const spy of spies.splice(0)) spy.mockRestore();
    },
  };
}
