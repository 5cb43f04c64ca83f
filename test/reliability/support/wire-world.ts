/**
 * A starting world (worlds.ts) built at the wire: IAM, STS and Secrets Manager as the wire stubs (the real
 * SDK clients answered by nock), Azure DevOps as the stand-in behind the fault proxy, and the synthesized
 * state machine run locally with the real Lambda handlers and the production wiring (only the clock, the
 * PAT parameter, Slack and metrics are stand-ins). Used by the wire-level fault property.
 */
import type { Context } from 'aws-lambda';
import nock from 'nock';
import { S3RunResults } from '../../../src/adapters/aws/s3-run-results.adapter.js';
import {
  SecretsManagerSecretStore,
  UNPROMOTED,
} from '../../../src/adapters/aws/secrets-manager-secret-store.adapter.js';
import { AZURE_DEVOPS_CLIENT_OPTIONS } from '../../../src/adapters/azure-devops/service-connection.adapter.js';
import { ROTATION_CONFIG } from '../../../src/adapters/config/config-targets.adapter.js';
import { configureContainer } from '../../../src/composition-root.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_SCHEDULE, type RotationConfig } from '../../../src/domain/config.js';
import { parseResultsLocation, reportsFromChildResults } from '../../../src/domain/map-run-results.js';
import { DEFAULT_SETTINGS, type RotationTarget } from '../../../src/domain/model.js';
import type { TargetReport } from '../../../src/domain/report.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { TOKENS } from '../../../src/ports/tokens.js';
import { ALL_WIRING } from '../../../src/wiring/index.js';
import { deployedObjects } from '../../../infra/run-data.js';
import { type AdoStandIn, startAdoStandIn } from '../../../local/ado-stand-in/index.js';
import { testSecretsManagerClient } from '../../../local/aws-wire/clients.js';
import { IamWire } from '../../../local/aws-wire/iam-wire.js';
import type { InjectedError } from '../../../local/aws-wire/protocol.js';
import { SecretsManagerWire } from '../../../local/aws-wire/secrets-manager-wire.js';
import { StsWire } from '../../../local/aws-wire/sts-wire.js';
import { FakeClock } from '../../../local/fakes/fake-clock.js';
import { FakeMetrics, FakeNotifier } from '../../../local/fakes/fake-reporting.js';
import { FakeSecureParameters } from '../../../local/fakes/fake-targets.js';
import { localS3Client } from '../../../local/fakes/local-s3-client.js';
import { LocalS3 } from '../../../local/local-s3.js';
import { fakeLambdaContext, LAMBDA_HANDLERS, TASK_NAMES } from '../../../local/local-handlers.js';
import { type AslDefinition, runStateMachineLocally } from '../../../local/local-run.js';
import { type AdoFault, type AdoFaultProxy, startAdoFaultProxy } from './ado-fault-proxy.js';
import type { WorldView } from './fault-check.js';
import { type SeedKey, type SeededWorld, seedWorld, type WorldSpec } from './worlds.js';

export const WIRE_TARGET = 'wire-1';
const USER = `ado-${WIRE_TARGET}`;
const SECRET_ID = `rotator/${WIRE_TARGET}`;
const PAT_PARAMETER = '/rotator/azure-devops/pat';
const PAT = 'wire-pat-0123456789abcdefghijklmnopqrstuvwxyz0123';
const ORGANIZATION = 'contoso';
const PROJECT = 'payments';

export interface AwsWireFault extends InjectedError {
  service: 'iam' | 'secrets';
  operation: string;
}

