import { STSClient } from '@aws-sdk/client-sts';
import { StsWebIdentityTokenAdapter } from '../../src/adapters/aws/sts-web-identity-token.adapter.js';
import type { FederatedCredentialRef } from '../../src/domain/model.js';
import { type AdoStandIn, type KeyCheck, startAdoStandIn } from '../ado-stand-in/index.js';
import { ROTATOR_CREDENTIALS, TEST_REGION } from '../aws-wire/clients.js';
import { StsWire } from '../aws-wire/sts-wire.js';
import { EntraFederation, type FederatedIdentityCredential } from './entra-federation.js';
import { JwtIssuer } from './jwt-issuer.js';

/**
 * Everything a federated credential crosses, locally: the STS wire stub (outbound federation,
 * signing as `roleArn`), the Entra token endpoint (an app trusting that issuer and role) and the
 * Azure DevOps stand-in (the app's service principal a member with the Administrator role).
 * Tests then break one link at a time.
 */
export const FEDERATED: FederatedCredentialRef = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '0e3f6c1a-5b7d-4c2e-9a8f-1d2c3b4a5e6f',
};
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/AdoKeyRotator-StepRole';
export const AUDIENCE = 'api://AzureADTokenExchange';

export interface FederatedWorld {
  issuer: JwtIssuer;
  sts: StsWire;
  entra: EntraFederation;
  ado: AdoStandIn;
  members: Map<string, 'administrator' | 'no-permission'>;
  /** The app's federated identity credentials (edit to break the trust). */
  trust: FederatedIdentityCredential[];
  webIdentity: StsWebIdentityTokenAdapter;
}

export async function startFederatedWorld(
  options: { pat?: string; organizations?: string[]; outboundFederation?: boolean; keyCheck?: KeyCheck } = {},
): Promise<FederatedWorld> {
  const issuer = new JwtIssuer();
  const sts = new StsWire().install().addRole(ROTATOR_CREDENTIALS.accessKeyId, ROLE_ARN);
  if (options.outboundFederation ?? true) sts.enableOutboundFederation(issuer);
  const trust: FederatedIdentityCredential[] = [{ issuer: issuer.issuer, subject: ROLE_ARN, audience: AUDIENCE }];
  const entra = new EntraFederation({ apps: [{ ...FEDERATED, federatedCredentials: trust }] }).trustIssuer(
    issuer.issuer,
    issuer.publicKey,
  );
  const members = new Map<string, 'administrator' | 'no-permission'>([[FEDERATED.clientId, 'administrator']]);
  const ado = await startAdoStandIn({
    pat: options.pat ?? 'unused-pat-0000000000000000000000000000000000000',
    organizations: options.organizations ?? ['fabrikam'],
    federation: { entra, members },
    ...(options.keyCheck ? { keyCheck: options.keyCheck } : {}),
  });
  const webIdentity = new StsWebIdentityTokenAdapter(
    new STSClient({ region: TEST_REGION, credentials: ROTATOR_CREDENTIALS, maxAttempts: 1 }),
  );
  return { issuer, sts, entra, ado, members, trust, webIdentity };
}
