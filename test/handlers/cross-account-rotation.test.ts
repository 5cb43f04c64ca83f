/**
 * A target whose IAM user lives in another AWS account, rotated end to end through the real Lambda
 * handlers at the wire: each step assumes its own role in the member account (STS AssumeRole with the
 * external id, the session named after the step and the target), and every IAM call for that user is
 * signed with the temporary credentials STS returned (the SigV4 access key id and X-Amz-Security-Token).
 * The secret stays in the rotator's account unless `secretInAccount` says otherwise.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AZURE_DEVOPS_CLIENT_OPTIONS } from '../../src/adapters/azure-devops/service-connection.adapter.js';
import { ROTATION_CONFIG } from '../../src/adapters/config/config-targets.adapter.js';
import { configureContainer } from '../../src/composition-root.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import type { TargetReport } from '../../src/domain/report.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { ALL_WIRING } from '../../src/wiring/index.js';
import { type AdoStandIn, startAdoStandIn } from '../../local/ado-stand-in/index.js';
import { ROTATOR_CREDENTIALS, TEST_REGION } from '../../local/aws-wire/clients.js';
import { IamWire } from '../../local/aws-wire/iam-wire.js';
import { SecretsManagerWire } from '../../local/aws-wire/secrets-manager-wire.js';
import { SsmWire } from '../../local/aws-wire/ssm-wire.js';
import { StsWire } from '../../local/aws-wire/sts-wire.js';
import { captureOutput } from '../../local/capture-output.js';
import { FakeMetrics, FakeNotifier } from '../../local/fakes/fake-reporting.js';
import { fakeLambdaContext, LAMBDA_HANDLERS, type TaskName } from '../../local/local-handlers.js';

const MEMBER = '222222222222';
const USER = 'ado-payments-deployer';
const USER_ARN = `arn:aws:iam::${MEMBER}:user/ci/${USER}`;
const ROLE_TEMPLATE = `arn:aws:iam::${MEMBER}:role/ado-key-rotator-{step}`;
const EXTERNAL_ID = 'ado-key-rotator-7f3a9c';
const ROTATOR_ROLE = 'arn:aws:iam::123456789012:role/AdoKeyRotator-StepRole';
const SECRET_ID = 'ado-key-rotator/payments';
const PAT = 'member-pat-000000000000000000000000000000000000000';
const PAT_PARAMETER = '/ado-key-rotator/azure-devops/pat';
const TARGET = 'member-payments';
const STEPS = ['plan', 'cleanup', 'create', 'verify-key', 'publish', 'verify-publish', 'promote', 'revoke'] as const;

let ado: AdoStandIn | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await ado?.close();
  ado = undefined;
});

async function setUp(options: { secretInAccount?: boolean; trustedExternalId?: string } = {}) {
  vi.stubEnv('AWS_REGION', TEST_REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', ROTATOR_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', ROTATOR_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  const sts = new StsWire().install().addRole(ROTATOR_CREDENTIALS.accessKeyId, ROTATOR_ROLE);
  for (const step of STEPS)
    sts.allowAssumeRole(ROLE_TEMPLATE.replace('{step}', step), {
      trustedRoleArns: [ROTATOR_ROLE],
      externalId: options.trustedExternalId ?? EXTERNAL_ID,
    });
  const iam = new IamWire().install().acceptSessionsFrom(sts);
  const secrets = new SecretsManagerWire().install();
  new SsmWire({ [PAT_PARAMETER]: PAT }).install();
  iam.addUser(USER, '/ci/');
  const old = iam.seedKey(USER, { createdAt: new Date(Date.now() - 8 * 86_400_000), lastUsedAt: new Date() });
  const secretId = options.secretInAccount
    ? `arn:aws:secretsmanager:us-east-1:${MEMBER}:secret:${SECRET_ID}`
    : SECRET_ID;
  secrets.seed(secretId, { ...old, iamUserName: USER });
  ado = await startAdoStandIn({ pat: PAT, organizations: ['fabrikam'] });
  const connection = { organizationUrl: ado.organizationUrl('fabrikam'), project: 'payments', connectionName: 'aws' };
  const connectionId = ado.seedConnection(connection, old);
  const config = parseRotationConfig({
    allowLoopbackHttp: true,
    targets: [
      {
        name: TARGET,
        iamUserArn: USER_ARN,
        assumeRole: {
          roleArn: ROLE_TEMPLATE,
          externalId: EXTERNAL_ID,
          ...(options.secretInAccount ? { secretInAccount: true } : {}),
        },
        secretId,
        connection: { ...connection, credentialParameter: PAT_PARAMETER },
      },
    ],
  });
  configureContainer(
    ALL_WIRING,
    new Map<symbol, unknown>([
      [ROTATION_CONFIG, config],
      [AZURE_DEVOPS_CLIENT_OPTIONS, { sleep: async () => undefined }],
      [TOKENS.Notifier, new FakeNotifier()],
      [TOKENS.Metrics, new FakeMetrics()],
    ]),
  );
  // Each Lambda runs one step: the construct sets ROTATOR_STEP on its function, as here before each call.
  const invoke = async (task: TaskName, input: unknown) => {
    vi.stubEnv('ROTATOR_STEP', task);
    return (LAMBDA_HANDLERS[task] as (event: unknown, context: Context) => Promise<unknown>)(
      structuredClone(input),
      fakeLambdaContext(task),
    );
  };
  const first = {
    rotationId: '0b7c3e2a-5d4f-4a61-9b8c-7d6e5f4a3b2c',
    targetName: TARGET,
    mode: 'rotate',
    startedAt: new Date().toISOString(),
  };
  return { sts, iam, secrets, secretId, old, connectionId, invoke, first, ado };
}

/** Every step of a rotation; the new key authenticates as the member account's user once created. */
async function rotate(world: Awaited<ReturnType<typeof setUp>>) {
  let state = world.first as unknown as RotationState;
  for (const step of STEPS) {
    state = (await world.invoke(step, state)) as RotationState;
    if (step === 'create') world.sts.addKey(state.newAccessKeyId as string, USER_ARN);
  }
  return { state, report: (await world.invoke('report', state)) as TargetReport };
}