export interface WireWorld {
  seeded: SeededWorld;
  config: RotationConfig;
  view(): WorldView;
  /** Runs the state machine once for the target; `afterTask` sees every task's end (invariants). */
  run(mode: 'rotate' | 'emergency', afterTask?: (task: string) => void): Promise<TargetReport | undefined>;
  /** Moves the world's clock on (the next run comes hours later, past the in-progress timeout). */
  advance(ms: number): void;
  injectAws(faults: readonly AwsWireFault[]): void;
  injectAdo(faults: readonly AdoFault[]): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export async function startWireWorld(
  spec: WorldSpec,
  definition: AslDefinition,
  options: { propagatingCalls: number },
): Promise<WireWorld> {
  // The world's "now" is the real time: the local Distributed Map starts each child execution at the real time
  // (`$$.Execution.StartTime`, which the steps read as the run's start), so the fake clock must agree with it.
  const startOfRun = new Date(Math.floor(Date.now() / 1000) * 1000);
  const clock = new FakeClock(new Date(startOfRun.getTime() - 200 * 86_400_000));
  const now = () => clock.now();
  const iam = new IamWire({ now }).install();
  const secrets = new SecretsManagerWire({ now }).install();
  const sts = new StsWire().install();
  /** Every secret access key this world knows (seeded, or written to the secret by the rotator). */
  const known = new Map<string, string>();
  const knownSecret = (id: string | null): string | undefined => {
    if (id === null) return undefined;
    if (!known.has(id)) {
      for (const v of secrets.versions(SECRET_ID)) {
        const parsed = JSON.parse(v.value) as { accessKeyId: string; secretAccessKey: string };
        known.set(parsed.accessKeyId, parsed.secretAccessKey);
      }
    }
    return known.get(id);
  };
  const works = (id: string | null, secret: string | null) =>
    id !== null &&
    secret !== null &&
    knownSecret(id) === secret &&
    iam.keys(USER).some((k) => k.accessKeyId === id && k.status === 'Active');
  const ado: AdoStandIn = await startAdoStandIn({
    pat: PAT,
    organizations: [ORGANIZATION],
    // A canary run succeeds when the key its holder holds works (and the pipeline itself is not broken).
    keyCheck: (id, secret) => spec.canary !== 'fail' && works(id, secret),
  });
  const proxy: AdoFaultProxy = await startAdoFaultProxy(ado.url);
  const seen = new Set<string>();
  /** STS learns each key IAM made, and rejects a new one `propagatingCalls` times (IAM propagation). */
  const syncSts = () => {
    for (const key of iam.keys(USER)) {
      if (seen.has(key.accessKeyId)) continue;
      seen.add(key.accessKeyId);
      const fresh = clock.now().getTime() - key.createdAt.getTime() < 60 * 60_000;
      sts.addKey(key.accessKeyId, iam.userArn(USER), { propagatingCalls: fresh ? options.propagatingCalls : 0 });
    }
  };
  const store = new SecretsManagerSecretStore(testSecretsManagerClient());
  const credential = (key: SeedKey) => ({
    accessKeyId: key.accessKeyId,
    secretAccessKey: new SecretValue(key.secretAccessKey),
    iamUserName: USER,
    createdAt: clock.now(),
  });
  const at = (organizationUrl: string) => ({ organizationUrl, project: PROJECT });
  const standIn = ado.organizationUrl(ORGANIZATION);
  const viaProxy = `${proxy.url}/${ORGANIZATION}`;
  const ids = { connections: [] as string[], groups: [] as number[] };
  let target: RotationTarget | undefined;

  const seeded = await seedWorld(
    {
      setTime: (when) => clock.advance(when.getTime() - clock.now().getTime()),
      seedKey: (o) => {
        const key = iam.seedKey(USER, o);
        known.set(key.accessKeyId, key.secretAccessKey);
        return key;
      },
      seedSecret: async (key) => {
        secrets.seed(SECRET_ID, { ...key, iamUserName: USER });
      },
      putPending: async (versionId, key) => {
        await store.putPending(SECRET_ID, versionId, credential(key));
      },
      promote: (versionId) => store.promote(SECRET_ID, versionId),
      seedTarget: async (key, s) => {
        const connection = { connectionName: `aws-${WIRE_TARGET}`, credentialParameter: PAT_PARAMETER };
        ids.connections.push(ado.seedConnection({ ...at(standIn), ...connection }, key));
        const otherConnections = Array.from({ length: s.holders.connections }, (_, i) => {
          const name = `aws-${WIRE_TARGET}-${i + 1}`;
          ids.connections.push(ado.seedConnection({ ...at(standIn), connectionName: name }, key));
          return { ...at(viaProxy), connectionName: name, credentialParameter: PAT_PARAMETER };
        });
        const variableGroups = Array.from({ length: s.holders.groups }, (_, i) => {
          const groupName = `aws-${WIRE_TARGET}-group-${i + 1}`;
          ids.groups.push(
            ado.seedVariableGroup(
              { ...at(standIn), groupName },
              {
                variables: {
                  AWS_ACCESS_KEY_ID: { value: key.accessKeyId },
                  AWS_SECRET_ACCESS_KEY: { value: key.secretAccessKey, isSecret: true },
                  TF_TOKEN: { value: 'tf-token-kept', isSecret: true },
                },
              },
            ),
          );
          return {
            ...at(viaProxy),
            groupName,
            accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
            secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
            credentialParameter: PAT_PARAMETER,
          };
        });
        const outcome = { pass: 'check', fail: 'check', cancel: 'canceled', timeout: 'never-completes' } as const;
        const pipelineId =
          s.canary === 'none'
            ? undefined
            : ado.seedPipeline(at(standIn), {
                name: `canary-${WIRE_TARGET}`,
                uses: { connectionId: ids.connections[0] as string },
                outcome: outcome[s.canary],
              });
        target = {
          name: WIRE_TARGET,
          iamUserName: USER,
          secretId: SECRET_ID,
          connection: { ...at(viaProxy), ...connection },
          ...(otherConnections.length ? { otherConnections } : {}),
          ...(variableGroups.length ? { variableGroups } : {}),
          ...(pipelineId === undefined
            ? {}
            : { canary: { ...at(viaProxy), pipelineId, credentialParameter: PAT_PARAMETER } }),
        };
      },
    },
    spec,
    startOfRun,
  );

  const config: RotationConfig = {
    targets: [target as RotationTarget],
    settings: { ...DEFAULT_SETTINGS },
    schedule: { ...DEFAULT_SCHEDULE },
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
    // The stand-in and the proxy listen on http://127.0.0.1: a local run, opted in.
    allowLoopbackHttp: true,
  };
  const s3 = new LocalS3();

  const view = (): WorldView => {
    const labelled = (stage: string) => {
      // As the adapter reads it: a first version Secrets Manager made current before the rotator promoted it
      // (marked ROTATOR_UNPROMOTED) is not current.
      const v = secrets
        .versions(SECRET_ID)
        .find((x) => x.stages.includes(stage) && !(stage === 'AWSCURRENT' && x.stages.includes(UNPROMOTED)));
      return v ? (JSON.parse(v.value) as { accessKeyId: string }).accessKeyId : null;
    };
    const connections = ids.connections.map((id) => {
      const c = ado.connection(id);
      return {
        label: `connection ${c?.name}`,
        accessKeyId: c?.accessKeyId ?? null,
        works: works(c?.accessKeyId ?? null, c?.secretAccessKey ?? null),
        otherSecretKept: true,
      };
    });
    const groups = ids.groups.map((id) => {
      const g = ado.variableGroup(id);
      const keyId = g?.variables.AWS_ACCESS_KEY_ID?.value ?? null;
      const kept = g?.variables.TF_TOKEN;
      return {
        label: `variable group ${g?.name}`,
        accessKeyId: keyId,
        works: works(keyId, g?.variables.AWS_SECRET_ACCESS_KEY?.value ?? null),
        otherSecretKept: kept?.value === 'tf-token-kept' && kept.isSecret,
      };
    });
    return {
      keys: iam.keys(USER).map((k) => ({ accessKeyId: k.accessKeyId, status: k.status })),
      holders: [...connections, ...groups],
      secret: { current: labelled('AWSCURRENT'), pending: labelled('AWSPENDING'), previous: labelled('AWSPREVIOUS') },
    };
  };

  const run = async (mode: 'rotate' | 'emergency', afterTask?: (task: string) => void) => {
    configureContainer(
      ALL_WIRING,
      new Map<symbol, unknown>([
        [ROTATION_CONFIG, config],
        [TOKENS.Clock, clock],
        [TOKENS.SecureParameters, new FakeSecureParameters({ [PAT_PARAMETER]: PAT })],
        [TOKENS.Notifier, new FakeNotifier()],
        [TOKENS.Metrics, new FakeMetrics()],
        [TOKENS.RunResults, new S3RunResults(localS3Client(s3))],
        // The client's own retries on no wall time, and a short request timeout (the proxy's "timeout" fault).
        [AZURE_DEVOPS_CLIENT_OPTIONS, { maxAttempts: 3, requestTimeoutMs: 1_500, sleep: async () => undefined }],
      ]),
    );
    const handlers = Object.fromEntries(
      TASK_NAMES.map((name) => [
        name,
        async (input: unknown) => {
          clock.advance(2_000);
          syncSts();
          try {
            return await (LAMBDA_HANDLERS[name] as (e: unknown, c: Context) => Promise<unknown>)(
              structuredClone(input),
              fakeLambdaContext(name),
            );
          } finally {
            afterTask?.(name);
          }
        },
      ]),
    );
    const result = await runStateMachineLocally({
      definition,
      handlers,
      input: { mode, targets: [WIRE_TARGET] },
      execution: { startTime: clock.now().toISOString() },
      s3,
      deployedObjects: deployedObjects(config),
      keepEvents: false,
    });
    const output = result.output as { results?: { ResultWriterDetails?: unknown } } | undefined;
    if (!output?.results?.ResultWriterDetails) return undefined;
    const results = await new S3RunResults(localS3Client(s3)).read(
      parseResultsLocation(output.results.ResultWriterDetails),
    );
    return reportsFromChildResults(results).find((r) => r.targetName === WIRE_TARGET);
  };

  return {
    seeded,
    config,
    view,
    run,
    advance: (ms) => clock.advance(ms),
    injectAws(faults) {
      for (const f of faults) (f.service === 'iam' ? iam : secrets).failNext(f.operation, f);
    },
    injectAdo: (faults) => proxy.schedule(faults),
    clearFaults() {
      proxy.clear();
      iam.faults.clear();
      secrets.faults.clear();
    },
    async close() {
      nock.cleanAll();
      await proxy.close();
      await ado.close();
    },
  };
}
