/**
 * The local run's stand-in for the S3 objects a Distributed Map reads (`ItemReader`) and writes
 * (`ResultWriter`), and for the run's `aws-sdk:s3:putObject` tasks: an in-memory object store.
 * No more lenient than S3: reading a key that was never written fails with `NoSuchKey`, reading a
 * bucket nobody created fails with `NoSuchBucket`, and an object keeps the bytes it was given.
 */
export class LocalS3Error extends Error {
  constructor(
    override readonly name: 'NoSuchKey' | 'NoSuchBucket',
    message: string,
  ) {
    super(message);
  }
}

export class LocalS3 {
  private readonly buckets = new Map<string, Map<string, string>>();

  /** Creates the bucket (as the deployment does) and writes the objects into it. */
  seed(bucket: string, objects: Readonly<Record<string, string>> = {}): void {
    const store = this.buckets.get(bucket) ?? new Map<string, string>();
    for (const [key, body] of Object.entries(objects)) store.set(key, body);
    this.buckets.set(bucket, store);
  }

  put(bucket: string, key: string, body: string): { ETag: string } {
    const store = this.bucket(bucket);
    store.set(key, body);
    return { ETag: `"${Buffer.byteLength(body).toString(16)}-${store.size}"` };
  }

  get(bucket: string, key: string): string {
    const body = this.bucket(bucket).get(key);
    if (body === undefined)
      throw new LocalS3Error('NoSuchKey', `The specified key does not exist: s3://${bucket}/${key}`);
    return body;
  }

  /** Keys under a prefix, sorted (what ListObjectsV2 returns). */
  keys(bucket: string, prefix = ''): string[] {
    return [...this.bucket(bucket).keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  private bucket(name: string): Map<string, string> {
    const store = this.buckets.get(name);
    if (!store) throw new LocalS3Error('NoSuchBucket', `The specified bucket does not exist: ${name}`);
    return store;
  }
}
