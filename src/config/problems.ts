/**
 * The shared machinery of configuration checks: a list of problems (one synth or one CLI run shows
 * them all, each naming its field path) and the small type checks every section uses.
 */

export type Json = Record<string, unknown>;

/**
 * Collects every problem, each naming its field path. Values are quoted only for fields that
 * cannot hold a secret: a PAT or a webhook URL pasted into the wrong field must not end up in a
 * build log.
 */
export class Problems {
  readonly list: { path: string; message: string }[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message: `${path} ${message}` });
  }
}

/** A value quoted for a message, cut to 80 characters. Only for fields that cannot hold a secret. */
export const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function unknownFields(value: Json, allowed: readonly string[], path: string, problems: Problems): void {
  const expected = allowed.filter((f) => f !== '$schema').join(', ');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      problems.add(path ? `${path}.${key}` : key, `is not a known field: expected only ${expected}`);
  }
}

/** A required, non-empty string; `undefined` (and a problem) otherwise. */
export function requiredString(
  parent: Json,
  field: string,
  path: string,
  problems: Problems,
  what: string,
): string | undefined {
  const value = parent[field];
  const here = `${path}.${field}`;
  if (value === undefined) {
    problems.add(here, `is missing: ${what}`);
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(here, `is ${typeOf(value)}, not a string: ${what}`);
    return undefined;
  }
  if (value.trim() === '') {
    problems.add(here, `is empty: ${what}`);
    return undefined;
  }
  return value;
}

export function integerIn(
  value: unknown,
  path: string,
  min: number,
  max: number,
  problems: Problems,
  what: string,
): number | undefined {
  // Number.isInteger is true for numbers only: no typeof check besides it.
  if (!Number.isInteger(value)) {
    problems.add(path, `is ${show(value)}, not a whole number: ${what}`);
    return undefined;
  }
  const whole = value as number;
  if (whole < min || whole > max) {
    problems.add(path, `is ${whole}: it must be between ${min} and ${max} (${what})`);
    return undefined;
  }
  return whole;
}
