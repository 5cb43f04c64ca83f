import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { inject, injectable } from 'inversify';
import type { ChildResult, ResultsLocation, RunResultsPort } from '../../ports/run-results.port.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';
import { mapAwsError } from './aws-errors.js';

interface Manifest {
  ResultFiles?: Partial<Record<'SUCCEEDED' | 'FAILED' | 'PENDING', Array<{ Key: string }>>>;
}

interface ResultEntry {
  ExecutionArn: string;
  Status: ChildResult['status'];
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

/**
 * The children's results a Distributed Map wrote with `ResultWriter` (Transformation NONE, JSON):
 * the manifest, then every SUCCEEDED, FAILED and PENDING file it lists, read with s3:GetObject.
 */
@injectable()
export class S3RunResults implements RunResultsPort {
  constructor(@inject(ADAPTER_TOKENS.S3Client) private readonly s3: S3Client) {}

  async read(location: ResultsLocation): Promise<ChildResult[]> {
    const manifest = JSON.parse(await this.text(location.bucket, location.key)) as Manifest;
    const results: ChildResult[] = [];
    for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
      for (const file of manifest.ResultFiles?.[status] ?? []) {
        const entries = JSON.parse(await this.text(location.bucket, file.Key)) as ResultEntry[];
        for (const e of entries) {
          const result: ChildResult = {
            executionArn: e.ExecutionArn,
            status: e.Status ?? status,
            input: e.Input ?? '{}',
          };
          if (e.Output !== undefined) result.output = e.Output;
          if (e.Error !== undefined) result.error = e.Error;
          if (e.Cause !== undefined) result.cause = e.Cause;
          results.push(result);
        }
      }
    }
    return results;
  }

  private async text(bucket: string, key: string): Promise<string> {
    try {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await answer.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      throw mapAwsError(error, {
        action: 's3:GetObject',
        resource: `s3://${bucket}/${key} (the run's results)`,
        context: { bucket, key },
      });
    }
  }
}
