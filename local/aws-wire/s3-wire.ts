import nock from 'nock';
import { requestId, signingKeyId, type WireReply, type WireRequest, xmlEscape } from './protocol.js';

export const S3_REGION_HOST = 's3.us-east-1.amazonaws.com';

/**
 * S3 GetObject on the wire (REST-XML): virtual-hosted-style requests, `GET https://{bucket}.s3.{region}
 * .amazonaws.com/{key}`, signed for `s3`. A missing key answers 404 `NoSuchKey`, a missing bucket
 * 404 `NoSuchBucket`, as S3 does; an unsigned request 403 `AccessDenied`.
 */
export class S3Wire {
  readonly requests: WireRequest[] = [];
  private readonly objects = new Map<string, Map<string, string>>();

  install(): this {
    nock(/^https:\/\/[a-z0-9.-]+\.s3\.us-east-1\.amazonaws\.com(:443)?$/)
      .persist()
      .get(/.*/)
      .reply(async (request: Request) => this.handle(request));
    return this;
  }

  put(bucket: string, key: string, body: string): this {
    const store = this.objects.get(bucket) ?? new Map<string, string>();
    store.set(key, body);
    this.objects.set(bucket, store);
    return this;
  }

  private handle(request: Request): WireReply {
    const url = new URL(request.url);
    const bucket = url.hostname.slice(0, -(S3_REGION_HOST.length + 1));
    const key = decodeURIComponent(url.pathname.slice(1));
    const signedWith = signingKeyId(request, 's3');
    this.requests.push({ operation: 'GetObject', params: { Bucket: bucket, Key: key }, signedWith });
    if (!signedWith) return error(403, 'AccessDenied', 'Access Denied');
    const store = this.objects.get(bucket);
    if (!store) return error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const body = store.get(key);
    if (body === undefined) return error(404, 'NoSuchKey', 'The specified key does not exist.');
    return [200, body, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }];
  }
}

function error(status: number, code: string, message: string): WireReply {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>` +
    `${xmlEscape(message)}</Message><RequestId>${requestId()}</RequestId></Error>`;
  return [status, body, { 'content-type': 'application/xml' }];
}
