import { Buffer } from 'node:buffer';
import { AzureDevOpsResponseTooLargeError } from '../../domain/errors.js';

/**
 * Reads an answer's body as text, at most `maxBytes` of it: a larger body (announced by
 * Content-Length or found while reading) is cancelled and is an error naming the call, never an
 * unbounded read into a Lambda's memory.
 */
/** The error for a body over the cap, whichever `fetch` found it (nodeFetch rejects with ResponseTooLargeError). */
export function responseTooLarge(
  maxBytes: number,
  call: { description: string; context: Record<string, string | number | undefined> },
  seen: string,
): AzureDevOpsResponseTooLargeError {
  return new AzureDevOpsResponseTooLargeError(
    `the answer to the request to ${call.description} is larger than ${maxBytes} bytes (${seen}); it was not ` +
      `read. Such an answer is not one the rotator asks for: check the organizationUrl and project, or report it`,
    { context: { ...call.context, maxBytes } },
  );
}

export async function readBoundedText(
  response: Response,
  maxBytes: number,
  call: { description: string; context: Record<string, string | number | undefined> },
): Promise<string> {
  const tooLarge = (seen: string) => responseTooLarge(maxBytes, call, seen);
  const announced = Number(response.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(`Content-Length ${announced}`);
  }
  // nodeFetch (src/adapters/http/node-fetch.ts) has no stream: it read the body under the same cap already.
  if (!response.body) {
    const text = await response.text();
    if (Buffer.byteLength(text, 'utf8') > maxBytes) throw tooLarge(`${Buffer.byteLength(text, 'utf8')} bytes`);
    return text;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let total = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(`more than ${maxBytes} bytes read`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
