import { AzureDevOpsHttpClient } from '../../../src/adapters/azure-devops/http-client.js';
/**
 * The VariableGroupsPort and PipelineRunsPort suites, against the real adapters over the HTTP
 * stand-in (every request held to Microsoft's 7.1 specs, every answer to their schemas) and
 * against the in-memory fakes the domain tests use.
 */
import { AzureDevOpsPipelineRunsAdapter } from '../../../src/adapters/azure-devops/pipeline-runs.adapter.js';
import { AzureDevOpsVariableGroupAdapter } from '../../../src/adapters/azure-devops/variable-group.adapter.js';
import { type AdoStandIn, startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { FakePipelineRuns } from '../../../local/fakes/fake-pipeline-runs.js';
import { FakeVariableGroups } from '../../../local/fakes/fake-variable-groups.js';
import { pipelineRunsContract } from '../../contracts/pipeline-runs.contract.js';
import { variableGroupsContract } from '../../contracts/variable-groups.contract.js';
import { ServiceEndpointSpec } from './support/ado-spec.js';
import { FakeSecureParameters, virtualTime } from './support/test-kit.js';

const PAT = 'stand-in-pat-0123456789abcdefghijklmnopqrstuvwxyz012345';
const PAT_PARAMETER = '/rotator/ado/pat';
const taskAgentSpec = new ServiceEndpointSpec('distributedTask_7.1_taskAgent.json');
const pipelinesSpec = new ServiceEndpointSpec('pipelines_7.1_pipelines.json');

const clientOptions = () => {
  const time = virtualTime();
  return { sleep: time.sleep, now: time.now, random: () => 0.5 };
};

/** Every request the adapter sent must be a 7.1 operation with a valid body, every answer a valid body. */
function specErrors(ado: AdoStandIn, spec: ServiceEndpointSpec): string[] {
  const organizationUrl = ado.organizationUrl('fabrikam');
  return ado.requests.flatMap((r) => {
    const request = spec.checkRequest({ method: r.method, url: `${ado.url}${r.url}`, body: r.body }, organizationUrl);
    const errors = request.errors.map((e) => `${r.method} ${r.path}: ${e}`);
    if (request.operationId === undefined) errors.push(`${r.method} ${r.path}: no operation`);
    return errors;
  });
}

variableGroupsContract('AzureDevOpsVariableGroupAdapter over the Azure DevOps stand-in', async () => {
  const ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam'] });
  const adapter = new AzureDevOpsVariableGroupAdapter(
    new AzureDevOpsHttpClient(
      new FakeSecureParameters({ [PAT_PARAMETER]: PAT }),
      undefined,
      undefined,
      clientOptions(),
    ),
  );
  return {
    port: adapter,
    organizationUrl: ado.organizationUrl('fabrikam'),
    credentialParameter: PAT_PARAMETER,
    seedVariableGroup: (ref, seed) => ado.seedVariableGroup(ref, seed),
    variableGroup: (id) => {
      const stored = ado.variableGroup(id);
      if (!stored) throw new Error(`the stand-in has no variable group ${id}`);
      return {
        ...stored,
        variables: Object.fromEntries(
          Object.entries(stored.variables).map(([k, v]) => [k, { value: v.value, isSecret: v.isSecret }]),
        ),
      };
    },
    close: async () => {
      const errors = specErrors(ado, taskAgentSpec);
      await ado.close();
      if (errors.length > 0) throw new Error(`requests outside the distributedTask 7.1 spec:\n${errors.join('\n')}`);
    },
  };
});

variableGroupsContract('FakeVariableGroups', () => {
  const fake = new FakeVariableGroups();
  return {
    port: fake,
    organizationUrl: 'https://dev.azure.com/fabrikam',
    credentialParameter: PAT_PARAMETER,
    seedVariableGroup: (ref, seed) => fake.seedVariableGroup(ref, seed),
    variableGroup: (id) => fake.variableGroup(id),
  };
});

pipelineRunsContract('AzureDevOpsPipelineRunsAdapter over the Azure DevOps stand-in', async () => {
  const workingKeys = new Map<string, string>();
  const ado = await startAdoStandIn({
    pat: PAT,
    organizations: ['fabrikam'],
    keyCheck: (id, secret) => workingKeys.get(id) === secret,
  });
  const adapter = new AzureDevOpsPipelineRunsAdapter(
    new AzureDevOpsHttpClient(
      new FakeSecureParameters({ [PAT_PARAMETER]: PAT }),
      undefined,
      undefined,
      clientOptions(),
    ),
  );
  let groups = 0;
  return {
    port: adapter,
    organizationUrl: ado.organizationUrl('fabrikam'),
    credentialParameter: PAT_PARAMETER,
    workingKeys,
    seedPipeline: (project, seed) => {
      const organizationUrl = ado.organizationUrl('fabrikam');
      const groupId = ado.seedVariableGroup(
        { organizationUrl, project, groupName: `canary-${++groups}` },
        {
          variables: {
            AWS_ACCESS_KEY_ID: { value: seed.key.accessKeyId },
            AWS_SECRET_ACCESS_KEY: { value: seed.key.secretAccessKey, isSecret: true },
          },
        },
      );
      return ado.seedPipeline(
        { organizationUrl, project },
        {
          name: seed.name,
          uses: {
            variableGroupId: groupId,
            accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
            secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
          },
          ...(seed.readsToComplete ? { readsToComplete: seed.readsToComplete } : {}),
          ...(seed.outcome ? { outcome: seed.outcome } : {}),
        },
      );
    },
    denyExecute: () => ado.denyExecute(),
    runCount: (pipelineId) => ado.pipelineRuns(pipelineId).length,
    close: async () => {
      const errors = specErrors(ado, pipelinesSpec);
      await ado.close();
      if (errors.length > 0) throw new Error(`requests outside the pipelines 7.1 spec:\n${errors.join('\n')}`);
    },
  };
});

pipelineRunsContract('FakePipelineRuns', () => {
  const workingKeys = new Map<string, string>();
  const fake = new FakePipelineRuns({ check: (id, secret) => workingKeys.get(id) === secret });
  let next = 11;
  return {
    port: fake,
    organizationUrl: 'https://dev.azure.com/fabrikam',
    credentialParameter: PAT_PARAMETER,
    workingKeys,
    seedPipeline: (project, seed) =>
      fake.seedPipeline({
        organizationUrl: 'https://dev.azure.com/fabrikam',
        project,
        id: next++,
        name: seed.name,
        uses: () => ({ ...seed.key }),
        ...(seed.readsToComplete ? { readsToComplete: seed.readsToComplete } : {}),
        ...(seed.outcome ? { outcome: seed.outcome } : {}),
      }),
    denyExecute: () => {
      fake.executeDenied = true;
    },
    runCount: (pipelineId) => fake.runsOf(pipelineId).length,
  };
});
