/**
 * A whole rotation through the real Lambda handlers with the "federated" Azure DevOps credential,
 * at the wire: IAM, Secrets Manager and STS (GetCallerIdentity for the new key, GetWebIdentityToken
 * for the role) through the real SDK clients and the wire stubs; Entra ID and Azure DevOps through
 * the real adapter against the local stand-ins. No Azure DevOps secret exists anywhere: the
 * configuration names a tenant and a client id, and SSM is never asked for anything.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AZURE_DEVOPS_CLIENT_OPTIONS } from '../../src/adapters/azure-devops/service-connection.adapter.js';
import { ROTATION_CONFIG } from '../../src/adapters/config/config-targets.adapter.js';
import { configureContainer } from '../../src/composition-root.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_SCHEDULE, type RotationConfig } from '../../src/domain/config.js';
import type { TargetReport } from '../../src/domain/report.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { ALL_WIRING } from '../../src/wiring/index.js';
import { ROTATOR_CREDENTIALS, TEST_REGION } from '../../local/aws-wire/clients.js';
import { IamWire } from '../../local/aws-wire/iam-wire.js';
import { SecretsManagerWire } from '../../local/aws-wire/secrets-manager-wire.js';
import { SsmWire } from '../../local/aws-wire/ssm-wire.js';
import { captureOutput } from '../../local/capture-output.js';
import { FakeMetrics, FakeNotifier } from '../../local/fakes/fake-reporting.js';
import { FEDERATED, type FederatedWorld, startFederatedWorld } from '../../local/federation/federated-world.js';
import { fakeLambdaContext, LAMBDA_HANDLERS, type TaskName } from '../../local/local-handlers.js';

const USER = 'ado-federated-deployer';
const SECRET_ID = 'ado-key-rotator/federated';

let world: FederatedWorld | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await world?.ado.close();
  world = undefined;
});

async function setUp(options: { outboundFederation?: boolean } = {}) {
  vi.stubEnv('AWS_REGION', TEST_REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', ROTATOR_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', ROTATOR_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  world = await startFederatedWorld(options);
  const iam = new IamWire().install();
  const secrets = new SecretsManagerWire().install();
  const ssm = new SsmWire().install();
  iam.addUser(USER);
  const old = iam.seedKey(USER, { createdAt: new Date(Date.now() - 8 * 86_400_000), lastUsedAt: new Date() });
  secrets.seed(SECRET_ID, { ...old, iamUserName: USER });
  const connection = {
    organizationUrl: world.ado.organizationUrl('fabrikam'),
    project: 'payments',
    connectionName: 'aws-federated',
  };
  const connectionId = world.ado.seedConnection(connection, {
    accessKeyId: old.accessKeyId,
    secretAccessKey: old.secretAccessKey,
  });
  const config: RotationConfig = {
    targets: [
      {
        name: 'federated',
        iamUserName: USER,
        secretId: SECRET_ID,
        connection: { ...connection, federatedCredential: FEDERATED },
      },
    ],
    settings: { minKeyAgeDays: 6, gracePeriodDays: 6, inProgressTimeoutMinutes: 120 },
    schedule: { ...DEFAULT_SCHEDULE },
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
  };
  configureContainer(
    ALL_WIRING,
    new Map<symbol, unknown>([
      [ROTATION_CONFIG, config],
      [AZURE_DEVOPS_CLIENT_OPTIONS, { entraAuthorityUrl: world.ado.url, sleep: async () => undefined }],
      [TOKENS.Notifier, new FakeNotifier()],
      [TOKENS.Metrics, new FakeMetrics()],
    ]),
  );
  const invoke = async (task: TaskName, input: unknown) =>
    (LAMBDA_HANDLERS[task] as (event: unknown, context: Context) => Promise<unknown>)(
      structuredClone(input),
      fakeLambdaContext(task),
    );
  const first = {
    rotationId: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    targetName: 'federated',
    mode: 'rotate',
    startedAt: new Date().toISOString(),
  };
  return { world, iam, secrets, ssm, old, connectionId, invoke, first };
}

describe('Lambda handlers, with a federated Azure DevOps credential', () => {
  it('rotate a key end to end with no Azure DevOps secret anywhere, and never log a token', async () => {
    // Prepare
    const { world, iam, secrets, ssm, old, connectionId, invoke, first } = await setUp();

    // Act
    const { result, error, lines } = await captureOutput(async () => {
      let state = (await invoke('plan', first)) as RotationState;
      state = (await invoke('cleanup', state)) as RotationState;
      state = (await invoke('create', state)) as RotationState;
      world.sts.addKey(state.newAccessKeyId as string, iam.userArn(USER));
      for (const step of ['verify-key', 'publish', 'verify-publish', 'promote', 'revoke'] as const)
        state = (await invoke(step, state)) as RotationState;
      return { state, report: (await invoke('report', state)) as TargetReport };
    });

    // Assess
    expect(error).toBeUndefined();
    expect(result?.report.outcome).toBe('rotated');
    expect(world.ado.connection(connectionId)?.accessKeyId).toBe(result?.state.newAccessKeyId);
    expect(iam.keys(USER).find((k) => k.accessKeyId === old.accessKeyId)?.status).toBe('Inactive');
    const current = secrets.versions(SECRET_ID).find((v) => v.stages.includes('AWSCURRENT'));
    expect(JSON.parse(current?.value ?? '{}').accessKeyId).toBe(result?.state.newAccessKeyId);
    expect(ssm.requests).toEqual([]);
    expect(world.sts.requests.filter((r) => r.operation === 'GetWebIdentityToken').length).toBeGreaterThanOrEqual(1);
    expect(
      world.ado.requests
        .filter((r) => r.path.includes('_apis'))
        .every((r) => r.headers.authorization === 'Bearer [REDACTED]'),
    ).toBe(true);
    const everything = `${lines.join('\n')}\n${JSON.stringify(result)}`;
    expect(everything).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
    expect(everything).not.toContain(old.secretAccessKey);
  }, 60_000);

  const refusals: Array<[string, (w: FederatedWorld) => void, RegExp, { outboundFederation?: boolean }]> = [
    [
      'outbound federation is not enabled in the account',
      () => undefined,
      /OutboundFederationDisabledError/,
      { outboundFederation: false },
    ],
    [
      'the Entra app has no matching federated credential (AADSTS70021)',
      (w) => w.trust.splice(0),
      /FederatedCredentialMismatchError/,
      {},
    ],
    [
      'the service principal is not a member of the organization',
      (w) => w.members.clear(),
      /ServicePrincipalNotMemberError/,
      {},
    ],
    [
      'the service principal lacks the permission',
      (w) => w.members.set(FEDERATED.clientId, 'no-permission'),
      /AzureDevOpsNotAuthorizedError/,
      {},
    ],
  ];
  for (const [when, breakIt, name, options] of refusals) {
    it(`refuse at plan, changing nothing, when ${when}`, async () => {
      // Prepare
      const { world, iam, secrets, connectionId, invoke, first } = await setUp(options);
      breakIt(world);
      const before = {
        keys: iam.keys(USER),
        versions: secrets.versions(SECRET_ID),
        held: world.ado.connection(connectionId)?.accessKeyId,
      };

      // Act
      const { result, error } = await captureOutput(async () => (await invoke('plan', first)) as RotationState);

      // Assess: a refuse plan (reported, not rolled back), naming the error, and nothing changed.
      expect(error).toBeUndefined();
      expect(result?.plan?.action).toBe('refuse');
      expect(result?.plan?.code).toMatch(name);
      expect({
        keys: iam.keys(USER),
        versions: secrets.versions(SECRET_ID),
        held: world.ado.connection(connectionId)?.accessKeyId,
      }).toEqual(before);
      expect(JSON.stringify(result)).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
    });
  }
});
