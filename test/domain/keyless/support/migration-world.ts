import type { CanaryPipelineRef } from '../../../../src/domain/holders.js';
import { MigrateToOidc, type MigrationOptions } from '../../../../src/domain/keyless/migrate-to-oidc.js';
import { DEFAULT_OIDC_SETTINGS } from '../../../../src/domain/keyless/oidc.js';
import type { RotationTarget } from '../../../../src/domain/model.js';
import { FakeAzureDevOps } from '../../../../local/fakes/fake-azure-devops.js';
import { FakeClock } from '../../../../local/fakes/fake-clock.js';
import { FakeIam } from '../../../../local/fakes/fake-iam.js';
import { FakeIamIdentity } from '../../../../local/fakes/fake-iam-identity.js';
import { FakePipelineRuns, type FakePipeline } from '../../../../local/fakes/fake-pipeline-runs.js';
import { FakeSecretStore } from '../../../../local/fakes/fake-secret-store.js';
import { FakeTargets } from '../../../../local/fakes/fake-targets.js';
import { FaultInjector } from '../../../../local/fakes/faults.js';
import { FakeInventory } from './fake-inventory.js';

export const ORG = 'https://dev.azure.com/contoso';
export const ORG_ID = '5e0a4b4c-0000-4000-8000-00000000c0de';
export const KEY = 'AKIAHELDKEY000000001';
export const SECRET = 'held/Secret+000000000000000000000000000';
export const CONNECTION_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const HOST = `vstoken.dev.azure.com/${ORG_ID}`;
export const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${HOST}`;
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/ado-oidc-web';
export const MANAGED = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
export const INLINE = '{"Version":"2012-10-17","Statement":[]}';
export const CANARY = 7;
export const OPTIONS: MigrationOptions = { oidc: DEFAULT_OIDC_SETTINGS, apply: true };

/** Mutating IAM and Azure DevOps calls (`faults.calls` also lists reads). */
export const MUTATIONS = [
  'iam.createOidcProvider',
  'iam.createRole',
  'iam.attachRolePolicy',
  'iam.putRolePolicy',
  'iam.setKeyStatus',
  'inventory.switchToOidc',
  'inventory.restoreKey',
];

export const TARGET: RotationTarget = {
  name: 'web',
  iamUserName: 'ado-web',
  secretId: 'rotator/web',
  connection: { organizationUrl: ORG, project: 'payments', connectionName: 'aws-web', credentialParameter: '/pat' },
};

/**
 * One target `web` whose connection (shared with two projects) holds the user's only key, which its secret
 * holds too; the user has one managed and one inline policy; a canary pipeline whose run succeeds while
 * `canaryWorks` is true. Every call goes through one `FaultInjector`.
 */
export class MigrationWorld {
  readonly clock = new FakeClock();
  readonly faults = new FaultInjector();
  readonly iam = new FakeIam({ clock: this.clock, faults: this.faults });
  readonly identity = new FakeIamIdentity({ iam: this.iam, faults: this.faults });
  readonly secrets = new FakeSecretStore({ clock: this.clock, faults: this.faults });
  readonly targets = new FakeTargets({ gracePeriodDays: 9 });
  readonly ado = new FakeAzureDevOps({ faults: this.faults });
  readonly inventory = new FakeInventory(this.faults);
  readonly runs = new FakePipelineRuns({ check: () => this.canaryWorks, faults: this.faults });
  /** Role descriptions passed to `createRole` (the fake keeps only the trust). */
  readonly roleDescriptions: string[] = [];
  /** The canary runs queued, by the pipeline they name. */
  readonly queued: CanaryPipelineRef[] = [];
  canaryWorks = true;

  constructor(target: RotationTarget = TARGET) {
    this.targets.add(target);
    this.iam.seedKey(target.iamUserName, { accessKeyId: KEY, secretAccessKey: SECRET });
    this.secrets.seed(target.secretId, { accessKeyId: KEY, secretAccessKey: SECRET, iamUserName: target.iamUserName });
    this.identity.seedUserPolicies(target.iamUserName, { managed: [MANAGED], inline: { deploy: INLINE } });
    this.ado.seedConnection(target.connection, { id: CONNECTION_ID, accessKeyId: KEY, secretAccessKey: SECRET });
    this.inventory.info = { organizationId: ORG_ID, hosted: true };
    this.inventory.seed({
      id: CONNECTION_ID,
      name: target.connection.connectionName,
      projects: ['payments', 'shared'],
      heldAccessKeyId: KEY,
    });
    const createRole = this.identity.createRole.bind(this.identity);
    this.identity.createRole = async (name, trust, description) => {
      this.roleDescriptions.push(description);
      return createRole(name, trust, description);
    };
    const queueRun = this.runs.queueRun.bind(this.runs);
    this.runs.queueRun = async (ref) => {
      this.queued.push(ref);
      return queueRun(ref);
    };
  }

  seedCanary(pipeline: Partial<FakePipeline> = {}): void {
    this.runs.seedPipeline({
      organizationUrl: ORG,
      project: 'payments',
      id: CANARY,
      name: 'aws-canary',
      uses: () => ({ accessKeyId: 'oidc-token', secretAccessKey: 'oidc' }),
      readsToComplete: 2,
      ...pipeline,
    });
  }

  migration(withRuns = true): MigrateToOidc {
    return new MigrateToOidc({
      targets: this.targets,
      iam: this.iam,
      identity: this.identity,
      secrets: this.secrets,
      azureDevOps: this.ado,
      inventory: this.inventory,
      clock: this.clock,
      ...(withRuns ? { pipelineRuns: this.runs } : {}),
    });
  }

  /** The mutating calls made, in order. */
  mutations(): string[] {
    return this.faults.calls.filter((c) => MUTATIONS.includes(c));
  }
}
