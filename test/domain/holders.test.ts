/**
 * One key, every place that holds it (issue 13): several service connections and variable groups
 * rotated together, refused when they disagree, rolled back together, and the old key retired
 * by evidence (IAM's last use).
 */
import { describe, expect, it } from 'vitest';
import { FakeWorld } from '../../local/fakes/world.js';

const run = (world: FakeWorld) =>
  world.runner().run({ mode: 'rotate', targetNames: ['target-1'], newRotationId: () => world.newRotationId() });

describe('Holders: several connections and variable groups per key', () => {
  it('rotates three holders together, and a variable group keeps its other secret variables untouched', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { connections: 1, groups: 1 });
    const oldKeyId = world.snapshot().connectionKeyId;

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.outcome).toBe('rotated');
    const newKeyId = world.snapshot().connectionKeyId;
    expect(newKeyId).not.toBe(oldKeyId);
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([newKeyId, newKeyId]);
    expect(world.otherHolderKeys().every((h) => h.otherSecretKept)).toBe(true);
    expect(world.violations()).toEqual([]);
    // The report (and so Slack) names each holder, the first connection first.
    expect(summary.targets[0]?.holders).toHaveLength(3);
    expect(summary.targets[0]?.holders?.[0]).toMatch(/^connection "/);
    expect(summary.targets[0]?.holders?.[2]).toMatch(/^variable group "/);
  });

  it('keeps every holder on an active, working key at every call of a rotation', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { connections: 1, groups: 1 });
    const seen: string[] = [];
    world.faults.afterEach = (call) => {
      for (const v of world.violations('target-1', { final: false })) seen.push(`${call}: ${v}`);
    };

    // Act
    await run(world);

    // Assess
    expect(seen).toEqual([]);
  });

  it('rolls every holder back to the old key when the publish fails at the second holder', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { connections: 1, groups: 1 });
    const before = world.snapshot();
    // The first connection takes the new key; the second connection's update fails.
    world.faults.fail('ado.updateCredential', new Error('socket hang up'), { skip: 1 });

    // Act
    const { summary } = await run(world);

    // Assess
    const report = summary.targets[0];
    expect(report?.outcome).toBe('rolled-back');
    expect(report?.failure?.step).toBe('publish');
    expect(report?.rolledBack).toContain(`restored the connection to the old key ${before.connectionKeyId}`);
    expect(world.snapshot().connectionKeyId).toBe(before.connectionKeyId);
    expect(world.otherHolderKeys().map((h) => h.accessKeyId)).toEqual([before.connectionKeyId, before.connectionKeyId]);
    expect(world.snapshot().keys.map((k) => k.accessKeyId)).toEqual([before.connectionKeyId]);
    expect(world.violations()).toEqual([]);
  });

  it('rolls the variable group back too when verification fails after it took the new key', async () => {
    // Prepare
    const world = new FakeWorld();
    world.addHolders('target-1', { groups: 1 });
    const before = world.snapshot();
    world.faults.fail('groups.readVariableGroup', new Error('read timed out'));

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.failure?.step).toBe('verify-publish');
    expect(summary.targets[0]?.rolledBack).toContain(
      `restored variable group "aws-target-1-1" in project "payments" to the old key ${before.connectionKeyId}`,
    );
    expect(world.otherHolderKeys()[0]?.accessKeyId).toBe(before.connectionKeyId);
    expect(world.violations()).toEqual([]);
  });

  it('refuses, naming the holder, when the holders disagree about the key, and changes nothing', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.addHolders('target-1', { groups: 1 });
    const group = world.variableGroups.variableGroupNamed(target.variableGroups![0]!.groupName);
    group.variables.AWS_ACCESS_KEY_ID = { value: 'AKIASOMEOTHERKEY0001', isSecret: false };
    const calls = world.faults.calls.length;

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.outcome).toBe('refused');
    expect(summary.targets[0]?.reasonCode).toBe('HoldersDisagreeError');
    expect(summary.targets[0]?.summary).toContain(
      'variable group "aws-target-1-1" in project "payments" holds access key AKIASOMEOTHERKEY0001',
    );
    expect(world.faults.calls.slice(calls).filter((c) => /update|create|delete|setKey|put|promote/i.test(c))).toEqual(
      [],
    );
  });

  it.each([
    ['a secret key variable that is not marked secret', { isSecret: false }, 'is not marked secret'],
    ['a Key Vault-linked group', { type: 'AzureKeyVault' }, 'Azure Key Vault'],
  ])('refuses %s with VariableGroupUnsupportedError', async (_label, change, words) => {
    // Prepare
    const world = new FakeWorld();
    const target = world.addHolders('target-1', { groups: 1 });
    const group = world.variableGroups.variableGroupNamed(target.variableGroups![0]!.groupName);
    if ('isSecret' in change) group.variables.AWS_SECRET_ACCESS_KEY!.isSecret = false;
    if ('type' in change) group.type = change.type as string;

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.outcome).toBe('refused');
    expect(summary.targets[0]?.reasonCode).toBe('VariableGroupUnsupportedError');
    expect(summary.targets[0]?.summary).toContain(words);
  });

  it('refuses when a holder cannot be read, naming it', async () => {
    // Prepare
    const world = new FakeWorld();
    const target = world.addHolders('target-1', { groups: 1 });
    world.variableGroups.deleteVariableGroup(
      world.variableGroups.variableGroupNamed(target.variableGroups![0]!.groupName).id,
    );

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.reasonCode).toBe('VariableGroupNotFoundError');
    expect(summary.targets[0]?.summary).toContain('aws-target-1-1');
  });

  it('repairs holders an interrupted run left apart before anything is retired', async () => {
    // Prepare: a run published its key to the first connection only, then died; the pending version is stale.
    const world = new FakeWorld();
    world.addHolders('target-1', { connections: 1, groups: 1 });
    world.faults.fail('ado.updateCredential', () => new Error('Lambda died'), { skip: 1 });
    world.faults.fail('ado.readConnection', () => new Error('Lambda died'), { times: 50 });
    await run(world);
    world.faults.clear();
    world.clock.advance(3 * 60 * 60_000);

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.outcome).toBe('repaired');
    expect(summary.targets[0]?.summary).toContain('writing');
    expect(world.violations()).toEqual([]);
  });
});

