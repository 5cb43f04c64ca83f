/**
 * Over 300 lines on purpose: every test of the one use case the CLI's status reads, in one place.
 *
 * Use case DescribeTarget (src/domain/use-cases/describe-target.ts), which shows a target's keys and holders (the
 * CLI's status): its guards and messages, one branch at a time, over the in-memory world: what it refuses (exact
 * error, message and context), what it changes, and what it reports.
 */
import { describe, expect, it } from 'vitest';
import { UnknownTargetError } from '../../../src/domain/errors.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import { DescribeTarget } from '../../../src/domain/use-cases/index.js';
import { FakeWorld } from '../../../local/fakes/world.js';
import { mutations } from './support.js';

/** The use case over a world's ports (status reads no variable group or pipeline run). */
const describeOf = (w: FakeWorld) => new DescribeTarget(w.targets, w.iam, w.secrets, w.azureDevOps, w.clock);

describe('Use case: DescribeTarget', () => {
  it('lists every key with its status, age, last use, and who holds it', async () => {
    // Prepare
    const world = new FakeWorld({ keyAgeDays: 3 });
    const target = world.target();
    const spare = world.iam.seedKey(target.iamUserName, {
      status: 'Inactive',
      lastUsedAt: null,
      createdAt: new Date(world.clock.now().getTime() - 10 * 86_400_000),
    });
    const held = world.snapshot().connectionKeyId as string;
    const describe = describeOf(world);

    // Act
    const status = await describe.execute('target-1');

    // Assess
    expect(status).toEqual({
      targetName: 'target-1',
      iamUserName: target.iamUserName,
      iamUser: target.iamUserName,
      connectionName: 'aws-target-1',
      connectionId: world.connectionIds.get('target-1'),
      keys: [
        {
          accessKeyId: held,
          status: 'Active',
          ageDays: 3,
          lastUsedAt: world.clock.now().toISOString(),
          heldByConnection: true,
          inSecret: true,
        },
        {
          accessKeyId: spare.accessKeyId,
          status: 'Inactive',
          ageDays: 10,
          lastUsedAt: null,
          heldByConnection: false,
          inSecret: false,
        },
      ],
      heldAccessKeyId: held,
      secretCurrentAccessKeyId: held,
      secretMatchesConnection: true,
      couldMoveToOidc: true,
      usesOidc: false,
      holders: [],
      attention: [],
    });
  });

  it('flags each thing a human should look at, in order', async () => {
    // Arrange: the connection holds an inactive, overdue key; the secret holds another; a pending version; a stray
    // active key.
    const world = new FakeWorld({ keyAgeDays: 13 });
    const target = world.target();
    const held = world.snapshot().connectionKeyId as string;
    await world.iam.setKeyStatus(target.iamUserName, held, 'Inactive');
    const stray = world.iam.seedKey(target.iamUserName);
    world.secrets.seed(target.secretId, { ...stray, iamUserName: target.iamUserName });
    await world.secrets.putPending(target.secretId, 'v-pending-000000000000000000000000000', {
      accessKeyId: stray.accessKeyId,
      secretAccessKey: new SecretValue('s'),
      iamUserName: target.iamUserName,
      createdAt: world.clock.now(),
    });
    world.faults.calls.length = 0;

    // Act
    const status = await describeOf(world).execute('target-1');

    // Assert
    expect(status.attention).toEqual([
      'the connection holds an inactive key: pipelines cannot authenticate',
      'a pending secret version v-pending-000000000000000000000000000 exists: a rotation is running or was aborted',
      `the secret holds ${stray.accessKeyId}, the connection ${held}`,
      `key ${stray.accessKeyId} is active but the connection does not hold it`,
    ]);
    expect(status.secretMatchesConnection).toBe(false);
    expect(mutations(world)).toEqual([]);
  });

  it('flags a key one day past the minimum age plus the grace period as overdue, not the day before', async () => {
    const overdue = new FakeWorld({ keyAgeDays: 13 });
    const due = new FakeWorld({ keyAgeDays: 12 });
    const describe = (w: FakeWorld) => describeOf(w).execute('target-1');

    expect((await describe(overdue)).attention).toEqual(['the held key is 13 days old: rotation is overdue']);
    expect((await describe(due)).attention).toEqual([]);
  });

  it('flags a connection holding a key the user does not have, and a secret that does not exist', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.target();
    world.azureDevOps.connection(world.connectionIds.get('target-1') as string).accessKeyId = null;
    const secrets = {
      ...world.secrets,
      describe: async () => ({ exists: false, current: null, pending: null, previous: null }),
    };

    // Act
    const status = await new DescribeTarget(
      world.targets,
      world.iam,
      secrets as never,
      world.azureDevOps,
      world.clock,
    ).execute('target-1');

    // Assess
    expect(status.attention).toEqual([
      "the connection holds no key, which is not one of the user's keys",
      `secret ${target.secretId} does not exist yet (created on the first rotation)`,
      `key ${status.keys[0]?.accessKeyId} is active but the connection does not hold it`,
    ]);
    expect(status).toMatchObject({
      secretCurrentAccessKeyId: null,
      secretMatchesConnection: false,
      heldAccessKeyId: null,
    });
  });

  it('turns each port refusal into an attention line naming the service, and carries on', async () => {
    // Prepare
    const world = new FakeWorld();
    world.faults.fail('iam.listKeys', () => new UnknownTargetError('no user'));
    world.faults.fail('ado.findConnection', () => new UnknownTargetError('no connection'));
    world.faults.fail('secrets.describe', () => new UnknownTargetError('no secret'));

    // Act
    const status = await describeOf(world).execute('target-1');

    // Assess
    expect(status).toMatchObject({
      keys: [],
      connectionId: null,
      heldAccessKeyId: null,
      usesOidc: false,
      couldMoveToOidc: false,
      secretCurrentAccessKeyId: null,
    });
    expect(status.attention).toEqual([
      'IAM: UnknownTargetError: no user',
      'Azure DevOps: UnknownTargetError: no connection',
      'Secrets Manager: UnknownTargetError: no secret',
    ]);
  });

  it('throws an error that is not a rotator error (a bug, not a state to report)', async () => {
    const world = new FakeWorld();
    world.faults.fail('iam.listKeys', () => new TypeError('bug'));

    await expect(describeOf(world).execute('target-1')).rejects.toThrow(TypeError);
  });

  it(
    'does not offer OIDC for a connection that uses it or is not AWS, and skips the held-key checks ' + 'for OIDC',
    async () => {
      const oidc = new FakeWorld({ targets: 0 });
      const t1 = oidc.addTarget('target-1', 30);
      oidc.azureDevOps.connection(oidc.connectionIds.get('target-1') as string).usesOidc = true;
      const other = new FakeWorld();
      other.azureDevOps.connection(other.connectionIds.get('target-1') as string).type = 'Generic';

      const a = await describeOf(oidc).execute(t1.name);
      const b = await describeOf(other).execute('target-1');

      // No held-key check; only the retiring OIDC issuer is flagged.
      expect(a).toMatchObject({ usesOidc: true, couldMoveToOidc: false });
      expect(a.attention).toEqual([
        expect.stringMatching(/^the connection uses OIDC with tokens from vstoken\.dev\.azure\.com/),
      ]);
      expect(b).toMatchObject({ usesOidc: false, couldMoveToOidc: false });
    },
  );
});

