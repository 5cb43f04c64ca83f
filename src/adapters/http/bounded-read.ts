/**
 * Reading an answer's body under a size cap, for every adapter that reads one (Azure DevOps, Slack):
 * a larger body, announced by Content-Length or found while reading, is cancelled and rejected,
 * never read whole into a Lambda's memory.
 */

/** The answer's body was larger than the cap: nothing more was read. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  /**
   * @param maxBytes the cap
   * @param seen how it was found: the announced Content-Length, or the bytes read when the cap was crossed
   */
  constructor(
    readonly maxBytes: number,
    readonly seen = `more than ${maxBytes} bytes read`,
  ) {
    super(`the answer is larger than ${maxBytes} bytes (${seen})`);
  }
}

/**
 * The body as text, at most `maxBytes` of it. With nodeFetch (no stream) the body was read under the
 * same cap already (`maxResponseBytes`); a streaming `fetch` is read here and cancelled at the cap.
 */
export async function readTextUpTo(response: Response, maxBytes: number): Promise<string> {
  const announced = Number(response.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(maxBytes, `Content-Length ${announced}`);
  }
  if (!response.body) {
    const text = await response.text();
    const bytes = new TextEncoder().encode(text).byteLength;
    if (bytes > maxBytes) throw new ResponseTooLargeError(maxBytes, `${bytes} bytes`);
    return text;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let total = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
}
