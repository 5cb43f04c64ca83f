import { AzureDevOpsHttpClient } from '../../../src/adapters/azure-devops/http-client.js';
import { afterEach, describe, expect, it } from 'vitest';
import { AzureDevOpsServiceConnectionAdapter } from '../../../src/adapters/azure-devops/service-connection.adapter.js';
import {
  AzureDevOpsCredentialRejectedError,
  AzureDevOpsNotAuthorizedError,
  FederatedCredentialMismatchError,
  OutboundFederationDisabledError,
  ServicePrincipalNotMemberError,
} from '../../../src/domain/errors.js';
import type { ConnectionRef } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import {
  AUDIENCE,
  FEDERATED,
  type FederatedWorld,
  ROLE_ARN,
  startFederatedWorld,
} from '../../../local/federation/federated-world.js';
import { capturingLogger, FakeSecureParameters, virtualTime } from './support/test-kit.js';

let world: FederatedWorld | undefined;
afterEach(async () => {
  await world?.ado.close();
  world = undefined;
});

async function setUp(options: { outboundFederation?: boolean } = {}) {
  world = await startFederatedWorld(options);
  const ref: ConnectionRef = {
    organizationUrl: world.ado.organizationUrl('fabrikam'),
    project: 'Web',
    connectionName: 'aws-prod',
    federatedCredential: FEDERATED,
  };
  const connectionId = world.ado.seedConnection(ref, {
    accessKeyId: 'AKIAOLDKEY0000000001',
    secretAccessKey: 'old/secret/000000000000000000000000000000',
  });
  const parameters = new FakeSecureParameters({});
  const time = virtualTime(Date.now());
  const logger = capturingLogger();
  const adapter = new AzureDevOpsServiceConnectionAdapter(
    new AzureDevOpsHttpClient(
      parameters,
      undefined,
      logger,
      { sleep: time.sleep, now: time.now, random: () => 0.5, entraAuthorityUrl: world.ado.url },
      world.webIdentity,
    ),
  );
  return { world, ref, connectionId, parameters, time, logger, adapter };
}

/** Everything an error or a log line could carry, for the secret scan. */
const everything = (error: unknown, logger: ReturnType<typeof capturingLogger>) =>
  JSON.stringify({ error, message: (error as Error)?.message, logs: logger.lines });