const describeTarget = (world: FakeWorld) => describeOf(world).execute('target-1');

describe('Class: DescribeTarget', () => {
  it('shows the held key, that the secret matches, and nothing needing attention for a healthy target', async () => {
    const world = new FakeWorld({ keyAgeDays: 3 });

    const status = await describeTarget(world);

    expect(status.keys).toHaveLength(1);
    expect(status.keys[0]).toMatchObject({ status: 'Active', ageDays: 3, heldByConnection: true, inSecret: true });
    expect(status.secretMatchesConnection).toBe(true);
    expect(status.couldMoveToOidc).toBe(true);
    expect(status.attention).toEqual([]);
  });

  it('shows every other holder of the key, and flags one that holds another key', async () => {
    // Prepare
    const world = new FakeWorld({ keyAgeDays: 3 });
    const target = world.addHolders('target-1', { connections: 1, groups: 1 });
    world.variableGroups.variableGroupNamed(target.variableGroups![0]!.groupName).variables.AWS_ACCESS_KEY_ID = {
      value: 'AKIASTRAYKEY00000001',
      isSecret: false,
    };

    // Act
    const status = await new DescribeTarget(
      world.targets,
      world.iam,
      world.secrets,
      world.azureDevOps,
      world.clock,
      world.variableGroups,
    ).execute('target-1');

    // Assess
    const held = world.snapshot().connectionKeyId;
    expect(status.holders).toEqual([
      { label: 'connection "aws-target-1-1" in project "payments"', heldAccessKeyId: held, matchesConnection: true },
      {
        label: 'variable group "aws-target-1-1" in project "payments"',
        heldAccessKeyId: 'AKIASTRAYKEY00000001',
        matchesConnection: false,
      },
    ]);
    expect(status.attention).toEqual([
      `variable group "aws-target-1-1" in project "payments" holds AKIASTRAYKEY00000001, the connection ${held}`,
    ]);
  });

  it('flags an overdue key and an active key the connection does not hold', async () => {
    const world = new FakeWorld({ keyAgeDays: 30 });
    world.iam.seedKey(world.target().iamUserName, { lastUsedAt: null });

    const status = await describeTarget(world);

    expect(status.attention.join('\n')).toContain('overdue');
    expect(status.attention.join('\n')).toContain('active but the connection does not hold it');
  });

  it('warns when the Azure DevOps credential expires within 14 days, naming the parameter', async () => {
    // Prepare: the fake clock reads 2026-11-29.
    const world = new FakeWorld({ keyAgeDays: 3 });
    world.targets.targets[0]!.connection.credentialExpiresOn = '2026-12-09';

    // Act
    const status = await describeTarget(world);

    // Assess
    expect(status.attention).toEqual([
      expect.stringMatching(/credential in \/rotator\/azure-devops\/pat expires in 10 days \(2026-12-09\)/),
    ]);
  });

  it('says nothing of a credential that expires in more than 14 days', async () => {
    // Prepare
    const world = new FakeWorld({ keyAgeDays: 3 });
    world.targets.targets[0]!.connection.credentialExpiresOn = '2026-12-14';

    // Act
    const status = await describeTarget(world);

    // Assess
    expect(status.attention).toEqual([]);
  });

  it('turns a port refusal into an attention line instead of failing', async () => {
    const world = new FakeWorld();
    world.target().connection.connectionName = 'renamed';
    world.targets.targets[0]!.connection.connectionName = 'renamed';

    const status = await describeTarget(world);

    expect(status.connectionId).toBeNull();
    expect(status.attention.join('\n')).toContain('ConnectionNotFoundError');
  });

  it('flags a connection on OIDC: its tokens come from the issuer Microsoft retires on 2027-07-01', async () => {
    // Prepare
    const world = new FakeWorld();
    world.azureDevOps.connection(world.connectionIds.get('target-1') as string).usesOidc = true;
    // Act
    const status = await describeTarget(world);
    // Assess
    expect(status.usesOidc).toBe(true);
    expect(status.attention).toContainEqual(
      expect.stringContaining('tokens from vstoken.dev.azure.com, which Microsoft retires on 2027-07-01'),
    );
  });

  it('changes nothing', async () => {
    const world = new FakeWorld();
    const before = world.snapshot();

    await describeTarget(world);

    expect(world.snapshot()).toEqual(before);
  });
});

