import { describe, expect, it } from 'vitest';
import { ResponseTooLargeError, readTextUpTo } from '../../../src/adapters/http/bounded-read.js';

/** A streamed body in chunks of the given sizes, and whether the reader cancelled it. */
function streamed(chunks: number[], headers: Record<string, string> = {}) {
  const state = { cancelled: false, chunksRead: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = chunks[state.chunksRead++];
      if (size === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode('x'.repeat(size)));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body, { headers }), state };
}

describe('Function: readTextUpTo', () => {
  it('returns a body at the cap whole', async () => {
    // Prepare
    const { response } = streamed([60, 40]);

    // Act
    const text = await readTextUpTo(response, 100);

    // Assess
    expect(text).toHaveLength(100);
  });

  it('refuses a body whose Content-Length is over the cap without reading it', async () => {
    // Prepare
    const { response, state } = streamed([10], { 'content-length': '101' });

    // Act
    const error = await readTextUpTo(response, 100).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).seen).toBe('Content-Length 101');
    expect(state.cancelled).toBe(true);
    expect(state.chunksRead).toBe(0);
  });

  it('stops reading and cancels a streamed body once it crosses the cap', async () => {
    // Prepare
    const { response, state } = streamed([60, 60, 60, 60]);

    // Act
    const error = await readTextUpTo(response, 100).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'ResponseTooLargeError', maxBytes: 100 });
    expect(state.cancelled).toBe(true);
    expect(state.chunksRead).toBeLessThan(4);
  });

  it('measures a body without a stream in UTF-8 bytes, not characters', async () => {
    // Prepare: 40 characters of 3 bytes each (nodeFetch's answers have no stream)
    const response = { headers: new Headers(), body: null, text: async () => '€'.repeat(40) } as unknown as Response;

    // Act
    const error = await readTextUpTo(response, 100).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'ResponseTooLargeError', seen: '120 bytes' });
  });
});
