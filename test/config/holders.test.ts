/**
 * The holders of a target in the configuration: several connections, variable groups, a canary (src/config/holders.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { ConfigurationError } from '../../src/domain/errors.js';

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