describe('Class: DescribeTarget, the canary', () => {
  const withCanary = (world: FakeWorld) =>
    new DescribeTarget(
      world.targets,
      world.iam,
      world.secrets,
      world.azureDevOps,
      world.clock,
      world.variableGroups,
      world.pipelineRuns,
    ).execute('target-1');

  it('shows the last canary run of a target, and flags one that failed', async () => {
    // Prepare: a rotation whose canary succeeded, then a run on a key that does not work
    const world = new FakeWorld();
    world.addCanary('target-1');
    await world.runner().run({ mode: 'rotate', targetNames: ['target-1'], newRotationId: () => world.newRotationId() });
    const succeeded = await withCanary(world);
    const ref = (await world.targets.getTarget('target-1')).canary;
    world.iam.setKeyStatus(world.target().iamUserName, world.snapshot().connectionKeyId as string, 'Inactive');
    const queued = await world.pipelineRuns.queueRun(ref!);
    await world.pipelineRuns.readRun(ref!, queued.runId);

    // Act
    const failed = await withCanary(world);

    // Assess
    expect(succeeded.canary?.lastRun).toMatchObject({ state: 'completed', result: 'succeeded' });
    expect(succeeded.attention).toEqual([]);
    expect(failed.canary?.lastRun).toMatchObject({ runId: queued.runId, result: 'failed' });
    expect(failed.attention.some((a) => a.startsWith('the last run of canary pipeline'))).toBe(true);
  });

  it('says a canary pipeline has no run yet', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');

    // Act
    const status = await withCanary(world);

    // Assess
    expect(status.canary).toMatchObject({ lastRun: null });
  });
  it.each([
    ['holds no key', 'group', (held: string) => `holds no key, the connection ${held}`],
    [
      'is compared with a connection holding none',
      'connection',
      (held: string) => `holds ${held}, the connection nothing`,
    ],
  ])('flags a variable group that %s', async (_, emptied, says) => {
    // Prepare
    const world = new FakeWorld({ keyAgeDays: 3 });
    const target = world.addHolders('target-1', { groups: 1 });
    const held = world.snapshot().connectionKeyId as string;
    if (emptied === 'group')
      world.variableGroups.variableGroupNamed(target.variableGroups![0]!.groupName).variables.AWS_ACCESS_KEY_ID = {
        value: '',
        isSecret: false,
      };
    else world.azureDevOps.connection(world.connectionIds.get('target-1') as string).accessKeyId = null;

    // Act
    const status = await withCanary(world);

    // Assess
    expect(status.attention).toContain(`variable group "aws-target-1-1" in project "payments" ${says(held)}`);
  });

  it('flags another holder that cannot hold a static key, with its own sentence', async () => {
    // Prepare
    const world = new FakeWorld({ keyAgeDays: 3 });
    const target = world.addHolders('target-1', { connections: 1 });
    const other = world.azureDevOps.connection(world.azureDevOps.idOf(target.otherConnections![0]!));
    other.usesOidc = true;

    // Act
    const status = await withCanary(world);

    // Assess
    expect(status.attention).toEqual([
      'connection "aws-target-1-1" in project "payments" uses OIDC: it holds no static key; remove it from the ' +
        "target's holders",
    ]);
  });

  it('says "nothing" for a secret with no current version, and for a connection holding no key', async () => {
    // Prepare
    const world = new FakeWorld({ keyAgeDays: 3 });
    const held = world.snapshot().connectionKeyId as string;
    const secrets = {
      ...world.secrets,
      describe: async () => ({ exists: true, current: null, pending: null, previous: null }),
    };
    const describe = (w: FakeWorld) =>
      new DescribeTarget(w.targets, w.iam, secrets as never, w.azureDevOps, w.clock).execute('target-1');

    // Act
    const noCurrent = await describe(world);
    world.azureDevOps.connection(world.connectionIds.get('target-1') as string).accessKeyId = null;
    const noneHeld = await describeOf(world).execute('target-1');

    // Assess
    expect(noCurrent.attention).toEqual([`the secret holds nothing, the connection ${held}`]);
    expect(noneHeld.attention).toContain(`the secret holds ${held}, the connection nothing`);
  });

  it('says a canary run that completed without a result "ended", with its link', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addCanary('target-1');
    const run = { runId: 9, name: 'r', state: 'completed' as const, result: null, webUrl: 'https://dev.azure.com/r/9' };
    const runs = { ...world.pipelineRuns, lastRun: async () => run };

    // Act
    const status = await new DescribeTarget(
      world.targets,
      world.iam,
      world.secrets,
      world.azureDevOps,
      world.clock,
      world.variableGroups,
      runs as never,
    ).execute('target-1');

    // Assess
    expect(status.attention).toEqual(['the last run of canary pipeline 42 ended: https://dev.azure.com/r/9']);
  });
});
