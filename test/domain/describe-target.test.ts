import { describe, expect, it } from 'vitest';
import { DescribeTarget } from '../../src/domain/use-cases/describe-target.js';
import { FakeWorld } from '../../local/fakes/world.js';

const describeTarget = (world: FakeWorld) =>
  new DescribeTarget(world.targets, world.iam, world.secrets, world.azureDevOps, world.clock).execute('target-1');

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
});
