import { randomUUID } from 'node:crypto';
import type { RotationSettings, RotationTarget } from '../../src/domain/model.js';
import { DEFAULT_RETRY_POLICY, RotationRunner, type RetryPolicy } from '../../src/domain/runner.js';
import { buildUseCases, type RotationPorts } from '../../src/domain/use-cases/index.js';
import { FakeAzureDevOps } from './fake-azure-devops.js';
import { FakeClock } from './fake-clock.js';
import { FakeIam } from './fake-iam.js';
import { FakeKeyVerifier } from './fake-key-verifier.js';
import { type FakePipeline, FakePipelineRuns } from './fake-pipeline-runs.js';
import { FakeMetrics, FakeNotifier } from './fake-reporting.js';
import { FakeSecretStore } from './fake-secret-store.js';
import { FakeSecureParameters, FakeTargets } from './fake-targets.js';
import { LocalS3 } from '../local-s3.js';
import { FaultInjector } from './faults.js';
import { FakeVariableGroups } from './fake-variable-groups.js';

export interface WorldOptions {
  /** How many targets to seed (named target-1, target-2...). */
  targets?: number;
  /** Age in days of each target's current key. */
  keyAgeDays?: number;
  /** How long a new key takes to authenticate. */
  propagationMs?: number;
  settings?: Partial<RotationSettings>;
  /** Where the fake clock starts (default 2026-11-29T03:00Z). The demo starts it at the real time. */
  start?: Date;
}

export const ORG_URL = 'https://dev.azure.com/contoso';
export const PROJECT = 'payments';
export const PAT_PARAMETER = '/rotator/azure-devops/pat';

/** The production retry policy: on the fake clock its waits cost nothing. */
export const TEST_RETRY_POLICY: RetryPolicy = DEFAULT_RETRY_POLICY;

/** Every fake, wired together, seeded with targets whose key, secret and connection agree. */
export class FakeWorld {
  readonly faults = new FaultInjector();
  readonly clock: FakeClock;
  readonly iam: FakeIam;
  readonly verifier: FakeKeyVerifier;
  readonly secrets: FakeSecretStore;
  readonly azureDevOps: FakeAzureDevOps;
  readonly variableGroups: FakeVariableGroups;
  readonly pipelineRuns: FakePipelineRuns;
  readonly notifier: FakeNotifier;
  readonly metrics = new FakeMetrics();
  readonly targets: FakeTargets;
  readonly parameters = new FakeSecureParameters({ [PAT_PARAMETER]: 'fake-pat-value-0000000000000000000000000000' });
  /** The run-data bucket's stand-in: the target lists the state machine reads, the results it writes. */
  readonly runData = new LocalS3();
  /** Connection id per target name. */
  readonly connectionIds = new Map<string, string>();

  constructor(options: WorldOptions = {}) {
    this.clock = new FakeClock(options.start);
    this.iam = new FakeIam({ clock: this.clock, faults: this.faults, propagationMs: options.propagationMs ?? 4_000 });
    this.verifier = new FakeKeyVerifier({ iam: this.iam, faults: this.faults });
    this.secrets = new FakeSecretStore({ clock: this.clock, faults: this.faults });
    this.azureDevOps = new FakeAzureDevOps({ faults: this.faults });
    this.variableGroups = new FakeVariableGroups({ faults: this.faults });
    // A canary run succeeds only if the key its holder held when it was queued authenticates.
    this.pipelineRuns = new FakePipelineRuns({
      faults: this.faults,
      check: (id, secret) => typeof this.iam.authenticates(id, secret) === 'object',
    });
    this.notifier = new FakeNotifier({ faults: this.faults });
    this.targets = new FakeTargets(options.settings);
    for (let i = 1; i <= (options.targets ?? 1); i++) this.addTarget(`target-${i}`, options.keyAgeDays ?? 7);
  }

  /** Seeds one target: an IAM user with one active key, the secret holding it, the connection holding it. */
  addTarget(name: string, keyAgeDays = 7): RotationTarget {
    const target: RotationTarget = {
      name,
      iamUserName: `ado-${name}`,
      secretId: `rotator/${name}`,
      connection: {
        organizationUrl: ORG_URL,
        project: PROJECT,
        connectionName: `aws-${name}`,
        credentialParameter: PAT_PARAMETER,
      },
    };
    const createdAt = new Date(this.clock.now().getTime() - keyAgeDays * 86_400_000);
    const key = this.iam.seedKey(target.iamUserName, { createdAt, lastUsedAt: this.clock.now() });
    this.secrets.seed(target.secretId, { ...key, iamUserName: target.iamUserName });
    const id = this.azureDevOps.seedConnection(target.connection, {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
    });
    this.connectionIds.set(name, id);
    this.targets.add(target);
    return target;
  }

