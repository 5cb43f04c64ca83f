/**
 * The world the BUNDLED handlers run against in the cold-start and warm-duration measurements:
 * AWS as the wire stubs served over loopback HTTP (bench/aws-wire-server.ts), Azure DevOps as the
 * local stand-in, and the configuration as deployed: a rotation.config.json next to the handler
 * in LAMBDA_TASK_ROOT (infra/key-rotator.ts ships it in the code, not in the environment).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RotationConfig } from '../src/domain/config.js';
import { type AdoStandIn, startAdoStandIn } from '../local/ado-stand-in/index.js';
import { type AwsWireServer, BENCH_AWS_ENV, startAwsWireServer } from './aws-wire-server.js';

export const BENCH_PAT = 'bench-pat-not-a-real-one-000000000000000000000000';
export const PAT_PARAMETER = '/ado-key-rotator/azure-devops/pat';

export interface BundleWorld {
  aws: AwsWireServer;
  ado: AdoStandIn;
  config: RotationConfig;
  /** A directory holding rotation.config.json, to use as LAMBDA_TASK_ROOT. */
  taskRoot: string;
  /** The environment a deployed function has (infra/key-rotator.ts), pointed at this world. */
  lambdaEnv(functionName: string): Record<string, string>;
  close(): Promise<void>;
}

/**
 * Seeds `targets` targets, each with a week-old active key that its secret and its connection hold (so the plan says
 * "rotate").
 */
export async function startBundleWorld(targets: number): Promise<BundleWorld> {
  const aws = await startAwsWireServer({ parameters: { [PAT_PARAMETER]: BENCH_PAT } });
  const ado = await startAdoStandIn({ pat: BENCH_PAT, organizations: ['contoso'] });
  const config: RotationConfig = {
    targets: [],
    settings: { minKeyAgeDays: 6, gracePeriodDays: 6, inProgressTimeoutMinutes: 120 },
    schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
    maxConcurrency: 5,
    // The stand-ins listen on http://127.0.0.1: a local run, opted in.
    allowLoopbackHttp: true,
  };
  const weekAgo = new Date(Date.now() - 8 * 86_400_000);
  for (let i = 1; i <= targets; i++) {
    const target = {
      name: `bench-${i}`,
      iamUserName: `ado-bench-${i}`,
      secretId: `ado-key-rotator/bench-${i}`,
      connection: {
        organizationUrl: ado.organizationUrl('contoso'),
        project: 'payments',
        connectionName: `aws-bench-${i}`,
        credentialParameter: PAT_PARAMETER,
      },
    };
    config.targets.push(target);
    aws.iam.addUser(target.iamUserName);
    const key = aws.iam.seedKey(target.iamUserName, { createdAt: weekAgo, lastUsedAt: new Date() });
    aws.secrets.seed(target.secretId, { ...key, iamUserName: target.iamUserName });
    ado.seedConnection(
      {
        organizationUrl: target.connection.organizationUrl,
        project: 'payments',
        connectionName: target.connection.connectionName,
      },
      { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, projects: ['payments', 'shared-services'] },
    );
  }
  const taskRoot = await mkdtemp(path.join(tmpdir(), 'rotator-bench-task-'));
  await writeFile(path.join(taskRoot, 'rotation.config.json'), JSON.stringify(config));

  return {
    aws,
    ado,
    config,
    taskRoot,
    lambdaEnv: (functionName) => ({
      ...BENCH_AWS_ENV,
      ...aws.endpointEnv,
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      POWERTOOLS_SERVICE_NAME: 'ado-key-rotator',
      POWERTOOLS_METRICS_NAMESPACE: 'AdoKeyRotator',
      // One SDK attempt: a stub that answers wrongly should fail the bench, not be retried into it.
      AWS_MAX_ATTEMPTS: '1',
    }),
    async close() {
      await aws.close();
      await ado.close();
      await rm(taskRoot, { recursive: true, force: true });
    },
  };
}

/** A Lambda context good enough for Powertools and Middy (the same fields as test/support/local-handlers.ts). */
export function lambdaContext(functionName: string) {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `bench-${Math.random().toString(16).slice(2, 10)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
