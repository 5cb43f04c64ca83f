/**
 * The holders beyond the first connection (issue 13): which they are and in what order, how each is
 * named to an operator, why one cannot take a rotated key, and how each is read and written through its port.
 */
import { describe, expect, it } from 'vitest';
import {
  describeFirstConnection,
  groupProblem,
  type HolderRef,
  HolderSet,
  otherHolders,
  pairHolders,
} from '../../src/domain/holder-set.js';
import type { VariableGroupRef, VariableGroupState } from '../../src/domain/holders.js';
import type { AccessKeyCredential, ConnectionRef, ConnectionState, RotationTarget } from '../../src/domain/model.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { AzureDevOpsPort } from '../../src/ports/azure-devops.port.js';
import type { VariableGroupsPort } from '../../src/ports/variable-groups.port.js';

const ORG = 'https://dev.azure.com/contoso';
const conn = (connectionName: string, project = 'payments'): ConnectionRef => ({
  organizationUrl: ORG,
  project,
  connectionName,
});
const group = (groupName: string): VariableGroupRef => ({
  organizationUrl: ORG,
  project: 'web',
  groupName,
  accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
  secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
});
const target = (extra: Partial<RotationTarget> = {}): RotationTarget => ({
  name: 'prod',
  iamUserName: 'ado-prod',
  secretId: 'ado-key-rotator/prod',
  connection: conn('aws-prod'),
  ...extra,
});
const groupState = (extra: Partial<VariableGroupState> = {}): VariableGroupState => ({
  id: 42,
  name: 'aws-deploy',
  type: 'Vsts',
  keyVaultLinked: false,
  heldAccessKeyId: 'AKIAGROUP00000000001',
  accessKeyIdIsSecret: false,
  hasSecretVariable: true,
  secretVariableIsSecret: true,
  variableCount: 3,
  ...extra,
});
const connectionState = (extra: Partial<ConnectionState> = {}): ConnectionState => ({
  id: 'conn-7',
  name: 'aws-b',
  type: 'AWS',
  usesOidc: false,
  heldAccessKeyId: 'AKIACONN000000000001',
  assumesRole: false,
  projectReferenceCount: 1,
  ...extra,
});

/** Ports that answer with the given states and record every call with its arguments. */
function ports(connection: ConnectionState, variableGroup: VariableGroupState) {
  const calls: unknown[][] = [];
  const azureDevOps: AzureDevOpsPort = {
    findConnection: async (ref) => {
      calls.push(['findConnection', ref.connectionName]);
      return connection;
    },
    readConnection: async (ref, id) => {
      calls.push(['readConnection', ref.connectionName, id]);
      return connection;
    },
    updateCredential: async (ref, id, c) =>
      void calls.push(['updateConnection', ref.connectionName, id, c.accessKeyId]),
  };
  const variableGroups: VariableGroupsPort = {
    findVariableGroup: async (ref) => {
      calls.push(['findVariableGroup', ref.groupName]);
      return variableGroup;
    },
    readVariableGroup: async (ref, id) => {
      calls.push(['readVariableGroup', ref.groupName, id]);
      return variableGroup;
    },
    updateCredential: async (ref, id, c) => void calls.push(['updateGroup', ref.groupName, id, c.accessKeyId]),
    listVariableGroups: async () => [],
  };
  return { calls, azureDevOps, variableGroups };
}
const B: HolderRef = { kind: 'connection', ref: conn('aws-b') };
const G: HolderRef = { kind: 'variable-group', ref: group('aws-deploy') };
const credential: AccessKeyCredential = { accessKeyId: 'AKIANEW0000000000001', secretAccessKey: new SecretValue('s') };

