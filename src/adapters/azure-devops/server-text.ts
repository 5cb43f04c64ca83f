import type { VssErrorBody } from './rest-types.js';

/**
 * What may be kept of a server's answer: text scrubbed of every secret the request involved and
 * bounded in length, and the `message`/`typeKey` of a VSS error body. (The team's single redaction
 * module is planned separately; these helpers stay here until it lands.)
 */

const REDACTED = '[REDACTED]';
/** Server text kept in an error message: enough for Azure DevOps' one-sentence messages. */
const MAX_SERVER_TEXT = 300;

/** Replaces every occurrence of a secret with `[REDACTED]` and bounds the length. */
export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length >= 4) clean = clean.split(secret).join(REDACTED);
  }
  return clean.length > MAX_SERVER_TEXT ? `${clean.slice(0, MAX_SERVER_TEXT)}…` : clean;
}

export const isJsonContentType = (contentType: string | null): boolean => /\bjson\b/i.test(contentType ?? '');

/** The `message` and `typeKey` of a VSS error body, already scrubbed of the request's secrets. */
export function parseVssError(text: string, response: Response, secrets: readonly string[]): VssErrorBody | undefined {
  if (!isJsonContentType(response.headers.get('content-type'))) return undefined;
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null) return undefined;
    const { message, typeKey } = body as Record<string, unknown>;
    return {
      ...(typeof message === 'string' ? { message: scrub(message, secrets) } : {}),
      ...(typeof typeKey === 'string' ? { typeKey: scrub(typeKey, secrets) } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A network error reduced to name and scrubbed message (undici puts request details in some of them). */
export function sanitizedCause(error: unknown, secrets: readonly string[]): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const clean = new Error(scrub(source.message, secrets));
  clean.name = source.name;
  return clean;
}
