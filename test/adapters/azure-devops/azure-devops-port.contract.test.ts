/** The shared AzureDevOpsPort suite, against the real adapter over the HTTP stand-in and against the in-memory fake. */
import { startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { FakeAzureDevOps } from '../../../local/fakes/fake-azure-devops.js';
import { azureDevOpsContract } from '../../contracts/azure-devops.contract.js';
import { ServiceEndpointSpec } from './support/ado-spec.js';
import { makeAdapter } from './support/test-kit.js';

const PAT = 'stand-in-pat-0123456789abcdefghijklmnopqrstuvwxyz012345';
const PAT_PARAMETER = '/rotator/ado/pat';
const spec = new ServiceEndpointSpec();

azureDevOpsContract('AzureDevOpsServiceConnectionAdapter over the Azure DevOps stand-in', async () => {
  const ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam'] });
  const { adapter } = makeAdapter({ parameters: { [PAT_PARAMETER]: PAT } });
  return {
    port: adapter,
    organizationUrl: ado.organizationUrl('fabrikam'),
    credentialParameter: PAT_PARAMETER,
    seedConnection: (ref, seed) => ado.seedConnection(ref, seed),
    connection: (id) => {
      const stored = ado.connection(id);
      if (!stored) throw new Error(`the stand-in has no connection ${id}`);
      return stored;
    },
    close: async () => {
      // Whatever the contract did, the adapter must only have sent requests the 7.1 spec defines.
      const errors = ado.requests.flatMap(
        (r) =>
          spec.checkRequest(
            { method: r.method, url: `${ado.url}${r.url}`, body: r.body },
            ado.organizationUrl('fabrikam'),
          ).errors,
      );
      await ado.close();
      if (errors.length > 0) throw new Error(`requests outside the spec:\n${errors.join('\n')}`);
    },
  };
});

azureDevOpsContract('FakeAzureDevOps', () => {
  const fake = new FakeAzureDevOps();
  return {
    port: fake,
    organizationUrl: 'https://dev.azure.com/fabrikam',
    credentialParameter: PAT_PARAMETER,
    seedConnection: (ref, seed) => fake.seedConnection(ref, seed),
    connection: (id) => fake.connection(id),
  };
});
