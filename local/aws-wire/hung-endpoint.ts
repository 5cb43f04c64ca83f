import { createServer, type Socket } from 'node:net';

/**
 * An AWS endpoint that accepts connections and never answers: what a hung service, a stalled proxy
 * or a black-holed route looks like to a client once connected. Point a client at `url` (for
 * example with `AWS_ENDPOINT_URL_IAM`) to see its request timeout end the call.
 */
export interface HungEndpoint {
  url: string;
  /** Connections accepted so far (one per attempt: the SDK retries on a new connection). */
  connections(): number;
  close(): Promise<void>;
}

export async function startHungEndpoint(): Promise<HungEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    // Read the request and say nothing, ever.
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the hung endpoint has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
