/**
 * `npm run demo -- --holders`: the first target's key is also held by a second service connection
 * and a variable group (with another secret variable that must survive the update), all in the
 * local Azure DevOps stand-in, rotated together by the real adapters; and the target names a canary
 * pipeline whose run succeeds only if the key the first connection holds works (the stand-in asks
 * the IAM fake), queued and polled by the real pipeline-runs adapter before the old key retires.
 */
import type { RotationTarget } from '../src/domain/model.js';
import type { AdoStandIn } from '../local/ado-stand-in/index.js';

const OTHER_SECRET = 'demo-terraform-token-kept-as-is';
/** The demo's canary pipeline id in the stand-in. */
export const DEMO_CANARY_PIPELINE = 42;
const seeded = new Map<string, { connectionIds: string[]; groupIds: number[] }>();

/** Adds a second connection and a variable group to the target's configuration. */
export function addDemoHolders(target: RotationTarget | undefined): void {
  if (!target) return;
  target.otherConnections = [{ ...target.connection, connectionName: `${target.connection.connectionName}-eu` }];
  target.variableGroups = [
    {
      organizationUrl: target.connection.organizationUrl,
      project: target.connection.project,
      groupName: `aws-deploy-${target.name}`,
      accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
      secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
      ...(target.connection.credentialParameter ? { credentialParameter: target.connection.credentialParameter } : {}),
    },
  ];
  target.canary = {
    organizationUrl: target.connection.organizationUrl,
    project: target.connection.project,
    pipelineId: DEMO_CANARY_PIPELINE,
    ...(target.connection.credentialParameter ? { credentialParameter: target.connection.credentialParameter } : {}),
    ...(target.connection.federatedCredential ? { federatedCredential: target.connection.federatedCredential } : {}),
  };
}

/** Seeds the stand-in with the target's other holders, each holding `key`, and its canary pipeline. */
export function seedDemoHolders(
  ado: AdoStandIn,
  target: RotationTarget,
  key: { accessKeyId: string; secretAccessKey: string },
  firstConnectionId: string,
): void {
  if (target.canary) {
    // Runs through the first connection; two reads of a run before it completes (the state machine polls it).
    ado.seedPipeline(
      { organizationUrl: target.canary.organizationUrl, project: target.canary.project },
      {
        id: target.canary.pipelineId,
        name: 'aws-canary',
        uses: { connectionId: firstConnectionId },
        readsToComplete: 2,
      },
    );
  }
  const connectionIds = (target.otherConnections ?? []).map((ref) => ado.seedConnection(ref, { ...key }));
  const groupIds = (target.variableGroups ?? []).map((ref) =>
    ado.seedVariableGroup(ref, {
      variables: {
        AWS_ACCESS_KEY_ID: { value: key.accessKeyId },
        AWS_SECRET_ACCESS_KEY: { value: key.secretAccessKey, isSecret: true },
        TF_TOKEN: { value: OTHER_SECRET, isSecret: true },
        AWS_DEFAULT_REGION: { value: 'eu-west-1' },
      },
    }),
  );
  seeded.set(target.name, { connectionIds, groupIds });
}

/** What each other holder holds now, for the demo's final state (never a secret value). */
export function demoHolderLines(ado: AdoStandIn, target: RotationTarget): string[] {
  const ids = seeded.get(target.name);
  if (!ids) return [];
  const lines = ids.connectionIds.map((id) => {
    const connection = ado.connection(id);
    return `connection ${connection?.name} ${id} holds ${connection?.accessKeyId ?? 'nothing'}`;
  });
  for (const id of ids.groupIds) {
    const group = ado.variableGroup(id);
    const kept = group?.variables.TF_TOKEN?.value === OTHER_SECRET && group.variables.TF_TOKEN.isSecret;
    lines.push(
      `variable group ${group?.name} (${id}) holds ${group?.variables.AWS_ACCESS_KEY_ID?.value ?? 'nothing'}; ` +
        `its other secret TF_TOKEN ${kept ? 'kept as it was' : 'LOST'}`,
    );
  }
  if (target.canary) {
    for (const run of ado.pipelineRuns(target.canary.pipelineId)) {
      lines.push(
        `canary pipeline ${target.canary.pipelineId}: run ${run.id} ran with ${run.accessKeyId ?? 'no key'}: ` +
          `${run.state}${run.result ? `, ${run.result}` : ''}`,
      );
    }
  }
  return lines;
}
