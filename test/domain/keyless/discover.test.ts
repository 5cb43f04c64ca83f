/**
 * `discover` over in-memory ports: every AWS connection once, its key's owner, age and last use when AWS can
 * be asked, why an owner is unknown, the variable groups that look like a key pair, the warnings; and the
 * rotation configuration written from it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  configFromDiscovery,
  DiscoverConnections,
  type DiscoveredRow,
  type DiscoveryResult,
} from '../../../src/domain/keyless/discover.js';
import { AzureDevOpsNotAuthorizedError } from '../../../src/domain/errors.js';
import { DEFAULT_SETTINGS } from '../../../src/domain/model.js';
import type { DiscoveredConnection } from '../../../src/ports/azure-devops-inventory.port.js';
import type { KeyOwner } from '../../../src/ports/iam-identity.port.js';
import { FakeClock } from '../../../local/fakes/fake-clock.js';
import { FakeIam } from '../../../local/fakes/fake-iam.js';
import { FakeIamIdentity } from '../../../local/fakes/fake-iam-identity.js';
import { FakeVariableGroups } from '../../../local/fakes/fake-variable-groups.js';
import { FaultInjector } from '../../../local/fakes/faults.js';
import { FakeInventory } from './support/fake-inventory.js';

const ORG = 'https://dev.azure.com/contoso';
const SCOPE = { organizationUrl: ORG, credentialParameter: '/ado/pat' };
const WEB_KEY = 'AKIAWEBKEY0000000001';
const PARTNER_KEY = 'AKIAOTHERACCOUNT0001';
const DAY = 86_400_000;

let clock: FakeClock;
let faults: FaultInjector;
let iam: FakeIam;
let identity: FakeIamIdentity;
let inventory: FakeInventory;
let web: DiscoveredConnection;
let keyless: DiscoveredConnection;
let partner: DiscoveredConnection;

beforeEach(() => {
  clock = new FakeClock(new Date('2026-11-29T03:00:00Z'));
  faults = new FaultInjector();
  iam = new FakeIam({ clock, faults });
  identity = new FakeIamIdentity({ iam, faults });
  inventory = new FakeInventory();
  inventory.projects = ['payments', 'shop'];
  // 30.9 days old: the age is counted in whole days.
  iam.seedKey('ado-web', {
    accessKeyId: WEB_KEY,
    createdAt: new Date(clock.now().getTime() - 30.9 * DAY),
    lastUsedAt: new Date('2026-11-28T10:00:00Z'),
  });
  web = inventory.seed({ id: 'c-web', name: 'aws-web', projects: ['payments', 'shop'], heldAccessKeyId: WEB_KEY });
  keyless = inventory.seed({
    id: 'c-keyless',
    name: 'aws-keyless',
    projects: ['shop'],
    auth: 'oidc',
    assumeRoleArn: 'arn:aws:iam::123456789012:role/x',
  });
  // A key of another AWS account: IAM cannot name its user.
  partner = inventory.seed({ id: 'c-partner', name: 'aws-partner', projects: ['shop'], heldAccessKeyId: PARTNER_KEY });
});

const discover = (ports: { variableGroups?: FakeVariableGroups } = {}) =>
  new DiscoverConnections({ inventory, identity, iam, clock, ...ports });

describe('Class: DiscoverConnections', () => {
  it('lists every AWS connection of every project once, with its key owner, age in days and last use', async () => {
    // Act
    const result = await discover().execute({ ...SCOPE, projects: [], withAws: true });
    // Assess
    expect(result).toEqual({
      organizationUrl: ORG,
      organizationId: inventory.info.organizationId,
      hosted: true,
      projects: ['payments', 'shop'],
      rows: [
        {
          connection: web,
          owner: {
            userName: 'ado-web',
            keyStatus: 'Active',
            keyAgeDays: 30,
            lastUsedAt: '2026-11-28T10:00:00.000Z',
            lastUsedService: 's3',
          },
          ownerProblem: null,
        },
        { connection: keyless, owner: null, ownerProblem: null },
        {
          connection: partner,
          owner: null,
          ownerProblem: `IamEntityNotFoundError: access key ${PARTNER_KEY} is not a key of this AWS account`,
        },
      ],
      variableGroups: null,
      warnings: [],
    });
    expect(inventory.log.map((l) => [l.call, l.args[0]])).toEqual([
      ['organization', SCOPE],
      ['listProjects', SCOPE],
      ['listAwsConnections', { ...SCOPE, project: 'payments' }],
      ['listAwsConnections', { ...SCOPE, project: 'shop' }],
    ]);
  });

  it('keeps a shared connection as the first project listing it shows it (a name may differ per project)', async () => {
    // Prepare: Azure DevOps lets each project name a shared connection its own way.
    const list = inventory.listAwsConnections.bind(inventory);
    inventory.listAwsConnections = async (scope) =>
      (await list(scope)).map((c) => (scope.project === 'shop' ? { ...c, name: `${c.name} (shop)` } : c));
    // Act
    const result = await discover().execute({ ...SCOPE, projects: [], withAws: false });
    // Assess
    expect(result.rows.map((r) => r.connection.name)).toEqual(['aws-web', 'aws-keyless (shop)', 'aws-partner (shop)']);
  });

  it('asks only the projects it is given', async () => {
    // Act
    const result = await discover().execute({ ...SCOPE, projects: ['shop'], withAws: false });
    // Assess
    expect(result.projects).toEqual(['shop']);
    expect(inventory.calls()).toEqual(['organization', 'listAwsConnections']);
    expect(result.rows.map((r) => r.connection.id)).toEqual(['c-web', 'c-keyless', 'c-partner']);
  });

  it('without AWS asks IAM nothing and names no owner', async () => {
    // Act
    const result = await discover().execute({ ...SCOPE, projects: [], withAws: false });
    // Assess
    expect(result.rows.map((r) => [r.owner, r.ownerProblem])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
    expect(faults.calls).toEqual([]);
  });

  it('shows a never-used key, and a key its owner no longer lists, without inventing a status or an age', async () => {
    // Prepare: the partner key is owned by a user whose key list does not have it (deleted in between).
    iam.seedKey('ado-never', { accessKeyId: 'AKIANEVERUSED0000001', createdAt: clock.now(), lastUsedAt: null });
    inventory.seed({ id: 'c-never', name: 'aws-never', heldAccessKeyId: 'AKIANEVERUSED0000001' });
    const owners: Record<string, KeyOwner> = {
      [PARTNER_KEY]: { userName: 'ado-web', lastUsedAt: null, lastUsedService: null },
    };
    const original = identity.keyOwner.bind(identity);
    identity.keyOwner = async (key: string) => owners[key] ?? original(key);
    // Act
    const result = await discover().execute({ ...SCOPE, projects: [], withAws: true });
    // Assess
    const owner = (id: string) => result.rows.find((r) => r.connection.id === id)?.owner;
    expect(owner('c-never')).toEqual({
      userName: 'ado-never',
      keyStatus: 'Active',
      keyAgeDays: 0,
      lastUsedAt: null,
      lastUsedService: null,
    });
    expect(owner('c-partner')).toEqual({
      userName: 'ado-web',
      keyStatus: null,
      keyAgeDays: null,
      lastUsedAt: null,
      lastUsedService: null,
    });
  });

  it('lets an error that is not a rotator error through (a bug, not an unknown owner)', async () => {
    // Prepare
    faults.fail('iam.listKeys', new TypeError('boom'));
    // Act / Assess
    await expect(discover().execute({ ...SCOPE, projects: [], withAws: true })).rejects.toThrow(TypeError);
  });

  it('warns that an Azure DevOps Server collection cannot move to OIDC', async () => {
    // Prepare
    inventory.info = { organizationId: 'collection-1', hosted: false };
    // Act
    const result = await discover().execute({ ...SCOPE, projects: ['shop'], withAws: false });
    // Assess
    expect([result.hosted, result.organizationId]).toEqual([false, 'collection-1']);
    expect(result.warnings).toEqual([
      `${ORG} is Azure DevOps Server: its connections cannot move to OIDC; rotate their keys`,
    ]);
  });

  describe('variable groups', () => {
    let groups: FakeVariableGroups;
    const seed = (project: string, groupName: string, names: string[]) =>
      groups.seedVariableGroup(
        { organizationUrl: ORG, project, groupName },
        { variables: Object.fromEntries(names.map((n) => [n, { value: 'x', isSecret: n.includes('SECRET') }])) },
      );

    beforeEach(() => {
      groups = new FakeVariableGroups();
    });

    it('names the groups with both halves of a key pair, and only their key variables', async () => {
      // Prepare
      const legacy = seed('shop', 'legacy-aws', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'REGION']);
      const deploy = seed('payments', 'deploy', ['deploy.access_key', 'deploy.secret_key']);
      seed('payments', 'id-only', ['AWS_ACCESS_KEY_ID', 'REGION']);
      seed('shop', 'secret-only', ['AWS_SECRET_ACCESS_KEY']);
      // Act
      const result = await discover({ variableGroups: groups }).execute({ ...SCOPE, projects: [], withAws: false });
      // Assess
      expect(result.variableGroups).toEqual([
        {
          project: 'payments',
          groupId: deploy,
          groupName: 'deploy',
          variables: ['deploy.access_key', 'deploy.secret_key'],
        },
        {
          project: 'shop',
          groupId: legacy,
          groupName: 'legacy-aws',
          variables: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
        },
      ]);
      expect(result.warnings).toEqual([]);
    });

    it('is an empty list when no group looks like a key pair', async () => {
      // Prepare
      seed('shop', 'plain', ['REGION']);
      // Act
      const result = await discover({ variableGroups: groups }).execute({ ...SCOPE, projects: [], withAws: false });
      // Assess
      expect(result.variableGroups).toEqual([]);
    });

    it('is null, with a warning saying why, when they cannot be listed', async () => {
      // Prepare
      const denied = new AzureDevOpsNotAuthorizedError('HTTP 403: the PAT lacks Variable Groups (Read)');
      groups = new FakeVariableGroups({ faults: new FaultInjector().fail('groups.listVariableGroups', denied) });
      inventory.info = { ...inventory.info, hosted: false };
      // Act
      const result = await discover({ variableGroups: groups }).execute({ ...SCOPE, projects: [], withAws: false });
      // Assess
      expect(result.variableGroups).toBeNull();
      expect(result.warnings).toEqual([
        `${ORG} is Azure DevOps Server: its connections cannot move to OIDC; rotate their keys`,
        'variable groups were not listed (AzureDevOpsNotAuthorizedError: HTTP 403: the PAT lacks Variable Groups ' +
          '(Read))',
      ]);
    });

    it('lets an error that is not a rotator error through', async () => {
      // Prepare
      groups = new FakeVariableGroups({
        faults: new FaultInjector().fail('groups.listVariableGroups', new RangeError('bug')),
      });
      // Act / Assess
      await expect(
        discover({ variableGroups: groups }).execute({ ...SCOPE, projects: [], withAws: false }),
      ).rejects.toThrow(RangeError);
    });
  });
});

describe('Function: configFromDiscovery', () => {
  const owner = {
    userName: 'ado-web',
    keyStatus: 'Active' as const,
    keyAgeDays: 1,
    lastUsedAt: null,
    lastUsedService: null,
  };
  const row = (connection: Partial<DiscoveredConnection>, withOwner = true): DiscoveredRow => ({
    connection: {
      id: 'c',
      name: 'aws-web',
      projects: ['payments'],
      auth: 'keys',
      heldAccessKeyId: WEB_KEY,
      assumeRoleArn: null,
      externalId: false,
      isReady: true,
      ...connection,
    },
    owner: withOwner ? owner : null,
    ownerProblem: null,
  });
  const result = (rows: DiscoveredRow[], organizationUrl = ORG): DiscoveryResult => ({
    organizationUrl,
    organizationId: 'org-id',
    hosted: true,
    projects: ['payments'],
    rows,
    variableGroups: null,
    warnings: [],
  });

  it('writes a target for each connection holding a key of a known user, with the defaults', () => {
    // Act
    const config = configFromDiscovery(
      result([row({}), row({ name: 'aws-keyless', auth: 'oidc' }), row({ name: 'aws-partner' }, false)]),
      '/ado/pat',
    );
    // Assess
    expect(config).toEqual({
      $schema: './rotation.config.schema.json',
      targets: [
        {
          name: 'payments-aws-web',
          iamUserName: 'ado-web',
          secretId: 'ado-key-rotator/payments-aws-web',
          connection: {
            organizationUrl: ORG,
            project: 'payments',
            connectionName: 'aws-web',
            credentialParameter: '/ado/pat',
          },
        },
      ],
      settings: DEFAULT_SETTINGS,
      schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
      maxConcurrency: 5,
    });
  });

  it('says a plain-http organization (a local stand-in) is one explicitly', () => {
    // Act
    const config = configFromDiscovery(result([], 'http://127.0.0.1:8080/contoso'), '/ado/pat');
    // Assess
    expect(config.allowLoopbackHttp).toBe(true);
  });

  it.each([
    [
      'numbers names that collide',
      [row({}), row({ id: 'd' }), row({ id: 'e' })],
      ['payments-aws-web', 'payments-aws-web-2', 'payments-aws-web-3'],
    ],
    ['replaces what a target name cannot hold', [row({ name: 'aws web/prod (eu)' })], ['payments-aws-web-prod-eu-']],
    ['drops a leading character a name cannot start with', [row({ projects: ['_ops'], name: 'x' })], ['ops-x']],
    ['names a connection shared with no project after "project"', [row({ projects: [] })], ['project-aws-web']],
    ['cuts a long name to 128 characters', [row({ name: 'n'.repeat(200) })], [`payments-${'n'.repeat(119)}`]],
    ['falls back for a name with nothing usable', [row({ projects: ['日本'], name: '接続' })], ['target-']],
  ])('%s', (_case, rows, names) => {
    // Act
    const config = configFromDiscovery(result(rows), '/ado/pat') as {
      targets: Array<{ name: string; secretId: string }>;
    };
    // Assess
    expect(config.targets.map((t) => t.name)).toEqual(names);
    expect(config.targets.map((t) => t.secretId)).toEqual(names.map((n) => `ado-key-rotator/${n}`));
  });
});