describe('Function: otherHolders', () => {
  it('lists the other connections, then the variable groups, in configuration order; none when there are none', () => {
    // Prepare
    const full = target({ otherConnections: [conn('b'), conn('c')], variableGroups: [group('g1'), group('g2')] });

    // Act
    const holders = otherHolders(full);

    // Assess
    expect(holders.map((h) => `${h.kind}:${'groupName' in h.ref ? h.ref.groupName : h.ref.connectionName}`)).toEqual([
      'connection:b',
      'connection:c',
      'variable-group:g1',
      'variable-group:g2',
    ]);
    expect(otherHolders(target())).toEqual([]);
  });
});

describe('Function: describeFirstConnection', () => {
  it('names the first connection and its project in the same words as the other holders', () => {
    // Act
    const label = describeFirstConnection(target({ connection: conn('aws-prod', 'shop') }));

    // Assess
    expect(label).toBe('connection "aws-prod" in project "shop"');
  });
});

describe('Function: groupProblem', () => {
  const rows: Array<{ rule: string; state: Partial<VariableGroupState>; problem: string | undefined }> = [
    { rule: 'a plain group with a secret variable holding the key is fine', state: {}, problem: undefined },
    {
      rule: 'a Key Vault-linked group is refused first',
      state: { keyVaultLinked: true, hasSecretVariable: false },
      problem:
        'is linked to an Azure Key Vault: its values live in the vault; rotate the key there, or use a plain ' +
        'variable group',
    },
    {
      rule: 'a group without the secret variable',
      state: { hasSecretVariable: false, secretVariableIsSecret: false },
      problem:
        'has no variable "AWS_SECRET_ACCESS_KEY": add it as a secret variable holding the current secret access key',
    },
    {
      rule: 'a secret key variable that is not marked secret',
      state: { secretVariableIsSecret: false, accessKeyIdIsSecret: true },
      problem:
        'holds the secret access key in "AWS_SECRET_ACCESS_KEY", which is not marked secret: anyone who can read ' +
        'the group sees it; mark it secret, then re-run',
    },
    {
      rule: 'a key id variable marked secret (its key cannot be read)',
      state: { accessKeyIdIsSecret: true },
      problem: 'marks "AWS_ACCESS_KEY_ID" secret, so which key it holds cannot be read: make it a plain variable',
    },
  ];

  it.each(rows)('$rule', ({ state, problem }) => {
    // Act
    const why = groupProblem(groupState(state), group('aws-deploy'));

    // Assess
    expect(why).toBe(problem);
  });
});