  /**
   * Gives a target more holders of its key: `connections` more service connections and `groups`
   * variable groups (each with another secret variable, TF_TOKEN, that must survive every update).
   */
  addHolders(name: string, options: { connections?: number; groups?: number }): RotationTarget {
    const target = this.target(name);
    const connection = this.azureDevOps.connection(this.connectionIds.get(name) as string);
    const key = { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey };
    const otherConnections = target.otherConnections ?? [];
    for (let i = 1; i <= (options.connections ?? 0); i++) {
      const ref = {
        ...target.connection,
        connectionName: `${target.connection.connectionName}-${otherConnections.length + 1}`,
      };
      this.azureDevOps.seedConnection(ref, key);
      otherConnections.push(ref);
    }
    const variableGroups = target.variableGroups ?? [];
    for (let i = 1; i <= (options.groups ?? 0); i++) {
      const ref = {
        organizationUrl: ORG_URL,
        project: PROJECT,
        groupName: `aws-${name}-${variableGroups.length + 1}`,
        accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
        secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
        credentialParameter: PAT_PARAMETER,
      };
      this.variableGroups.seedVariableGroup(ref, {
        variables: {
          AWS_ACCESS_KEY_ID: { value: key.accessKeyId ?? '' },
          AWS_SECRET_ACCESS_KEY: { value: key.secretAccessKey ?? '', isSecret: true },
          TF_TOKEN: { value: `tf-token-of-${name}`, isSecret: true },
        },
      });
      variableGroups.push(ref);
    }
    const updated: RotationTarget = {
      ...target,
      ...(otherConnections.length ? { otherConnections } : {}),
      ...(variableGroups.length ? { variableGroups } : {}),
    };
    this.targets.replace(updated);
    return updated;
  }

  /**
   * Names a canary pipeline for a target: its runs use the key the target's first connection holds
   * when they are queued (`outcome` and `readsToComplete` as FakePipeline's).
   */
  addCanary(
    name: string,
    options: Partial<Pick<FakePipeline, 'outcome' | 'readsToComplete' | 'uses'>> = {},
    pipelineId = 42,
  ): RotationTarget {
    const target = this.target(name);
    const connectionId = this.connectionIds.get(name) as string;
    this.pipelineRuns.seedPipeline({
      organizationUrl: ORG_URL,
      project: PROJECT,
      id: pipelineId,
      name: `canary-${name}`,
      uses: () => {
        const held = this.azureDevOps.connection(connectionId);
        return { accessKeyId: held.accessKeyId, secretAccessKey: held.secretAccessKey };
      },
      ...options,
    });
    const updated: RotationTarget = {
      ...target,
      canary: { organizationUrl: ORG_URL, project: PROJECT, pipelineId, credentialParameter: PAT_PARAMETER },
    };
    this.targets.replace(updated);
    return updated;
  }

  /** What every holder after the first connection holds (key id and secret, for assertions). */
  otherHolderKeys(
    name = 'target-1',
  ): { label: string; accessKeyId: string | null; secretAccessKey: string | null; otherSecretKept: boolean }[] {
    const target = this.target(name);
    const connections = (target.otherConnections ?? []).map((ref) => {
      const state = this.azureDevOps.connection(this.azureDevOps.idOf(ref));
      return {
        label: `connection ${ref.connectionName}`,
        accessKeyId: state.accessKeyId,
        secretAccessKey: state.secretAccessKey,
        otherSecretKept: true,
      };
    });
    const groups = (target.variableGroups ?? []).map((ref) => {
      const group = this.variableGroups.variableGroupNamed(ref.groupName);
      return {
        label: `variable group ${ref.groupName}`,
        accessKeyId: group.variables.AWS_ACCESS_KEY_ID?.value ?? null,
        secretAccessKey: group.variables.AWS_SECRET_ACCESS_KEY?.value ?? null,
        otherSecretKept: group.variables.TF_TOKEN?.value === `tf-token-of-${name}` && group.variables.TF_TOKEN.isSecret,
      };
    });
    return [...connections, ...groups];
  }

