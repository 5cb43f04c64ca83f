/**
 * Loads the esbuild bundle of every handler (what is deployed, not the TypeScript source) and
 * runs a whole rotation through them: AWS through the real SDK clients bundled inside, answered
 * by the stateful wire stubs; Azure DevOps through the bundled adapter against the local
 * stand-in; configuration from `ROTATOR_CONFIG`, as the CDK stack sets it.
 *
 * esbuild emits no decorator metadata, so a constructor parameter without its `@inject` token, a
 * class name lost to minification (error names are the state machine's contract) or a module
 * that does not bundle fails here and nowhere else.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandlers, HANDLER_NAMES, type HandlerName } from '../../scripts/bundle.js';
import type { TargetReport } from '../../src/domain/report.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { IamWire } from '../../local/aws-wire/iam-wire.js';
import { SecretsManagerWire } from '../../local/aws-wire/secrets-manager-wire.js';
import { SsmWire } from '../../local/aws-wire/ssm-wire.js';
import { StsWire } from '../../local/aws-wire/sts-wire.js';
import { type AdoStandIn, startAdoStandIn } from '../../local/ado-stand-in/index.js';
import { captureOutput } from '../../local/capture-output.js';
import { fakeLambdaContext } from '../../local/local-handlers.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const PAT = 'bundle-test-pat-0000000000000000000000000000000000';
const USER = 'ado-bundle-deployer';
const SECRET_ID = 'ado-key-rotator/bundle';
const PAT_PARAMETER = '/ado-key-rotator/azure-devops/pat';

describe('Bundles: every handler as deployed', () => {
  let outDir: string;
  let handlers: Record<HandlerName, Handler>;
  let ado: AdoStandIn;
  const saved = { ...process.env };

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'rotator-bundles-'));
    const bundles = await bundleHandlers(outDir);
    ado = await startAdoStandIn({ pat: PAT, organizations: ['contoso'] });
    const config = {
      targets: [
        {
          name: 'bundle',
          iamUserName: USER,
          secretId: SECRET_ID,
          connection: {
            organizationUrl: ado.organizationUrl('contoso'),
            project: 'payments',
            connectionName: 'aws-bundle',
            credentialParameter: PAT_PARAMETER,
          },
        },
      ],
      settings: { minKeyAgeDays: 6, gracePeriodDays: 6, inProgressTimeoutMinutes: 120 },
      schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
      maxConcurrency: 5,
      // The stand-in listens on http://127.0.0.1: a local run, opted in (cdk synth refuses this flag).
      allowLoopbackHttp: true,
    };
    Object.assign(process.env, {
      ROTATOR_CONFIG: JSON.stringify(config),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAROTATORROLE00001',
      AWS_SECRET_ACCESS_KEY: 'rotator/role/secret/000000000000000000000',
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_METRICS_NAMESPACE: 'AdoKeyRotator',
      POWERTOOLS_SERVICE_NAME: 'ado-key-rotator',
    });
    handlers = {} as Record<HandlerName, Handler>;
    for (const bundle of bundles) {
      const module = (await import(pathToFileURL(bundle.file).href)) as { handler: Handler };
      handlers[bundle.name] = module.handler;
    }
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await ado?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('bundles one ESM file per handler, each exporting handler', () => {
    expect(Object.keys(handlers).sort()).toEqual([...HANDLER_NAMES].sort());
    for (const name of HANDLER_NAMES) expect(typeof handlers[name]).toBe('function');
  });

  it('rotates a key end to end through the bundles, in place, with ids only between steps', async () => {
    // Arrange: one IAM user with a week-old key, its secret, the PAT parameter, the connection.
    const iam = new IamWire().install();
    const sts = new StsWire().install();
    const secrets = new SecretsManagerWire().install();
    new SsmWire({ [PAT_PARAMETER]: PAT }).install();
    iam.addUser(USER);
    const old = iam.seedKey(USER, { createdAt: new Date(Date.now() - 8 * 86_400_000), lastUsedAt: new Date() });
    secrets.seed(SECRET_ID, { ...old, iamUserName: USER });
    const connectionId = ado.seedConnection(
      { organizationUrl: ado.organizationUrl('contoso'), project: 'payments', connectionName: 'aws-bundle' },
      { accessKeyId: old.accessKeyId, secretAccessKey: old.secretAccessKey },
    );
    const invoke = async (name: HandlerName, input: unknown) =>
      handlers[name](structuredClone(input), fakeLambdaContext(name));

    // Act
    const { result, error, lines } = await captureOutput(async () => {
      let state = (await invoke('plan', {
        rotationId: '0b6f3a52-8c1d-4e2f-9a7b-5c4d3e2f1a0b',
        targetName: 'bundle',
        mode: 'rotate',
        startedAt: new Date().toISOString(),
      })) as RotationState;
      state = (await invoke('cleanup', state)) as RotationState;
      state = (await invoke('create', state)) as RotationState;
      sts.addKey(state.newAccessKeyId as string, iam.userArn(USER));
      for (const step of ['verify-key', 'publish', 'verify-publish', 'promote', 'revoke'] as const) {
        state = (await invoke(step, state)) as RotationState;
      }
      const report = (await invoke('report', state)) as TargetReport;
      const notified = await invoke('notify', {
        executionId: 'bundle-test',
        mode: 'rotate',
        startedAt: state.startedAt,
        reports: [report],
      });
      return { state, report, notified };
    });

    // Assert
    expect(error).toBeUndefined();
    expect(result?.report.outcome).toBe('rotated');
    const connection = ado.connection(connectionId);
    if (!connection) throw new Error('the connection is gone');
    expect(connection.id).toBe(connectionId);
    expect(connection.accessKeyId).toBe(result?.state.newAccessKeyId);
    expect(iam.keys(USER).find((k) => k.accessKeyId === old.accessKeyId)?.status).toBe('Inactive');
    const current = secrets.versions(SECRET_ID).find((v) => v.stages.includes('AWSCURRENT'));
    expect(JSON.parse(current?.value ?? '{}').accessKeyId).toBe(result?.state.newAccessKeyId);
    const everything = `${lines.join('\n')}\n${JSON.stringify(result)}`;
    expect(everything).not.toContain(old.secretAccessKey);
    expect(everything).not.toContain(PAT);
    expect(everything).not.toContain(connection.secretAccessKey as string);
  }, 60_000);

  it('keeps error class names through minification (the Retry/Catch contract)', async () => {
    const { error } = await captureOutput(() => handlers.plan({ targetName: 'bundle' }, fakeLambdaContext('plan')));

    expect((error as Error).name).toBe('InvalidStepInputError');
    expect((error as Error).message).toContain('rotationId');
  });
});
