import type { VssErrorBody } from './rest-types.js';

import { redact } from '../redaction/redaction.js';

/**
 * What may be kept of a server's answer: the `message`/`typeKey` of a VSS error body, redacted of
 * every echo of a secret the request involved (src/adapters/redaction/redaction.ts) and bounded.
 */

/** Server text kept in an error message: enough for Azure DevOps' one-sentence messages. */
export const MAX_SERVER_TEXT = 300;

export const isJsonContentType = (contentType: string | null): boolean => /\bjson\b/i.test(contentType ?? '');

/** The `message` and `typeKey` of a VSS error body, already scrubbed of the request's secrets. */
export function parseVssError(text: string, response: Response, secrets: readonly string[]): VssErrorBody | undefined {
  if (!isJsonContentType(response.headers.get('content-type'))) return undefined;
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null) return undefined;
    const { message, typeKey } = body as Record<string, unknown>;
    return {
      ...(typeof message === 'string' ? { message: redact(message, secrets, MAX_SERVER_TEXT) } : {}),
      ...(typeof typeKey === 'string' ? { typeKey: redact(typeKey, secrets, MAX_SERVER_TEXT) } : {}),
    };
  } catch {
    return undefined;
  }
}
