/**
 * The holders of a target in the configuration: several connections, variable groups, a canary (src/config/holders.ts).
 * Over 300 lines on purpose: one row per holder rule, with its exact problem, read as one table.
 */
import { describe, expect, it } from 'vitest';
import { type HolderParsers, parseHolders } from '../../src/config/holders.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { Problems } from '../../src/config/problems.js';
import { ConfigurationError } from '../../src/domain/errors.js';
import type { ConnectionRef } from '../../src/domain/model.js';

const FIRST = {
  organizationUrl: 'https://dev.azure.com/contoso',
  project: 'payments',
  connectionName: 'aws-prod',
  credentialParameter: '/ado-key-rotator/ado/pat',
};

const configWith = (target: Record<string, unknown>) => ({
  targets: [{ name: 'app-prod', iamUserName: 'ado-app-prod', secretId: 'ado-key-rotator/app-prod', ...target }],
});

function problems(target: Record<string, unknown>): string {
  try {
    parseRotationConfig(configWith(target), { lookUpTimeZone: false });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('Function: parseRotationConfig (holders)', () => {
  it('reads a single connection as a target with one holder, as before', () => {
    // Act
    const [target] = parseRotationConfig(configWith({ connection: FIRST }), { lookUpTimeZone: false }).targets;

    // Assess
    expect(target).toEqual({
      name: 'app-prod',
      iamUserName: 'ado-app-prod',
      secretId: 'ado-key-rotator/app-prod',
      connection: FIRST,
    });
  });

  it(
    'reads several connections, variable groups and a canary, each inheriting organization, project and ' +
      'credential',
    () => {
      // Act
      const [target] = parseRotationConfig(
        configWith({
          connections: [FIRST, { connectionName: 'aws-prod-eu' }, { project: 'platform', connectionName: 'aws-prod' }],
          variableGroups: [
            { groupName: 'aws-deploy' },
            { groupName: 'tf', accessKeyIdVariable: 'TF_VAR_key_id', secretAccessKeyVariable: 'TF_VAR_secret' },
          ],
          canary: { pipelineId: 42, branch: 'refs/heads/main' },
        }),
        { lookUpTimeZone: false },
      ).targets;

      // Assess
      const inherited = { organizationUrl: FIRST.organizationUrl, credentialParameter: FIRST.credentialParameter };
      expect(target?.connection).toEqual(FIRST);
      expect(target?.otherConnections).toEqual([
        { ...inherited, project: 'payments', connectionName: 'aws-prod-eu' },
        { ...inherited, project: 'platform', connectionName: 'aws-prod' },
      ]);
      expect(target?.variableGroups).toEqual([
        {
          ...inherited,
          project: 'payments',
          groupName: 'aws-deploy',
          accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
          secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
        },
        {
          ...inherited,
          project: 'payments',
          groupName: 'tf',
          accessKeyIdVariable: 'TF_VAR_key_id',
          secretAccessKeyVariable: 'TF_VAR_secret',
        },
      ]);
      expect(target?.canary).toEqual({ ...inherited, project: 'payments', pipelineId: 42, branch: 'refs/heads/main' });
    },
  );

  it('parses its own output again unchanged (the CDK stack ships the parsed configuration to the Lambdas)', () => {
    // Prepare
    const parsed = parseRotationConfig(
      configWith({
        connections: [FIRST, { connectionName: 'aws-prod-eu' }],
        variableGroups: [{ groupName: 'aws-deploy' }],
        canary: { pipelineId: 7 },
      }),
      { lookUpTimeZone: false },
    );

    // Act
    const again = parseRotationConfig(JSON.parse(JSON.stringify(parsed)), { lookUpTimeZone: false });

    // Assess
    expect(again).toEqual(parsed);
  });

  it.each([
    [
      'connection and connections together',
      { connection: FIRST, connections: [FIRST] },
      'targets[0].connections is given with connection',
    ],
    ['an empty connections list', { connections: [] }, 'targets[0].connections is a list (empty)'],
    [
      'the same connection twice',
      { connections: [FIRST, { connectionName: 'AWS-PROD' }] },
      'targets[0].connections[1] names the same holder as targets[0].connection',
    ],
    [
      'a group without a name',
      { connection: FIRST, variableGroups: [{}] },
      'targets[0].variableGroups[0].groupName is missing',
    ],
    [
      'one variable for both halves of the key',
      {
        connection: FIRST,
        variableGroups: [{ groupName: 'g', accessKeyIdVariable: 'K', secretAccessKeyVariable: 'k' }],
      },
      'targets[0].variableGroups[0].secretAccessKeyVariable is "k", the same variable as accessKeyIdVariable',
    ],
    ['a canary without a pipeline id', { connection: FIRST, canary: {} }, 'targets[0].canary.pipelineId is missing'],
    [
      'a canary branch that is not a ref',
      { connection: FIRST, canary: { pipelineId: 1, branch: 'main' } },
      'targets[0].canary.branch is "main": give a full ref',
    ],
    [
      'an unknown holder field',
      { connection: FIRST, variableGroups: [{ groupName: 'g', vault: 'kv' }] },
      'targets[0].variableGroups[0].vault is not a known field',
    ],
  ])('refuses %s, naming the field', (_label, target, expected) => {
    // Act
    const message = problems(target);

    // Assess
    expect(message).toContain(expected);
  });

  it('checks the oldKeyUsedAfterPublish policy', () => {
    // Act
    const config = parseRotationConfig(
      { ...configWith({ connection: FIRST }), settings: { oldKeyUsedAfterPublish: 'deactivate' } },
      { lookUpTimeZone: false },
    );
    const bad = (() => {
      try {
        parseRotationConfig(
          { ...configWith({ connection: FIRST }), settings: { oldKeyUsedAfterPublish: 'delete' } },
          { lookUpTimeZone: false },
        );
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();

    // Assess
    expect(config.settings.oldKeyUsedAfterPublish).toBe('deactivate');
    expect(bad).toContain('settings.oldKeyUsedAfterPublish is "delete"');
  });
});

/** Every problem of a target, one line each, without the header. */
function problemList(target: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  try {
    parseRotationConfig({ ...configWith(target), ...extra }, { lookUpTimeZone: false });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message
      .replace(/^Invalid rotation configuration(?: \(\d+ problems\))?:\s*/, '')
      .split('\n')
      .map((line) => line.replace(/^\s*- /, ''));
  }
  return [];
}
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0e3f6c1a-5b7d-4c2e-9a8f-1d2c3b4a5e6f';
const FEDERATED = { tenantId: TENANT, clientId: CLIENT };
const parsedTarget = (target: Record<string, unknown>) =>
  parseRotationConfig(configWith(target), { lookUpTimeZone: false }).targets[0];

describe('Function: parseRotationConfig (holders: own fields and exact problems)', () => {
  it('sends a holder credential only to the hosts the configuration allows', () => {
    // Prepare
    const hostProblem =
      'names a host that is neither dev.azure.com, {org}.visualstudio.com nor one of azureDevOpsServerHosts: ' +
      'the rotator sends a credential only to Azure DevOps; list an Azure DevOps Server host in azureDevOpsServerHosts';

    // Act
    const refused = problemList({
      connection: FIRST,
      variableGroups: [{ groupName: 'g', organizationUrl: 'https://evil.example.com/x' }],
      canary: { pipelineId: 1, organizationUrl: 'http://localhost/x' },
    });
    const allowed = parseRotationConfig(
      {
        ...configWith({
          connection: FIRST,
          variableGroups: [{ groupName: 'g', organizationUrl: 'https://ado.contoso.example/tfs/main/' }],
        }),
        azureDevOpsServerHosts: ['ado.contoso.example'],
      },
      { lookUpTimeZone: false },
    ).targets[0];

    // Assess
    expect(refused).toEqual([
      `targets[0].variableGroups[0].organizationUrl ${hostProblem}`,
      'targets[0].canary.organizationUrl must use https (the rotator sends a credential to it) (plain http to this ' +
        'machine only with allowLoopbackHttp, for local runs); use https://dev.azure.com/{org} or ' +
        'https://host/tfs/{collection}',
    ]);
    expect(allowed?.variableGroups?.[0]?.organizationUrl).toBe('https://ado.contoso.example/tfs/main');
  });

  it('gives a holder with its own credential only the organization and project of the first connection', () => {
    // Act
    const target = parsedTarget({
      connections: [
        FIRST,
        { connectionName: 'fed', federatedCredential: FEDERATED },
        { connectionName: 'own', credentialParameter: '/ado-key-rotator/ado/other' },
      ],
      variableGroups: [
        { groupName: 'fed', federatedCredential: FEDERATED },
        { groupName: 'own', project: 'platform', credentialParameter: '/ado-key-rotator/ado/other' },
      ],
    });

    // Assess
    const where = { organizationUrl: FIRST.organizationUrl, project: 'payments' };
    expect(target?.otherConnections).toEqual([
      { ...where, connectionName: 'fed', federatedCredential: FEDERATED },
      { ...where, connectionName: 'own', credentialParameter: '/ado-key-rotator/ado/other' },
    ]);
    const variables = { accessKeyIdVariable: 'AWS_ACCESS_KEY_ID', secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY' };
    expect(target?.variableGroups).toEqual([
      { ...where, groupName: 'fed', federatedCredential: FEDERATED, ...variables },
      {
        ...where,
        project: 'platform',
        groupName: 'own',
        credentialParameter: '/ado-key-rotator/ado/other',
        ...variables,
      },
    ]);
  });

  it('lets every holder inherit a federated credential from the first connection', () => {
    // Act
    const target = parsedTarget({
      connections: [
        { ...FIRST, credentialParameter: undefined, federatedCredential: FEDERATED },
        { connectionName: 'b' },
      ],
      variableGroups: [{ groupName: 'g' }],
      canary: { pipelineId: 2_147_483_647, branch: 'refs/tags/v1' },
    });

    // Assess
    const where = { organizationUrl: FIRST.organizationUrl, project: 'payments', federatedCredential: FEDERATED };
    expect(target?.otherConnections).toEqual([{ ...where, connectionName: 'b' }]);
    expect(target?.variableGroups?.[0]).toMatchObject(where);
    expect(target?.variableGroups?.[0]).not.toHaveProperty('credentialParameter');
    expect(target?.canary).toEqual({ ...where, pipelineId: 2_147_483_647, branch: 'refs/tags/v1' });
  });

  it('reads the parsed otherConnections list, naming its entries by their own path', () => {
    // Act
    const target = parsedTarget({ connection: FIRST, otherConnections: [{ connectionName: 'b' }] });
    const duplicate = problemList({
      connection: FIRST,
      otherConnections: [{ connectionName: 'b' }, { connectionName: 'B' }],
    });

    // Assess
    expect(target?.otherConnections).toEqual([
      {
        organizationUrl: FIRST.organizationUrl,
        project: 'payments',
        credentialParameter: FIRST.credentialParameter,
        connectionName: 'b',
      },
    ]);
    expect(duplicate).toEqual([
      'targets[0].otherConnections[1] names the same holder as targets[0].otherConnections[0]: list each holder once',
    ]);
  });

  it.each([
    [
      'connections and otherConnections together',
      { connections: [FIRST, { connectionName: 'b' }], otherConnections: [{ connectionName: 'c' }] },
      [
        'targets[0].otherConnections is given with more than one connections entry: list the other connections in ' +
          'one place',
      ],
    ],
    [
      'otherConnections that is not a list',
      { connection: FIRST, otherConnections: { connectionName: 'b' } },
      ['targets[0].otherConnections is an object, not a list: list the other service connections that hold the key'],
    ],
    [
      'variableGroups that is not a list',
      { connection: FIRST, variableGroups: 'aws-deploy' },
      ['targets[0].variableGroups is a string, not a list: list the variable groups that hold the key'],
    ],
    [
      'a group that is not an object',
      { connection: FIRST, variableGroups: ['aws-deploy'] },
      [
        'targets[0].variableGroups[0] is a string, not an object: give { groupName, accessKeyIdVariable?, ' +
          'secretAccessKeyVariable?, project?, organizationUrl?, credentialParameter? or federatedCredential? }',
      ],
    ],
    [
      'the same group twice, whatever the case',
      { connection: FIRST, variableGroups: [{ groupName: 'g' }, { groupName: 'G', project: 'PAYMENTS' }] },
      ['targets[0].variableGroups[1] names the same holder as targets[0].variableGroups[0]: list each holder once'],
    ],
    [
      'a variable name with a space, and a group URL that is not a string',
      {
        connection: FIRST,
        variableGroups: [{ groupName: 'g', organizationUrl: 7, project: '', secretAccessKeyVariable: 'MY KEY' }],
      },
      [
        'targets[0].variableGroups[0].organizationUrl is a number, not a string: use https://dev.azure.com/{org} or ' +
          'https://host/tfs/{collection}',
        'targets[0].variableGroups[0].project is empty: the Azure DevOps project',
        'targets[0].variableGroups[0].secretAccessKeyVariable is "MY KEY": a variable name has letters, digits, ' +
          '"_", ".", "-" only',
      ],
    ],
    [
      'a group credential parameter that is not one',
      { connection: FIRST, variableGroups: [{ groupName: 'g', credentialParameter: 'pat' }] },
      [
        'targets[0].variableGroups[0].credentialParameter is not an SSM parameter name: it must start with "/" and ' +
          'name the SecureString parameter holding the Azure DevOps PAT',
      ],
    ],
    [
      'a group federated credential without a client id',
      { connection: FIRST, variableGroups: [{ groupName: 'g', federatedCredential: { tenantId: TENANT } }] },
      [
        "targets[0].variableGroups[0].federatedCredential.clientId is missing: use the app registration's " +
          'application (client) id, a GUID',
      ],
    ],
    [
      'a refused connection before a duplicate, naming the duplicate by its own place',
      { connections: [FIRST, 'aws-prod', { connectionName: 'AWS-PROD' }] },
      [
        'targets[0].connections[1] is a string, not an object: give { organizationUrl, project, connectionName, ' +
          'credentialParameter }',
        'targets[0].connections[2] names the same holder as targets[0].connection: list each holder once',
      ],
    ],
    [
      'group fields of the wrong type, and a canary field it does not know',
      {
        connection: FIRST,
        variableGroups: [{ credentialParameter: 5, accessKeyIdVariable: 5 }],
        canary: { pipelineId: 1, definitionId: 1 },
      },
      [
        'targets[0].variableGroups[0].credentialParameter is a number, not a string: the SSM SecureString parameter ' +
          'holding the Azure DevOps credential',
        'targets[0].variableGroups[0].groupName is missing: the variable group name, as shown in Pipelines > Library',
        'targets[0].variableGroups[0].accessKeyIdVariable is a number, not a string: a variable name (letters, ' +
          'digits, "_", ".", "-")',
        'targets[0].canary.definitionId is not a known field: expected only organizationUrl, project, pipelineId, ' +
          'branch, credentialParameter, federatedCredential',
      ],
    ],
    [
      'a canary that is not an object',
      { connection: FIRST, canary: 42 },
      [
        'targets[0].canary is a number, not an object: give { pipelineId, branch?, project?, organizationUrl?, ' +
          'credentialParameter? or federatedCredential? }',
      ],
    ],
    [
      'a canary pipeline id out of range and a branch that is not a string',
      { connection: FIRST, canary: { pipelineId: 2_147_483_648, branch: 5 } },
      [
        "targets[0].canary.pipelineId is 2147483648: it must be between 1 and 2147483647 (the canary pipeline's id " +
          '(the number in its URL: _build?definitionId=N))',
        'targets[0].canary.branch is a number, not a string: the branch to run, e.g. refs/heads/main',
      ],
    ],
    [
      'a canary branch with a space',
      { connection: FIRST, canary: { pipelineId: 1, branch: 'refs/heads/my branch' } },
      ['targets[0].canary.branch is "refs/heads/my branch": give a full ref such as refs/heads/main'],
    ],
  ])('refuses %s with exactly its problems', (_label, target, expected) => {
    // Act
    const list = problemList(target);

    // Assess
    expect(list).toEqual(expected);
  });

  it('takes one connections entry beside otherConnections, a stored credential beside a federated one', () => {
    // Act
    const target = parsedTarget({
      connections: [{ ...FIRST, credentialParameter: undefined, federatedCredential: FEDERATED }],
      otherConnections: [{ connectionName: 'b', credentialParameter: '/ado-key-rotator/ado/other' }],
    });

    // Assess
    expect(target?.otherConnections).toStrictEqual([
      {
        organizationUrl: FIRST.organizationUrl,
        project: 'payments',
        connectionName: 'b',
        credentialParameter: '/ado-key-rotator/ado/other',
      },
    ]);
  });

  it('compares holder names as Azure DevOps does, ignoring case letter by letter ("ß" is not "SS")', () => {
    // Act
    const target = parsedTarget({
      connections: [FIRST, { project: 'Straße' }, { project: 'STRASSE' }].map((c) => ({ ...FIRST, ...c })),
      variableGroups: [{ groupName: 'Maß' }, { groupName: 'MASS' }],
    });

    // Assess
    expect(target?.otherConnections?.map((c) => c.project)).toEqual(['Straße', 'STRASSE']);
    expect(target?.variableGroups?.map((g) => g.groupName)).toEqual(['Maß', 'MASS']);
  });

  it('tells a variable group from a connection of the same name, and leaves out a canary branch not given', () => {
    // Act
    const target = parsedTarget({
      connection: FIRST,
      variableGroups: [{ groupName: 'aws-prod' }],
      canary: { pipelineId: 1, project: 'platform' },
    });

    // Assess
    expect(target?.variableGroups).toHaveLength(1);
    expect(target?.canary).toEqual({
      organizationUrl: FIRST.organizationUrl,
      project: 'platform',
      credentialParameter: FIRST.credentialParameter,
      pipelineId: 1,
    });
  });
});

describe('Function: parseHolders (what a caller holds beside the problems)', () => {
  // Prepare: the target's own rules stand in as simple parsers, each recording a problem when it refuses.
  const setup = () => {
    const list = new Problems();
    const parsers: HolderParsers = {
      connection: (value, at) => {
        const ok = typeof value === 'object' && value !== null && 'connectionName' in value;
        if (!ok) list.add(at, 'is refused');
        return ok ? (value as ConnectionRef) : undefined;
      },
      organizationUrl: (value, at) => {
        if (value.startsWith('https://')) return value;
        list.add(at, 'is refused');
        return undefined;
      },
      credentialParameter: (name, at) => {
        if (name.startsWith('/')) return name;
        list.add(at, 'is refused');
        return undefined;
      },
    };
    return { list, parsers };
  };

  it('leaves out every holder that has a problem, keeping the good ones in order', () => {
    // Prepare
    const { list, parsers } = setup();
    const target = {
      connections: [FIRST, { connectionName: 'b' }, 'not-a-connection'],
      variableGroups: [
        { groupName: 'ok' },
        { groupName: 'bad-variable', accessKeyIdVariable: 'A B' },
        { groupName: 'bad-secret-variable', secretAccessKeyVariable: 'A B' },
        { groupName: 'same', accessKeyIdVariable: 'K', secretAccessKeyVariable: 'k' },
        {},
        { groupName: 'bad-url', organizationUrl: 'http://x' },
        { groupName: 'bad-project', project: 5 },
        { groupName: 'bad-parameter', credentialParameter: 'pat' },
        { groupName: 'bad-federated', federatedCredential: { tenantId: TENANT } },
        { groupName: 'federated-bad-url', organizationUrl: 'http://x', federatedCredential: FEDERATED },
        { groupName: 'federated-bad-project', project: '', federatedCredential: FEDERATED },
      ],
      canary: { pipelineId: 1, branch: 'main' },
    };

    // Act
    const holders = parseHolders(target, 'targets[0]', list, FIRST, parsers);

    // Assess
    expect(holders.otherConnections.map((c) => c.connectionName)).toEqual(['b']);
    expect(holders.variableGroups.map((g) => g.groupName)).toEqual(['ok']);
    expect(holders).not.toHaveProperty('canary');
    expect(list.list.map((p) => p.path)).toEqual([
      'targets[0].connections[2]',
      'targets[0].variableGroups[1].accessKeyIdVariable',
      'targets[0].variableGroups[2].secretAccessKeyVariable',
      'targets[0].variableGroups[3].secretAccessKeyVariable',
      'targets[0].variableGroups[4].groupName',
      'targets[0].variableGroups[5].organizationUrl',
      'targets[0].variableGroups[6].project',
      'targets[0].variableGroups[7].credentialParameter',
      'targets[0].variableGroups[8].federatedCredential.clientId',
      'targets[0].variableGroups[9].organizationUrl',
      'targets[0].variableGroups[10].project',
      'targets[0].canary.branch',
    ]);
  });

  it.each([
    ['no pipeline id', {}],
    ['a pipeline id of 0', { pipelineId: 0 }],
    ['a broken organization', { pipelineId: 1, organizationUrl: 'http://x' }],
  ])('holds no canary for %s', (_label, canary) => {
    // Prepare
    const { list, parsers } = setup();

    // Act
    const holders = parseHolders({ canary }, 'targets[0]', list, FIRST, parsers);

    // Assess
    expect(holders).toEqual({ otherConnections: [], variableGroups: [] });
    expect(list.list).toHaveLength(1);
  });
});
