import nock from 'nock';
import {
  epochSeconds,
  type InjectedError,
  jsonError,
  jsonResponse,
  readJsonRequest,
  signingKeyId,
  type WireReply,
  type WireRequest,
  WireFaults,
} from './protocol.js';

export const SSM_ENDPOINT = 'https://ssm.us-east-1.amazonaws.com';

interface WireParameter {
  value: string;
  type: 'String' | 'SecureString';
  version: number;
}

/**
 * SSM GetParameter on the wire (AWS JSON 1.1, target prefix `AmazonSSM`). A SecureString read
 * without `WithDecryption: true` answers the KMS ciphertext, as SSM does, so a test sees at once
 * when a value would be used encrypted.
 */
export class SsmWire {
  readonly requests: WireRequest[] = [];
  readonly faults = new WireFaults();
  private readonly parameters = new Map<string, WireParameter>();

  constructor(values: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(values)) this.put(name, value);
  }

  install(): this {
    nock(SSM_ENDPOINT)
      .persist()
      .post('/')
      .reply(async (request: Request) => this.handle(request));
    return this;
  }

  put(name: string, value: string, type: WireParameter['type'] = 'SecureString'): this {
    const version = (this.parameters.get(name)?.version ?? 0) + 1;
    this.parameters.set(name, { value, type, version });
    return this;
  }

  failNext(operation: string, error: InjectedError): this {
    this.faults.add(operation, error);
    return this;
  }

  private async handle(request: Request): Promise<WireReply> {
    const parsed = await readJsonRequest(request, 'AmazonSSM');
    if (Array.isArray(parsed)) return parsed;
    const signedWith = signingKeyId(request, 'ssm');
    this.requests.push({ operation: parsed.operation, params: parsed.body, signedWith });
    if (!signedWith) return jsonError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (parsed.operation !== 'GetParameter')
      return jsonError(400, 'UnknownOperationException', `stub: ${parsed.operation} is not implemented`);

    const fault = this.faults.take(parsed.operation);
    if (fault) return jsonError(fault.status, fault.code, fault.message);

    const name = typeof parsed.body.Name === 'string' ? parsed.body.Name : '';
    const parameter = this.parameters.get(name);
    // SSM answers ParameterNotFound with no message at all.
    if (!parameter) return jsonError(400, 'ParameterNotFound');
    const decrypt = parsed.body.WithDecryption === true;
    const value =
      parameter.type === 'SecureString' && !decrypt
        ? Buffer.from(`kms-ciphertext:${name}`).toString('base64')
        : parameter.value;
    return jsonResponse({
      Parameter: {
        Name: name,
        Type: parameter.type,
        Value: value,
        Version: parameter.version,
        LastModifiedDate: epochSeconds(new Date('2026-01-01T00:00:00Z')),
        ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name.startsWith('/') ? '' : '/'}${name}`,
        DataType: 'text',
      },
    });
  }
}
