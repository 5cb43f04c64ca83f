/**
 * The stateful AWS wire stubs of test/support/aws-wire (IAM, STS, Secrets Manager, SSM), served
 * over real HTTP on 127.0.0.1, so that other processes can use them: a bundled handler in a
 * fresh Node process reaches them through the SDK's standard `AWS_ENDPOINT_URL_<SERVICE>`
 * variables, with no interceptor preloaded into it (a preload would be part of what a cold start
 * measures). The tests install the same stubs with nock; here nothing is patched.
 *
 * One port for all four services: the service is read from the SigV4 credential scope
 * (`Credential=AKID/20260101/us-east-1/iam/aws4_request`), which the SDK always sends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IamWire } from '../local/aws-wire/iam-wire.js';
import type { WireReply } from '../local/aws-wire/protocol.js';
import { SecretsManagerWire } from '../local/aws-wire/secrets-manager-wire.js';
import { SsmWire } from '../local/aws-wire/ssm-wire.js';
import { StsWire } from '../local/aws-wire/sts-wire.js';

export interface AwsWireServer {
  readonly iam: IamWire;
  readonly sts: StsWire;
  readonly secrets: SecretsManagerWire;
  readonly ssm: SsmWire;
  readonly url: string;
  /** The environment that points the SDK clients of a handler at this server. */
  readonly endpointEnv: Record<string, string>;
  /** Requests answered, per service (iam, sts, secretsmanager, ssm). */
  readonly counts: Record<string, number>;
  close(): Promise<void>;
}

/** Credentials the stubs accept (they check the SigV4 header's shape, not the signature). */
export const BENCH_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAROTATORROLE00001',
  AWS_SECRET_ACCESS_KEY: 'rotator/role/secret/000000000000000000000',
} as const;

type Handle = (request: Request) => Promise<WireReply>;

export async function startAwsWireServer(
  options: { parameters?: Record<string, string> } = {},
): Promise<AwsWireServer> {
  const iam = new IamWire();
  const sts = new StsWire();
  const secrets = new SecretsManagerWire();
  const ssm = new SsmWire(options.parameters ?? {});
  // The stubs' request handler is private (tests only reach it through nock); bracket access is
  // TypeScript's sanctioned way in, and leaves the stubs unchanged.
  const services: Record<string, { handle: Handle; host: string }> = {
    iam: { handle: (r) => iam['handle'](r), host: 'iam.amazonaws.com' },
    sts: { handle: (r) => sts['handle'](r), host: 'sts.us-east-1.amazonaws.com' },
    secretsmanager: { handle: (r) => secrets['handle'](r), host: 'secretsmanager.us-east-1.amazonaws.com' },
    ssm: { handle: (r) => ssm['handle'](r), host: 'ssm.us-east-1.amazonaws.com' },
  };
  const counts: Record<string, number> = { iam: 0, sts: 0, secretsmanager: 0, ssm: 0 };

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      res
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(error instanceof Error ? error.message : 'bench wire server error');
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const scope = /Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request/.exec(
      req.headers.authorization ?? '',
    );
    const service = scope?.[1] ? services[scope[1]] : undefined;
    if (!scope?.[1] || !service) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end(`bench wire server: no stub for the credential scope of ${req.method} ${req.url}`);
      return;
    }
    counts[scope[1]] = (counts[scope[1]] ?? 0) + 1;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const request = new Request(`https://${service.host}${req.url ?? '/'}`, {
      method: req.method ?? 'POST',
      headers,
      body: Buffer.concat(chunks),
    });
    const [status, body, replyHeaders] = await service.handle(request);
    res.writeHead(status, { ...replyHeaders, 'content-length': String(Buffer.byteLength(body)) }).end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    iam,
    sts,
    secrets,
    ssm,
    url,
    endpointEnv: {
      AWS_ENDPOINT_URL_IAM: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
      AWS_ENDPOINT_URL_SSM: url,
    },
    counts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
