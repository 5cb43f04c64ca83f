import { describe, expect, it } from 'vitest';
import { S3RunResults } from '../../../src/adapters/aws/s3-run-results.adapter.js';
import { AwsCallFailedError } from '../../../src/domain/errors.js';
import { reportsFromChildResults } from '../../../src/domain/map-run-results.js';
import { ROTATOR_CREDENTIALS, testS3Client } from '../../../local/aws-wire/clients.js';
import { S3Wire } from '../../../local/aws-wire/s3-wire.js';

const BUCKET = 'rotator-run-data';
const MANIFEST = 'results/7c9e1a52-0000-4000-8000-000000000001/manifest.json';
const CHILD = 'arn:aws:states:us-east-1:123456789012:execution:Rotator/rotateeachtarget:0b6f';

/** A map run's files as Step Functions writes them: one SUCCEEDED and one FAILED child. */
function seedMapRun(wire: S3Wire) {
  const base = MANIFEST.replace('/manifest.json', '');
  wire.put(
    BUCKET,
    MANIFEST,
    JSON.stringify({
      DestinationBucket: BUCKET,
      MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:Rotator/rotateeachtarget:7c9e',
      ResultFiles: {
        FAILED: [{ Key: `${base}/FAILED_0.json`, Size: 1 }],
        PENDING: [],
        SUCCEEDED: [{ Key: `${base}/SUCCEEDED_0.json`, Size: 1 }],
      },
    }),
  );
  const report = { targetName: 'payments-prod', outcome: 'rotated' };
  wire.put(
    BUCKET,
    `${base}/SUCCEEDED_0.json`,
    JSON.stringify([{ ExecutionArn: `${CHILD}-1`, Status: 'SUCCEEDED', Input: '{}', Output: JSON.stringify(report) }]),
  );
  const input = JSON.stringify({
    parentExecutionId: 'arn:parent',
    state: { rotationId: 'r-2', targetName: 'billing-prod', mode: 'rotate' },
  });
  wire.put(
    BUCKET,
    `${base}/FAILED_0.json`,
    JSON.stringify([
      { ExecutionArn: `${CHILD}-2`, Status: 'FAILED', Input: input, Error: 'States.Timeout', Cause: 'timed out' },
    ]),
  );
}

describe('Class: S3RunResults', () => {
  it('reads the manifest, then every result file it lists, with signed GetObject requests', async () => {
    // Prepare
    const wire = new S3Wire().install();
    seedMapRun(wire);
    const adapter = new S3RunResults(testS3Client());

    // Act
    const results = await adapter.read({ bucket: BUCKET, key: MANIFEST });

    // Assess
    expect(wire.requests.map((r) => r.params.Key)).toEqual([
      MANIFEST,
      expect.stringMatching(/SUCCEEDED_0\.json$/),
      expect.stringMatching(/FAILED_0\.json$/),
    ]);
    for (const request of wire.requests) expect(request.signedWith).toBe(ROTATOR_CREDENTIALS.accessKeyId);
    expect(results.map((r) => [r.status, r.error])).toEqual([
      ['SUCCEEDED', undefined],
      ['FAILED', 'States.Timeout'],
    ]);
  });

  it(
    'turns a failed child into a failed report naming its target and its execution: no target goes ' + 'unreported',
    async () => {
      // Prepare
      const wire = new S3Wire().install();
      seedMapRun(wire);

      // Act
      const reports = reportsFromChildResults(
        await new S3RunResults(testS3Client()).read({ bucket: BUCKET, key: MANIFEST }),
      );

      // Assess
      expect(reports.map((r) => [r.targetName, r.outcome])).toEqual([
        ['payments-prod', 'rotated'],
        ['billing-prod', 'failed'],
      ]);
      expect(reports[1]).toMatchObject({ rotationId: 'r-2', reasonCode: 'States.Timeout' });
      expect(reports[1]?.summary).toContain(`${CHILD}-2`);
      // Each report names its own (child) execution, which the Slack message links to.
      expect(reports.map((r) => r.executionArn)).toEqual([`${CHILD}-1`, `${CHILD}-2`]);
    },
  );

  it('fails with a domain error naming the object when the results are missing', async () => {
    // Prepare
    new S3Wire().install().put(BUCKET, 'other', '{}');

    // Act / Assess
    const reading = new S3RunResults(testS3Client()).read({ bucket: BUCKET, key: MANIFEST });
    await expect(reading).rejects.toBeInstanceOf(AwsCallFailedError);
    await expect(reading).rejects.toThrow(`s3://${BUCKET}/${MANIFEST}`);
  });
});