  target(name = 'target-1'): RotationTarget {
    const target = this.targets.targets.find((t) => t.name === name);
    if (!target) throw new Error(`no target ${name}`);
    return target;
  }

  get ports(): RotationPorts {
    return {
      targets: this.targets,
      iam: this.iam,
      verifier: this.verifier,
      secrets: this.secrets,
      azureDevOps: this.azureDevOps,
      variableGroups: this.variableGroups,
      pipelineRuns: this.pipelineRuns,
      notifier: this.notifier,
      metrics: this.metrics,
      clock: this.clock,
    };
  }

  runner(retry: RetryPolicy = TEST_RETRY_POLICY): RotationRunner {
    return new RotationRunner(buildUseCases(this.ports), this.clock, retry);
  }

  /** A rotation id, as the state machine's `States.UUID()` makes them. */
  newRotationId(): string {
    return randomUUID();
  }

  /** What a target looks like now, in one object (for assertions and the demo's final state). */
  snapshot(name = 'target-1') {
    const target = this.target(name);
    const connection = this.azureDevOps.connection(this.connectionIds.get(name) as string);
    return {
      keys: this.iam.keys(target.iamUserName),
      connectionId: connection.id,
      connectionKeyId: connection.accessKeyId,
      connectionSecret: connection.secretAccessKey,
      secretCurrentKeyId: this.secrets.keyIdAt(target.secretId, 'AWSCURRENT'),
      secretPendingKeyId: this.secrets.keyIdAt(target.secretId, 'AWSPENDING'),
      secretVersions: this.secrets.versions(target.secretId),
    };
  }

  /**
   * The promises the product makes, checked on one target. Returns the broken ones (empty = all hold).
   * `final` adds the end-of-run rules (no pending version, secret = connection, no orphan).
   */
  violations(name = 'target-1', options: { final: boolean } = { final: true }): string[] {
    const s = this.snapshot(name);
    const broken: string[] = [];
    const held = s.keys.find((k) => k.accessKeyId === s.connectionKeyId);
    if (!held) broken.push(`the connection holds ${s.connectionKeyId}, which IAM does not have`);
    else if (held.status !== 'Active') broken.push(`the connection holds ${held.accessKeyId}, which is inactive`);
    if (held) {
      const works = this.iam.authenticates(held.accessKeyId, s.connectionSecret ?? '');
      if (works === 'invalid') broken.push(`the connection's secret for ${held.accessKeyId} does not authenticate`);
    }
    if (s.keys.length > 2) broken.push(`the user has ${s.keys.length} keys`);
    for (const holder of this.otherHolderKeys(name)) {
      const key = s.keys.find((k) => k.accessKeyId === holder.accessKeyId);
      if (!key) broken.push(`${holder.label} holds ${holder.accessKeyId}, which IAM does not have`);
      else if (key.status !== 'Active') broken.push(`${holder.label} holds ${key.accessKeyId}, which is inactive`);
      else if (this.iam.authenticates(key.accessKeyId, holder.secretAccessKey ?? '') === 'invalid')
        broken.push(`${holder.label}'s secret does not authenticate`);
      if (!holder.otherSecretKept) broken.push(`${holder.label} lost its other secret variable`);
      if (options.final && holder.accessKeyId !== s.connectionKeyId)
        broken.push(`${holder.label} holds ${holder.accessKeyId}, the connection ${s.connectionKeyId}`);
    }
    if (options.final) {
      if (s.secretCurrentKeyId !== s.connectionKeyId) {
        broken.push(`the secret's current key ${s.secretCurrentKeyId} is not the connection's ${s.connectionKeyId}`);
      }
      if (s.secretPendingKeyId) broken.push(`a pending version (${s.secretPendingKeyId}) is left`);
      const previousKeyId = this.secrets.keyIdAt(this.target(name).secretId, 'AWSPREVIOUS');
      for (const key of s.keys) {
        // A retired key is inactive (or the secret's previous) until the next run deletes it; anything else is an
        // orphan.
        if (key.accessKeyId !== s.connectionKeyId && key.accessKeyId !== previousKeyId && key.status === 'Active') {
          broken.push(`active key ${key.accessKeyId} is held by neither the connection nor the secret (orphan)`);
        }
      }
    }
    return broken;
  }
}
