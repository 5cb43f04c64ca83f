/**
 * EventBridge's rule matching and input transformation, locally, for the rules this project
 * synthesizes: what a real event turns into before it reaches the state machine.
 *
 * No more lenient than the service: a pattern using an operator this matcher does not implement,
 * a JSON path outside the supported syntax (dot notation, array indices, `*`), a path the event
 * does not have, or a template that is not valid JSON after substitution all throw.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Exact-value matching (arrays of allowed scalars, nested objects): the only form the rules here use. */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      if (expected.some((v) => v !== null && typeof v === 'object')) {
        throw new Error(`pattern field "${field}" uses a content filter; this local matcher only does exact values`);
      }
      // An array field in the event matches when any of its values does.
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((v) => expected.includes(v));
    }
    if (expected !== null && typeof expected === 'object') {
      return (
        actual !== null &&
        typeof actual === 'object' &&
        !Array.isArray(actual) &&
        matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>)
      );
    }
    throw new Error(
      `pattern field "${field}" must be an array of values or an object (EventBridge rejects ` +
        `${JSON.stringify(expected)})`,
    );
  });
}

const SEGMENT = /^(?:\.([A-Za-z0-9_-]+)|\[(\d+|\*)\])/;

/** Evaluates an InputPathsMap path. A wildcard yields a list. Throws when the event lacks the path. */
export function evaluatePath(path: string, event: Json): Json {
  if (!path.startsWith('$')) throw new Error(`JSON path ${path} must start with $`);
  let nodes: Json[] = [event];
  let rest = path.slice(1);
  let wildcard = false;
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (!m) throw new Error(`JSON path ${path}: "${rest}" is not supported (dot notation, array indices and * only)`);
    rest = rest.slice(m[0].length);
    const next: Json[] = [];
    for (const node of nodes) {
      if (m[1] !== undefined) {
        if (node !== null && typeof node === 'object' && !Array.isArray(node) && m[1] in node)
          next.push(node[m[1]] as Json);
      } else if (Array.isArray(node)) {
        if (m[2] === '*') {
          wildcard = true;
          next.push(...node);
        } else if (Number(m[2]) < node.length) next.push(node[Number(m[2])] as Json);
      }
    }
    nodes = next;
  }
  if (nodes.length === 0) throw new Error(`JSON path ${path} matches nothing in the event`);
  return wildcard ? nodes : (nodes[0] as Json);
}

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/**
 * Applies an input transformer: a placeholder inside quotes takes the value's text, one outside
 * quotes takes the value as JSON. The result must be valid JSON (the template is a JSON object).
 */
export function transformInput(transformer: InputTransformer, event: Json): Json {
  const values = Object.fromEntries(
    Object.entries(transformer.InputPathsMap ?? {}).map(([name, path]) => [name, evaluatePath(path, event)]),
  );
  let inString = false;
  let out = '';
  const template = transformer.InputTemplate;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    if (ch === '"' && template[i - 1] !== '\\') inString = !inString;
    if (ch === '<') {
      const end = template.indexOf('>', i);
      const name = template.slice(i + 1, end);
      if (end > i && name in values) {
        const value = values[name] as Json;
        out += inString
          ? typeof value === 'string'
            ? JSON.stringify(value).slice(1, -1)
            : JSON.stringify(value)
          : JSON.stringify(value);
        i = end;
        continue;
      }
    }
    out += ch;
  }
  return JSON.parse(out) as Json;
}

/** Each target of every rule matching the event, with the input it would be started with. */
export function deliver(
  template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> },
  event: Record<string, unknown>,
): Array<{ ruleId: string; target: { Ref?: string }; input: Json }> {
  const delivered: Array<{ ruleId: string; target: { Ref?: string }; input: Json }> = [];
  for (const [ruleId, rule] of Object.entries(template.Resources ?? {})) {
    if (rule.Type !== 'AWS::Events::Rule' || !rule.Properties?.EventPattern) continue;
    if (!matchesPattern(rule.Properties.EventPattern as Record<string, unknown>, event)) continue;
    for (const target of (rule.Properties.Targets ?? []) as Array<{
      Arn: { Ref?: string };
      InputTransformer?: InputTransformer;
      Input?: string;
    }>) {
      const input = target.InputTransformer
        ? transformInput(target.InputTransformer, event as Json)
        : target.Input
          ? (JSON.parse(target.Input) as Json)
          : (event as Json);
      delivered.push({ ruleId, target: target.Arn, input });
    }
  }
  return delivered;
}
