/**
 * A rotator wired through the real composition root, with as much of the real thing as runs
 * locally: the real Azure DevOps adapter against the HTTP stand-in, the real targets adapter over
 * a configuration, optionally the real Secrets Manager adapter over its wire stand-in, the real
 * Slack notifier and Powertools metrics, and the in-memory IAM and STS of a FakeWorld.
 *
 * Used by the bad-input and secret-canary suites: one place that knows how to seed a target
 * everywhere, what "nothing changed" means, and how to run it through the runner or the handlers.
 */
import { ALL_WIRING } from '../../../src/wiring/index.js';
import type { Context } from 'aws-lambda';
import { SecretsManagerSecretStore } from '../../../src/adapters/aws/secrets-manager-secret-store.adapter.js';
import type { AzureDevOpsClientOptions } from '../../../src/adapters/azure-devops/http-client.js';
import { AZURE_DEVOPS_CLIENT_OPTIONS } from '../../../src/adapters/azure-devops/service-connection.adapter.js';
import { ROTATION_CONFIG } from '../../../src/adapters/config/config-targets.adapter.js';
import { SLACK_SETTINGS } from '../../../src/adapters/slack/index.js';
import { createContainer, configureContainer } from '../../../src/composition-root.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_SCHEDULE, type RotationConfig } from '../../../src/domain/config.js';
import type { RotationMode, RotationTarget } from '../../../src/domain/model.js';
import type { RunSummary, TargetReport } from '../../../src/domain/report.js';
import type { RotationRunner, RotationUseCases } from '../../../src/domain/runner.js';
import type { NotifyResult } from '../../../src/domain/use-cases/notify-run.js';
import type { AzureDevOpsPort } from '../../../src/ports/azure-devops.port.js';
import { TOKENS } from '../../../src/ports/tokens.js';
import { type AdoStandIn, type SeedConnectionInput, startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { testSecretsManagerClient } from '../../../local/aws-wire/clients.js';
import { SecretsManagerWire } from '../../../local/aws-wire/secrets-manager-wire.js';
import { FakeWorld, PAT_PARAMETER } from '../../../local/fakes/world.js';
import type { FaultInjector } from '../../../local/fakes/faults.js';
import {
  fakeLambdaContext,
  handlersAsUseCases,
  LAMBDA_HANDLERS,
  type TaskName,
} from '../../../local/local-handlers.js';

export { PAT_PARAMETER };
export const SLACK_PARAMETER = '/rotator/slack/webhook';
export const ORGANIZATION = 'contoso';
export const PROJECT = 'payments';
export const TARGET: Pick<RotationTarget, 'name' | 'iamUserName' | 'secretId'> & { connectionName: string } = {
  name: 'app-prod',
  iamUserName: 'ado-app-prod',
  secretId: 'rotator/app-prod',
  connectionName: 'aws-app-prod',
};

/** The Azure DevOps client's retries, on no wall time. */
export const FAST_ADO_CLIENT: Partial<AzureDevOpsClientOptions> = {
  maxAttempts: 3,
  requestTimeoutMs: 5_000,
  sleep: async () => undefined,
};

/** Port calls that change something (IAM, the secret, the connection). */
export const MUTATING_CALLS = [
  'iam.createKey',
  'iam.setKeyStatus',
  'iam.deleteKey',
  'secrets.putPending',
  'secrets.promote',
  'secrets.dropPending',
  'ado.updateCredential',
] as const;
const MUTATING_SECRETS_MANAGER_OPERATIONS = [
  'CreateSecret',
  'PutSecretValue',
  'UpdateSecretVersionStage',
  'DeleteSecret',
];

export interface RigOptions {
  pat?: string;
  /** The PAT the stand-in accepts (default: the one in the parameter). */
  acceptedPat?: string;
  keyAgeDays?: number;
  propagationMs?: number;
  /** The status of the key the connection holds (default Active). */
  oldKeyStatus?: 'Active' | 'Inactive';
  /** The old key's secret access key (a canary, in the canary suite). */
  oldSecretAccessKey?: string;
  /** 'wire': the real Secrets Manager adapter over its wire stand-in; 'fake': the in-memory store. */
  secrets?: 'fake' | 'wire';
  /** How the secret is seeded: the old key (default), a raw string, or not at all. */
  secretSeed?: { kind: 'key' } | { kind: 'raw'; value: string } | { kind: 'none' } | { kind: 'scheduled-for-deletion' };
  /** How the connection is seeded in the stand-in (default: an AWS connection holding the old key). */
  connection?: Partial<SeedConnectionInput> | null;
  /** Changes the configured target after everything was seeded (e.g. an IAM user that does not exist). */
  configure?: (target: RotationTarget) => RotationTarget;
  /** A Slack incoming webhook URL: the real SlackNotifier posts to it. Without it, the fake notifier. */
  slackWebhookUrl?: string;
  /** Slack request timeout (default 10 s). */
  slackTimeoutMs?: number;
  /** The real Powertools metrics (EMF lines on stdout) instead of the fake. */
  realMetrics?: boolean;
  /** Wraps the real Azure DevOps adapter with the world's fault injector (calls named `ado.*`). */
  adoFaults?: boolean;
}

export interface Rig {
  world: FakeWorld;
  ado: AdoStandIn;
  wire: SecretsManagerWire | undefined;
  target: RotationTarget;
  connectionId: string;
  oldAccessKeyId: string;
  config: RotationConfig;
  overrides: Map<symbol, unknown>;
  /** The runner as the composition root builds it (the CLI's). */
  runner(): RotationRunner;
  /** The use cases as the composition root builds them. */
  useCases(): RotationUseCases;
  /** The Lambda handlers over the same wiring, as use cases (each output is pushed to `outputs`). */
  handlerUseCases(outputs?: unknown[]): RotationUseCases;
  /** Invokes one Lambda handler over the same wiring. */
  invoke(task: TaskName, input: unknown): Promise<unknown>;
  run(mode?: RotationMode): Promise<{ summary: RunSummary; notification: NotifyResult; report: TargetReport }>;
  /** IAM keys, the secret's versions and every connection in the stand-in. */
  snapshot(): unknown;
  /** Every call or request that changed (or tried to change) something. */
  mutations(): string[];
  close(): Promise<void>;
}

export type { TaskName };

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const pat = options.pat ?? 'rig-pat-0123456789abcdefghijklmnopqrstuvwxyz0123';
  const ado = await startAdoStandIn({ pat: options.acceptedPat ?? pat, organizations: [ORGANIZATION] });
  const world = new FakeWorld({ targets: 0, propagationMs: options.propagationMs ?? 4_000 });
  world.parameters.set(PAT_PARAMETER, pat);
  if (options.slackWebhookUrl) world.parameters.set(SLACK_PARAMETER, options.slackWebhookUrl);

  const seeded: RotationTarget = {
    name: TARGET.name,
    iamUserName: TARGET.iamUserName,
    secretId: TARGET.secretId,
    connection: {
      organizationUrl: ado.organizationUrl(ORGANIZATION),
      project: PROJECT,
      connectionName: TARGET.connectionName,
      credentialParameter: PAT_PARAMETER,
    },
  };
  const createdAt = new Date(world.clock.now().getTime() - (options.keyAgeDays ?? 8) * 86_400_000);
  const key = world.iam.seedKey(seeded.iamUserName, {
    createdAt,
    lastUsedAt: world.clock.now(),
    status: options.oldKeyStatus ?? 'Active',
    ...(options.oldSecretAccessKey ? { secretAccessKey: options.oldSecretAccessKey } : {}),
  });

  const wire =
    options.secrets === 'wire' ? new SecretsManagerWire({ now: () => world.clock.now() }).install() : undefined;
  const seed = options.secretSeed ?? { kind: 'key' };
  const stored = { ...key, iamUserName: seeded.iamUserName };
  if (seed.kind === 'key' || seed.kind === 'scheduled-for-deletion') {
    if (wire) wire.seed(seeded.secretId, stored);
    else world.secrets.seed(seeded.secretId, stored);
    if (seed.kind === 'scheduled-for-deletion') {
      if (!wire) throw new Error('scheduled-for-deletion needs secrets: "wire"');
      wire.scheduleDeletion(seeded.secretId);
    }
  } else if (seed.kind === 'raw') {
    if (wire) wire.seedRaw(seeded.secretId, seed.value);
    else world.secrets.seedRaw(seeded.secretId, seed.value);
  }

  const connectionId =
    options.connection === null
      ? ''
      : ado.seedConnection(seeded.connection, {
          accessKeyId: key.accessKeyId,
          secretAccessKey: key.secretAccessKey,
          ...options.connection,
        });
  const target = options.configure ? options.configure(structuredClone(seeded)) : seeded;
  world.targets.add(target);

  const config: RotationConfig = {
    targets: [target],
    settings: world.targets.settings,
    schedule: { ...DEFAULT_SCHEDULE },
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
    ...(options.slackWebhookUrl ? { slackWebhookParameter: SLACK_PARAMETER } : {}),
    // The stand-in and the Slack sink listen on http://127.0.0.1: a local run, opted in.
    allowLoopbackHttp: true,
  };
  const overrides = new Map<symbol, unknown>([
    [ROTATION_CONFIG, config],
    [TOKENS.IamAccessKeys, world.iam],
    [TOKENS.KeyVerifier, world.verifier],
    [
      TOKENS.SecretStore,
      wire
        ? withFaults(new SecretsManagerSecretStore(testSecretsManagerClient()), 'secrets', world.faults)
        : world.secrets,
    ],
    [TOKENS.SecureParameters, world.parameters],
    [TOKENS.Clock, world.clock],
    [AZURE_DEVOPS_CLIENT_OPTIONS, FAST_ADO_CLIENT],
  ]);
  if (!options.slackWebhookUrl) overrides.set(TOKENS.Notifier, world.notifier);
  if (options.slackTimeoutMs !== undefined) {
    overrides.set(SLACK_SETTINGS, {
      webhookParameter: SLACK_PARAMETER,
      timeoutMs: options.slackTimeoutMs,
      allowLoopbackHttp: true,
    });
  }
  if (!options.realMetrics) overrides.set(TOKENS.Metrics, world.metrics);
  if (options.adoFaults) {
    const real = createContainer(ALL_WIRING, overrides).get<AzureDevOpsPort>(TOKENS.AzureDevOps);
    overrides.set(TOKENS.AzureDevOps, withFaults(real, 'ado', world.faults));
  }

  const invoke = async (task: TaskName, input: unknown): Promise<unknown> => {
    world.clock.advance(2_000);
    const fn = LAMBDA_HANDLERS[task] as (event: unknown, context: Context) => Promise<unknown>;
    return fn(structuredClone(input), fakeLambdaContext(task));
  };

  const rig: Rig = {
    world,
    ado,
    wire,
    target,
    connectionId,
    oldAccessKeyId: key.accessKeyId,
    config,
    overrides,
    runner: () => createContainer(ALL_WIRING, overrides).get<RotationRunner>(TOKENS.Runner),
    useCases: () => {
      const c = createContainer(ALL_WIRING, overrides);
      return {
        plan: c.get(TOKENS.PlanRotation),
        cleanup: c.get(TOKENS.CleanUpKeys),
        create: c.get(TOKENS.CreateKey),
        verifyKey: c.get(TOKENS.VerifyKey),
        publish: c.get(TOKENS.PublishKey),
        verifyPublish: c.get(TOKENS.VerifyPublish),
        canary: c.get(TOKENS.QueueCanary),
        checkCanary: c.get(TOKENS.CheckCanary),
        promote: c.get(TOKENS.PromoteSecret),
        revoke: c.get(TOKENS.RevokeOldKey),
        rollback: c.get(TOKENS.RollBack),
        report: c.get(TOKENS.ReportTarget),
        notify: c.get(TOKENS.NotifyRun),
      };
    },
    handlerUseCases: (outputs = []) => {
      configureContainer(ALL_WIRING, overrides);
      const call = async <T>(task: TaskName, input: unknown): Promise<T> => {
        const output = await invoke(task, input);
        outputs.push(output);
        return output as T;
      };
      return handlersAsUseCases(call);
    },
    invoke: (task, input) => {
      configureContainer(ALL_WIRING, overrides);
      return invoke(task, input);
    },
    run: async (mode = 'rotate') => {
      const { summary, notification } = await rig
        .runner()
        .run({ mode, targetNames: [target.name], newRotationId: () => world.newRotationId() });
      const first = summary.targets[0];
      if (!first) throw new Error('the run reported no target');
      return { summary, notification, report: first };
    },
    snapshot: () => ({
      keys: world.iam.keys(seeded.iamUserName),
      secret: wire ? wire.versions(seeded.secretId) : world.secrets.versions(seeded.secretId),
      connections: ado.connections(),
    }),
    mutations: () => [
      ...world.faults.calls.filter((call) => (MUTATING_CALLS as readonly string[]).includes(call)),
      ...(wire?.operations() ?? []).filter((operation) => MUTATING_SECRETS_MANAGER_OPERATIONS.includes(operation)),
      ...ado.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    ],
    close: () => ado.close(),
  };
  return rig;
}

/**
 * The port with every method going through the fault injector as `<prefix>.<method>`, so a real
 * adapter can be failed before or after its call like the fakes (the fault suite's names).
 */
export function withFaults<T extends object>(port: T, prefix: string, faults: FaultInjector): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) =>
        faults.around(`${prefix}.${property}`, () => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