describe('Holders after a rollback that stopped half-way', () => {
  it("writes the connection's key back into a variable group left on the new key, then heals", async () => {
    // Prepare: promote went through but answered an error; the rollback restores the connection, then stops.
    const world = new FakeWorld();
    world.addHolders('target-1', { groups: 1 });
    world.faults.fail('secrets.promote', new Error('socket hang up'), { phase: 'after' });
    world.faults.fail('ado.readConnection', () => new Error('Azure DevOps went away'), { skip: 2, times: 50 });
    await run(world);
    world.faults.clear();
    world.clock.advance(3 * 60 * 60_000);

    // Act
    const { summary } = await run(world);

    // Assess
    expect(['repaired', 'rotated']).toContain(summary.targets[0]?.outcome);
    expect(world.violations()).toEqual([]);
  });
});

describe('Retire by evidence: the old key used after the publish', () => {
  it('keeps the old key active and names the service and region of its last use (default policy)', async () => {
    // Prepare
    const world = new FakeWorld();
    const oldKeyId = world.snapshot().connectionKeyId!;
    // A forgotten consumer uses the old key while the rotation runs, after the publish.
    world.faults.afterEach = (call) => {
      if (call === 'ado.readConnection' && world.snapshot().connectionKeyId !== oldKeyId) {
        world.clock.advance(1_000);
        world.iam.markUsed(oldKeyId, { service: 'ec2', region: 'eu-central-1' });
      }
    };

    // Act
    const { summary } = await run(world);

    // Assess
    const report = summary.targets[0];
    expect(report?.outcome).toBe('rotated');
    expect(report?.oldKeyStatus).toBe('Active');
    expect(report?.warnings.join(' ')).toContain(`the old key ${oldKeyId} was used at`);
    expect(report?.warnings.join(' ')).toContain('(ec2 in eu-central-1)');
    expect(world.iam.keys('ado-target-1').find((k) => k.accessKeyId === oldKeyId)?.status).toBe('Active');
    expect(world.violations()).toEqual([]);
  });

  it('deactivates it anyway under oldKeyUsedAfterPublish: deactivate, and says so', async () => {
    // Prepare
    const world = new FakeWorld({ settings: { oldKeyUsedAfterPublish: 'deactivate' } });
    const oldKeyId = world.snapshot().connectionKeyId!;
    world.faults.afterEach = (call) => {
      if (call === 'ado.readConnection' && world.snapshot().connectionKeyId !== oldKeyId) {
        world.clock.advance(1_000);
        world.iam.markUsed(oldKeyId, { service: 's3', region: 'us-east-1' });
      }
    };

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.oldKeyStatus).toBe('Inactive');
    expect(summary.targets[0]?.warnings.join(' ')).toContain('deactivated anyway');
  });

  it('deactivates the old key when nothing used it after the publish', async () => {
    // Prepare
    const world = new FakeWorld();

    // Act
    const { summary } = await run(world);

    // Assess
    expect(summary.targets[0]?.oldKeyStatus).toBe('Inactive');
    expect(summary.targets[0]?.warnings).toEqual([]);
  });
});
