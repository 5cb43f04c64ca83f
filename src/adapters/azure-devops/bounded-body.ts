import { AzureDevOpsResponseTooLargeError } from '../../domain/errors.js';
import { ResponseTooLargeError, readTextUpTo } from '../http/bounded-read.js';

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

/** The body as text under the cap (src/adapters/http/bounded-read.ts); over it, the error naming the call. */
export async function readBoundedText(
  response: Response,
  maxBytes: number,
  call: { description: string; context: Record<string, string | number | undefined> },
): Promise<string> {
  try {
    return await readTextUpTo(response, maxBytes);
  } catch (error) {
    if (error instanceof ResponseTooLargeError) throw responseTooLarge(maxBytes, call, error.seen);
    throw error;
  }
}