describe('Lambda handlers, with a target in another AWS account', () => {
  it('rotate through each step’s role: AssumeRole with the external id, then IAM signed with its session', async () => {
    // Prepare
    const world = await setUp();

    // Act
    const { result, error, lines } = await captureOutput(() => rotate(world));

    // Assess: rotated, the connection holds the new key, the old one is retired in the member account.
    expect(error).toBeUndefined();
    expect(result?.report.outcome).toBe('rotated');
    expect(world.ado.connection(world.connectionId)?.accessKeyId).toBe(result?.state.newAccessKeyId);
    expect(world.iam.keys(USER).find((k) => k.accessKeyId === world.old.accessKeyId)?.status).toBe('Inactive');
    // STS: one AssumeRole per step that touches the user, on that step's role, with the external id and a
    // session named after the step and the target (cached: the plan's several IAM calls share one session;
    // cleanup had nothing to clean, so it made no IAM call and assumed nothing).
    const assumed = world.sts.requests.filter((r) => r.operation === 'AssumeRole');
    expect(assumed.map((r) => r.params.RoleArn)).toEqual(
      ['plan', 'create', 'revoke'].map((step) => ROLE_TEMPLATE.replace('{step}', step)),
    );
    expect(world.iam.requests.filter((r) => r.operation === 'ListAccessKeys').length).toBeGreaterThan(1);
    for (const request of assumed) {
      expect(request.signedWith).toBe(ROTATOR_CREDENTIALS.accessKeyId);
      expect(request.params.ExternalId).toBe(EXTERNAL_ID);
      const step = String(request.params.RoleArn).split('ado-key-rotator-')[1];
      expect(request.params.RoleSessionName).toBe(`ado-key-rotator.${step}.${TARGET}`);
    }
    // IAM: every call signed with a temporary key STS issued for the member role of the step that made it,
    // carrying that session's token; none with the rotator's own key.
    expect(world.iam.requests.length).toBeGreaterThan(0);
    for (const request of world.iam.requests) {
      const session = world.sts.session(request.signedWith ?? '');
      expect(session?.roleArn).toMatch(new RegExp(`^arn:aws:iam::${MEMBER}:role/ado-key-rotator-`));
      expect(request.sessionToken).toBe(session?.sessionToken);
    }
    expect(world.iam.requests.map((r) => r.operation)).toContain('CreateAccessKey');
    // The secret lives in the rotator's account: signed with the rotator's own key, no session.
    expect(world.secrets.requests.every((r) => r.signedWith === ROTATOR_CREDENTIALS.accessKeyId)).toBe(true);
    expect(world.secrets.requests.every((r) => !r.sessionToken)).toBe(true);
    // The temporary credentials appear in no log line and no step output.
    const everything = `${lines.join('\n')}\n${JSON.stringify(result)}`;
    for (const request of world.iam.requests) {
      const session = world.sts.session(request.signedWith ?? '');
      expect(everything).not.toContain(session?.secretAccessKey);
      expect(everything).not.toContain(session?.sessionToken);
      expect(everything).not.toContain(request.signedWith);
    }
    expect(everything).not.toContain(EXTERNAL_ID);
  }, 60_000);

  it('reach a secret that lives in the member account through the same role (secretInAccount)', async () => {
    // Prepare
    const world = await setUp({ secretInAccount: true });

    // Act
    const { result, error } = await captureOutput(() => rotate(world));

    // Assess
    expect(error).toBeUndefined();
    expect(result?.report.outcome).toBe('rotated');
    const current = world.secrets.versions(world.secretId).find((v) => v.stages.includes('AWSCURRENT'));
    expect(JSON.parse(current?.value ?? '{}').accessKeyId).toBe(result?.state.newAccessKeyId);
    expect(world.secrets.requests.length).toBeGreaterThan(0);
    for (const request of world.secrets.requests) {
      expect(world.sts.session(request.signedWith ?? '')?.roleArn).toMatch(/:role\/ado-key-rotator-/);
      expect(request.sessionToken).toBeTruthy();
    }
  }, 60_000);

  it('change nothing, naming role and target but not the external id, when the external id is wrong', async () => {
    // Prepare: the member role's trust policy requires another external id.
    const world = await setUp({ trustedExternalId: 'another-external-id-1' });
    const before = { keys: world.iam.keys(USER), versions: world.secrets.versions(world.secretId) };

    // Act
    const { result, error, lines } = await captureOutput(async () => world.invoke('plan', world.first));

    // Assess
    const message = String((error as Error | undefined)?.message);
    const said = `${JSON.stringify(result ?? null)}\n${message}\n${lines.join('\n')}`;
    expect(said).toMatch(
      /could not assume arn:aws:iam::222222222222:role\/ado-key-rotator-plan for target member-payments/,
    );
    expect(said).toMatch(/externalId/);
    expect(said).not.toContain(EXTERNAL_ID);
    expect(world.iam.requests).toEqual([]);
    expect({ keys: world.iam.keys(USER), versions: world.secrets.versions(world.secretId) }).toEqual(before);
  });
});
