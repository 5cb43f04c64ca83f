/**
 * `npm run demo -- --federated`: the Azure DevOps half reached with no stored secret.
 *
 * The handlers' real STS adapter asks the STS wire stub (the real SDK client, signed with stand-in
 * role credentials, on the regional endpoint) for a web identity token; outbound federation is
 * "enabled" there with a local signing key. The Azure DevOps stand-in's Entra token endpoint
 * checks the token against the app's federated credential (issuer, subject, audience) and the
 * stand-in accepts the Azure DevOps token it issues, for the app's service principal, a member of
 * the organization. In a deployment each step has its own role, hence its own subject (the stack
 * outputs them); here one stand-in role plays all of them.
 */
import nock from 'nock';
import type { FederatedCredentialRef } from '../src/domain/model.js';
import { ROTATOR_CREDENTIALS, TEST_REGION } from '../local/aws-wire/clients.js';
import { StsWire } from '../local/aws-wire/sts-wire.js';
import { EntraFederation } from '../local/federation/entra-federation.js';
import { JwtIssuer } from '../local/federation/jwt-issuer.js';

export const DEMO_FEDERATED: FederatedCredentialRef = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '0e3f6c1a-5b7d-4c2e-9a8f-1d2c3b4a5e6f',
};
export const DEMO_ROLE_ARN = 'arn:aws:iam::123456789012:role/AdoKeyRotator-AzureDevOpsSteps';
const AUDIENCE = 'api://AzureADTokenExchange';
const ENV = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

export interface DemoFederation {
  federation: { entra: EntraFederation; members: Map<string, 'administrator' | 'no-permission'> };
  federatedCredential: FederatedCredentialRef;
  sts: StsWire;
  issuer: JwtIssuer;
  /** Lines for the end of the demo: what was asked of STS and Entra, and what the app trusts. */
  summary(): string[];
  close(): void;
}

export function startDemoFederation(): DemoFederation {
  // The real SDK client signs with these stand-in credentials; nothing leaves this machine (nock answers).
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
  Object.assign(process.env, {
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: ROTATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROTATOR_CREDENTIALS.secretAccessKey,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const issuer = new JwtIssuer();
  const sts = new StsWire()
    .install()
    .addRole(ROTATOR_CREDENTIALS.accessKeyId, DEMO_ROLE_ARN)
    .enableOutboundFederation(issuer);
  const entra = new EntraFederation({
    apps: [
      {
        ...DEMO_FEDERATED,
        federatedCredentials: [{ issuer: issuer.issuer, subject: DEMO_ROLE_ARN, audience: AUDIENCE }],
      },
    ],
  }).trustIssuer(issuer.issuer, issuer.publicKey);
  const members = new Map<string, 'administrator' | 'no-permission'>([[DEMO_FEDERATED.clientId, 'administrator']]);
  return {
    federation: { entra, members },
    federatedCredential: DEMO_FEDERATED,
    sts,
    issuer,
    summary: () => [
      `sts:GetWebIdentityToken calls (regional endpoint, audience ${AUDIENCE}): ` +
        `${sts.requests.filter((r) => r.operation === 'GetWebIdentityToken').length}`,
      `Entra token exchanges (client_assertion, app ${DEMO_FEDERATED.clientId}): ${entra.exchanges.length}`,
      `the app's federated credential: issuer ${issuer.issuer}, subject ${DEMO_ROLE_ARN}, audience ${AUDIENCE}`,
    ],
    close: () => {
      nock.cleanAll();
      for (const name of ENV) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    },
  };
}
