import type { S3Client } from '@aws-sdk/client-s3';
import type { LocalS3 } from '../local-s3.js';

/**
 * An S3 client answering GetObject from the local run's S3 stand-in, so the real S3RunResults
 * adapter reads what the local Distributed Map wrote (its errors keep S3's names: NoSuchKey...).
 */
export function localS3Client(store: LocalS3): S3Client {
  const send = async (command: { constructor: { name: string }; input: { Bucket: string; Key: string } }) => {
    if (command.constructor.name !== 'GetObjectCommand')
      throw new Error(`local S3 client: ${command.constructor.name} is not implemented`);
    const body = store.get(command.input.Bucket, command.input.Key);
    return { Body: { transformToString: async () => body } };
  };
  return { send } as unknown as S3Client;
}
