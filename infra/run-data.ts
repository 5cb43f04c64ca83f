import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct, type IConstruct } from 'constructs';
import type { RotationConfig } from '../src/domain/config.js';

/**
 * Where a run's data lives, so that it never travels through the parent execution's state (whose
 * input and output are limited to 256 KiB): the list of targets the Distributed Map reads
 * (`ItemReader`), and the result of every child execution it writes (`ResultWriter`), which the
 * notify step reads back.
 *
 * - `targets/all.json`: every configured target name, written by the deployment from the
 *   configuration (10,000 names of 30 characters are about 330 KB: too big for the state);
 * - `runs/<execution name>/targets.json`: the names a manual run was given, written by the run;
 * - `results/<map run id>/manifest.json` and `SUCCEEDED_0.json`, `FAILED_0.json`...: Step Functions'
 *   own record of each child execution (its input, and its output or its error and cause).
 */
export const RUN_DATA = {
  allTargetsKey: 'targets/all.json',
  runsPrefix: 'runs',
  resultsPrefix: 'results',
  /** Runs and results are kept as long as the audit trail of the logs (one year). */
  retentionDays: 365,
} as const;

/** The objects the deployment writes, by key (the local run seeds its S3 stand-in with the same). */
export function deployedObjects(config: RotationConfig): Record<string, string> {
  return { [RUN_DATA.allTargetsKey]: JSON.stringify(config.targets.map((t) => t.name)) };
}

export interface RunDataProps {
  config: RotationConfig;
  removalPolicy?: RemovalPolicy;
}

/** The run-data bucket, and the deployment that writes the target list into it. */
export class RunData extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: RunDataProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        { prefix: `${RUN_DATA.runsPrefix}/`, expiration: Duration.days(RUN_DATA.retentionDays) },
        { prefix: `${RUN_DATA.resultsPrefix}/`, expiration: Duration.days(RUN_DATA.retentionDays) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "Holds target names and per-target reports (key ids, never secrets), written only by the rotator's own " +
        'roles; CloudTrail data events audit access where required, server access logs would need a second bucket.',
    });

    const deployment = new s3deploy.BucketDeployment(this, 'Targets', {
      destinationBucket: this.bucket,
      sources: Object.entries(deployedObjects(props.config)).map(([key, body]) => s3deploy.Source.data(key, body)),
      // Only the target list is managed here: runs and results written by executions are left alone.
      prune: false,
      retainOnDelete: false,
      memoryLimit: 256,
    });
    this.acknowledgeDeploymentFindings(deployment);
  }

  /** The BucketDeployment's own handler (a CDK singleton Lambda, run at deployment only) and its CDK-made grants. */
  private acknowledgeDeploymentFindings(deployment: s3deploy.BucketDeployment): void {
    const handler = deployment.handlerRole.node.scope as IConstruct;
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The CDK BucketDeployment handler (a CloudFormation custom resource run only at deployment) pins the ' +
        'Python runtime its bundled AWS CLI layer needs.',
    });
    Validations.of(deployment.handlerRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The CDK BucketDeployment handler logs through the AWS managed basic execution policy, as CDK creates ' +
        'it; it runs only at deployment.',
    });
    const policy = deployment.handlerRole.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    if (policy) {
      acknowledgeWildcards(
        deployment.handlerRole,
        policy.document,
        'CDK BucketDeployment copies the deployment asset from the CDK assets bucket into the run-data bucket: ' +
          "its grants are CDK's own, on those two buckets only.",
      );
    }
  }
}

/**
 * Acknowledges the AwsSolutions-IAM5 findings a policy's wildcards cause (each action with `*`, each
 * resource with `*`), with one reason: for grants CDK writes itself (Distributed Map, S3 item reader
 * and result writer, BucketDeployment), whose exact text the code cannot narrow.
 */
export function acknowledgeWildcards(scope: IConstruct, document: iam.PolicyDocument, reason: string): void {
  const resolved = Stack.of(scope).resolve(document.toJSON()) as
    | { Statement?: Array<{ Action?: unknown; Resource?: unknown }> }
    | undefined;
  const ids = new Set<string>();
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
  for (const statement of resolved?.Statement ?? []) {
    for (const action of list(statement.Action))
      if (typeof action === 'string' && action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
    for (const resource of list(statement.Resource)) {
      const flat = flattenCfnReference(resource);
      if (flat.includes('*') && flat !== '*') ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
    }
  }
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}
