/**
 * The federated credential (no stored secret) for every kind of holder and for the canary: the
 * variable groups, the pipeline runs and the keyless inventory reach Azure DevOps through the one
 * shared client, with the token of one exchange.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AzureDevOpsHttpClient } from '../../../src/adapters/azure-devops/http-client.js';
import { AzureDevOpsInventoryAdapter } from '../../../src/adapters/azure-devops/inventory.adapter.js';
import { AzureDevOpsPipelineRunsAdapter } from '../../../src/adapters/azure-devops/pipeline-runs.adapter.js';
import { AzureDevOpsVariableGroupAdapter } from '../../../src/adapters/azure-devops/variable-group.adapter.js';
import { parseRotationConfig } from '../../../src/config/parse-rotation-config.js';
import { ServicePrincipalNotMemberError } from '../../../src/domain/errors.js';
import { FEDERATED, type FederatedWorld, startFederatedWorld } from '../../../local/federation/federated-world.js';
import { FakeSecureParameters, virtualTime } from './support/test-kit.js';

const OLD = { accessKeyId: 'AKIAOLDKEY0000000001', secretAccessKey: 'old/secret/000000000000000000000000000000' };
let world: FederatedWorld | undefined;
afterEach(async () => {
  await world?.ado.close();
  world = undefined;
});

async function setUp() {
  world = await startFederatedWorld({
    keyCheck: (id, secret) => id === OLD.accessKeyId && secret === OLD.secretAccessKey,
  });
  const organizationUrl = world.ado.organizationUrl('fabrikam');
  // The configuration as an operator writes it: the holders inherit the first connection's federated credential.
  const [target] = parseRotationConfig(
    {
      allowLoopbackHttp: true,
      targets: [
        {
          name: 'app-prod',
          iamUserName: 'ado-app-prod',
          secretId: 'ado-key-rotator/app-prod',
          connection: { organizationUrl, project: 'Web', connectionName: 'aws-prod', federatedCredential: FEDERATED },
          variableGroups: [{ groupName: 'aws-deploy' }],
          canary: { pipelineId: 7 },
        },
      ],
    },
    { lookUpTimeZone: false },
  ).targets;
  const connectionId = world.ado.seedConnection(
    { organizationUrl, project: 'Web', connectionName: 'aws-prod' },
    { ...OLD },
  );
  const groupId = world.ado.seedVariableGroup(
    { organizationUrl, project: 'Web', groupName: 'aws-deploy' },
    {
      variables: {
        AWS_ACCESS_KEY_ID: { value: OLD.accessKeyId },
        AWS_SECRET_ACCESS_KEY: { value: OLD.secretAccessKey, isSecret: true },
      },
    },
  );
  world.ado.seedPipeline({ organizationUrl, project: 'Web' }, { id: 7, name: 'canary', uses: { connectionId } });
  const parameters = new FakeSecureParameters({});
  const time = virtualTime(Date.now());
  const client = new AzureDevOpsHttpClient(
    parameters,
    undefined,
    undefined,
    { sleep: time.sleep, now: time.now, random: () => 0.5, entraAuthorityUrl: world.ado.url },
    world.webIdentity,
  );
  return { world, target: target!, groupId, parameters, client, organizationUrl };
}

describe('The federated credential for every holder and the canary', () => {
  it('reads the variable group, reads and queues the canary, reads the organization: one token exchange', async () => {
    // Prepare
    const { world, target, groupId, parameters, client, organizationUrl } = await setUp();
    const groups = new AzureDevOpsVariableGroupAdapter(client);
    const runs = new AzureDevOpsPipelineRunsAdapter(client);
    const inventory = new AzureDevOpsInventoryAdapter(client);
    const group = target.variableGroups?.[0];
    const canary = target.canary;

    // Act
    const state = await groups.findVariableGroup(group!);
    const pipeline = await runs.readPipeline(canary!);
    const queued = await runs.queueRun(canary!);
    const organization = await inventory.organization({ organizationUrl, federatedCredential: FEDERATED });

    // Assess
    expect(group?.federatedCredential).toEqual(FEDERATED);
    expect(canary?.federatedCredential).toEqual(FEDERATED);
    expect(state).toMatchObject({ id: groupId, heldAccessKeyId: OLD.accessKeyId });
    expect(pipeline).toEqual({ id: 7, name: 'canary' });
    expect(queued.runId).toBeGreaterThan(0);
    expect(organization.organizationId).toBe(world.ado.organizationId('fabrikam'));
    expect(parameters.reads).toEqual([]);
    expect(world.sts.requests.map((r) => r.operation)).toEqual(['GetWebIdentityToken']);
    expect(world.entra.exchanges).toHaveLength(1);
    const apiCalls = world.ado.requests.filter((r) => r.path.includes('_apis'));
    expect(apiCalls.length).toBe(4);
    expect(new Set(apiCalls.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer [REDACTED]']));
  });

  it('refuses a variable group whose Entra app is not a member of the organization, naming the app', async () => {
    // Prepare
    const { world, target, client } = await setUp();
    world.members.delete(FEDERATED.clientId);
    const groups = new AzureDevOpsVariableGroupAdapter(client);

    // Act
    const error = await groups.findVariableGroup(target.variableGroups![0]!).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ServicePrincipalNotMemberError);
    expect((error as Error).message).toContain(FEDERATED.clientId);
  });

  it('accepts a holder or a canary with its own federated credential (another app), never with both kinds', () => {
    // Prepare
    const other = { tenantId: FEDERATED.tenantId, clientId: '11111111-2222-3333-4444-555555555555' };
    const config = (group: Record<string, unknown>) => ({
      allowLoopbackHttp: true,
      targets: [
        {
          name: 'app-prod',
          iamUserName: 'ado-app-prod',
          secretId: 'ado-key-rotator/app-prod',
          connection: {
            organizationUrl: 'https://dev.azure.com/fabrikam',
            project: 'Web',
            connectionName: 'aws-prod',
            credentialParameter: '/ado-key-rotator/azure-devops/pat',
          },
          variableGroups: [group],
          canary: { pipelineId: 7, federatedCredential: other },
        },
      ],
    });

    // Act
    const [target] = parseRotationConfig(config({ groupName: 'g', federatedCredential: other }), {
      lookUpTimeZone: false,
    }).targets;
    const both = () =>
      parseRotationConfig(
        config({ groupName: 'g', federatedCredential: other, credentialParameter: '/ado-key-rotator/x' }),
        { lookUpTimeZone: false },
      );

    // Assess
    expect(target?.variableGroups?.[0]).toEqual({
      organizationUrl: 'https://dev.azure.com/fabrikam',
      project: 'Web',
      groupName: 'g',
      accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
      secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
      federatedCredential: other,
    });
    expect(target?.canary).toEqual({
      organizationUrl: 'https://dev.azure.com/fabrikam',
      project: 'Web',
      pipelineId: 7,
      federatedCredential: other,
    });
    expect(both).toThrow(/variableGroups\[0\] has both credentialParameter and federatedCredential/);
  });
});