describe('Class: AzureDevOpsServiceConnectionAdapter, with a federated credential', () => {
  it('finds the connection with a token from STS exchanged at Entra ID, reading no parameter at all', async () => {
    // Prepare
    const { world, ref, connectionId, parameters, adapter } = await setUp();

    // Act
    const state = await adapter.findConnection(ref);

    // Assess
    expect(state.id).toBe(connectionId);
    expect(parameters.reads).toEqual([]);
    expect(world.sts.requests.map((r) => r.operation)).toEqual(['GetWebIdentityToken']);
    expect(world.entra.exchanges).toEqual([
      { clientId: FEDERATED.clientId, issuer: world.issuer.issuer, subject: ROLE_ARN },
    ]);
    const apiCalls = world.ado.requests.filter((r) => r.path.includes('_apis'));
    expect(apiCalls.map((r) => r.headers.authorization)).toEqual(['Bearer [REDACTED]']);
  });

  it('caches the Azure DevOps token for its lifetime: one STS call and one exchange for many requests', async () => {
    // Prepare
    const { world, ref, connectionId, adapter } = await setUp();

    // Act
    await adapter.findConnection(ref);
    await adapter.readConnection(ref, connectionId);
    await adapter.updateCredential(ref, connectionId, {
      accessKeyId: 'AKIANEWKEY0000000001',
      secretAccessKey: new SecretValue('new/secret/0000000000000000000000000000'),
    });

    // Assess
    expect(world.sts.requests).toHaveLength(1);
    expect(world.entra.exchanges).toHaveLength(1);
    expect(world.ado.connection(connectionId)?.accessKeyId).toBe('AKIANEWKEY0000000001');
  });

  it('asks for a fresh token once the cached one nears its expiry', async () => {
    // Prepare
    const { world, ref, time, adapter } = await setUp();
    await adapter.findConnection(ref);

    // Act: Entra's tokens live 3599 s; the client renews 5 minutes before.
    time.advance(3599_000 - 4 * 60_000);
    await adapter.findConnection(ref);

    // Assess
    expect(world.sts.requests).toHaveLength(2);
    expect(world.entra.exchanges).toHaveLength(2);
  });

  it(
    'refuses with OutboundFederationDisabledError before any Azure DevOps request when the account has not ' +
      'enabled it',
    async () => {
      // Prepare
      const { world, ref, adapter } = await setUp({ outboundFederation: false });

      // Act
      const result = adapter.findConnection(ref);

      // Assess
      await expect(result).rejects.toThrow(OutboundFederationDisabledError);
      expect(world.ado.requests).toHaveLength(0);
    },
  );

  it(
    'answers AADSTS70021 with the issuer, subject and audience presented when the app trusts ' + 'nothing yet',
    async () => {
      // Prepare
      const { world, ref, adapter, logger } = await setUp();
      world.trust.length = 0;

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(FederatedCredentialMismatchError);
      const message = (error as Error).message;
      expect(message).toContain('AADSTS70021');
      expect(message).toContain(`issuer ${world.issuer.issuer}`);
      expect(message).toContain(`subject ${ROLE_ARN}`);
      expect(message).toContain(`audience ${AUDIENCE}`);
      expect(world.ado.requests.filter((r) => r.path.includes('_apis'))).toHaveLength(0);
      expect(everything(error, logger)).not.toMatch(/eyJ[\w-]+\.eyJ/);
    },
  );

  it('names the presented subject when the app trusts another role (AADSTS700213)', async () => {
    // Prepare
    const { world, ref, adapter } = await setUp();
    world.trust.splice(0, 1, {
      issuer: world.issuer.issuer,
      subject: 'arn:aws:iam::123456789012:role/SomeOtherRole',
      audience: AUDIENCE,
    });

    // Act
    const error = await adapter.findConnection(ref).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FederatedCredentialMismatchError);
    expect((error as Error).message).toMatch(
      /AADSTS700213.*subject arn:aws:iam::123456789012:role\/AdoKeyRotator-StepRole/,
    );
  });

  it(
    'refuses with ServicePrincipalNotMemberError when the app is not a member of the organization ' + '(TF400813)',
    async () => {
      // Prepare
      const { world, ref, adapter } = await setUp();
      world.members.clear();

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ServicePrincipalNotMemberError);
      expect((error as Error).message).toContain(`Entra app ${FEDERATED.clientId}`);
      expect((error as Error).message).toContain('Organization settings > Users');
    },
  );

  it(
    'refuses with AzureDevOpsNotAuthorizedError naming the role to give when the member lacks the ' + 'permission',
    async () => {
      // Prepare
      const { world, ref, adapter } = await setUp();
      world.members.set(FEDERATED.clientId, 'no-permission');

      // Act
      const error = await adapter.findConnection(ref).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(AzureDevOpsNotAuthorizedError);
      expect((error as Error).message).toMatch(/HTTP 403.*AccessCheckException|HTTP 403/);
      expect((error as Error).message).toContain('Administrator role on the connection');
    },
  );

  it('says which configuration field to check when Entra does not know the app (AADSTS700016)', async () => {
    // Prepare
    const { ref, adapter } = await setUp();
    const wrong: ConnectionRef = {
      ...ref,
      federatedCredential: { ...FEDERATED, clientId: '11111111-2222-4333-8444-555555555555' },
    };

    // Act
    const error = await adapter.findConnection(wrong).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AzureDevOpsCredentialRejectedError);
    expect((error as Error).message).toMatch(/AADSTS700016.*federatedCredential\.clientId/);
  });
});