describe('Class: HolderSet', () => {
  it('finds an AWS connection (any case of its type) by name, with its id and key, and no problem', async () => {
    // Prepare
    const { calls, azureDevOps } = ports(connectionState({ type: 'aws' }), groupState());

    // Act
    const found = await new HolderSet(azureDevOps, undefined).findAll([B]);

    // Assess
    expect(found).toEqual([
      {
        holder: B,
        label: 'connection "aws-b" in project "payments"',
        id: 'conn-7',
        heldAccessKeyId: 'AKIACONN000000000001',
      },
    ]);
    expect(calls).toEqual([['findConnection', 'aws-b']]);
  });

  it.each([
    [
      'a connection of another type',
      { type: 'Generic', usesOidc: true },
      'ConnectionNotAwsError',
      'connection "aws-b" in project "payments" is of type "Generic", not AWS; check the holder\'s connectionName',
    ],
    [
      'an OIDC connection',
      { usesOidc: true },
      'ConnectionUsesOidcError',
      'connection "aws-b" in project "payments" uses OIDC: it holds no static key; remove it from the ' +
        "target's holders",
    ],
  ])('finds %s with the problem that refuses it', async (_label, state, name, message) => {
    // Prepare
    const { azureDevOps } = ports(connectionState(state), groupState());

    // Act
    const found = await new HolderSet(azureDevOps, undefined).find(B);

    // Assess
    expect(found.problem?.name).toBe(name);
    expect(found.problem?.message).toBe(message);
  });

  it('finds a variable group by name, its integer id as text, and names what keeps it from taking a key', async () => {
    // Prepare
    const { calls, azureDevOps, variableGroups } = ports(connectionState(), groupState({ keyVaultLinked: true }));

    // Act
    const [found] = await new HolderSet(azureDevOps, variableGroups).findAll([G]);

    // Assess
    expect(found).toMatchObject({
      holder: G,
      label: 'variable group "aws-deploy" in project "web"',
      id: '42',
      heldAccessKeyId: 'AKIAGROUP00000000001',
    });
    expect(found?.problem?.name).toBe('VariableGroupUnsupportedError');
    expect(found?.problem?.message).toMatch(
      /^variable group "aws-deploy" in project "web" is linked to an Azure Key Vault: .*; nothing was changed$/,
    );
    expect(calls).toEqual([['findVariableGroup', 'aws-deploy']]);
  });

  it('finds a supported variable group with no problem at all', async () => {
    // Prepare
    const { azureDevOps, variableGroups } = ports(connectionState(), groupState());

    // Act
    const found = await new HolderSet(azureDevOps, variableGroups).find(G);

    // Assess
    expect(Object.keys(found)).not.toContain('problem');
  });

  it('reads and writes each holder through its own port, a group by its numeric id', async () => {
    // Prepare
    const { calls, azureDevOps, variableGroups } = ports(connectionState(), groupState());
    const set = new HolderSet(azureDevOps, variableGroups);

    // Act
    const held = [await set.held(B, 'conn-7'), await set.held(G, '42')];
    await set.write(B, 'conn-7', credential);
    await set.write(G, '42', credential);

    // Assess
    expect(held).toEqual(['AKIACONN000000000001', 'AKIAGROUP00000000001']);
    expect(calls).toEqual([
      ['readConnection', 'aws-b', 'conn-7'],
      ['readVariableGroup', 'aws-deploy', 42],
      ['updateConnection', 'aws-b', 'conn-7', 'AKIANEW0000000000001'],
      ['updateGroup', 'aws-deploy', 42, 'AKIANEW0000000000001'],
    ]);
  });

  it('refuses a variable group when no variable group adapter is bound, saying which binding is missing', async () => {
    // Prepare
    const set = new HolderSet(ports(connectionState(), groupState()).azureDevOps, undefined);

    // Act
    const found = set.find(G);

    // Assess
    await expect(found).rejects.toMatchObject({
      name: 'ConfigurationError',
      message:
        'a target lists variable groups, but this deployment has no variable group adapter bound ' +
        '(TOKENS.VariableGroups)',
    });
  });
});

describe('Function: pairHolders', () => {
  const withHolders = target({ otherConnections: [conn('b')], variableGroups: [group('g')] });

  it('pairs each holder with its id from the state, in configuration order', () => {
    // Act
    const pairs = pairHolders(withHolders, ['conn-b', '17'], 'publish');

    // Assess
    expect(pairs.map((p) => [p.holder.kind, p.id])).toEqual([
      ['connection', 'conn-b'],
      ['variable-group', '17'],
    ]);
  });

  it('pairs nothing for a target with no other holder, whatever the state carries', () => {
    // Act
    const pairs = pairHolders(target(), ['stale'], 'publish');

    // Assess
    expect(pairs).toEqual([]);
  });

  it.each([
    ['fewer ids than holders', ['conn-b'], 1],
    ['no ids at all', undefined, 0],
  ])('refuses %s: the configuration changed during the run', (_label, ids, count) => {
    // Act
    const pair = () => pairHolders(withHolders, ids, 'verify-publish');

    // Assess
    expect(pair).toThrow(
      `step "verify-publish" of target prod: the state carries ${count} holder ids for 2 holders; the ` +
        'configuration changed during the run: re-run it',
    );
    // The log line names the target and the step as fields.
    expect(pair).toThrow(expect.objectContaining({ context: { target: 'prod', step: 'verify-publish' } }));
  });
});
