/**
 * Where a configuration lets the rotator reach (src/config/reach.ts): host lists, the loopback flag, the resource
 * prefixes and the one rule that holds every secret and SSM parameter to them.
 */
import { describe, expect, it } from 'vitest';
import {
  effectivePrefixes,
  hostList,
  loopbackFlag,
  parameterUnder,
  parsePrefixes,
  secretUnder,
} from '../../src/config/reach.js';
import { Problems } from '../../src/config/problems.js';

const messages = (problems: Problems) => problems.list.map((p) => p.message);
const NOT_A_HOST =
  'is not a host name: give the name alone, without scheme, port or path (e.g. "tfs.contoso.internal")';

describe('Function: hostList', () => {
  it('is undefined, with no problem, when the list is left out', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const hosts = hostList(undefined, 'azureDevOpsServerHosts', problems);

    // Assess
    expect(hosts).toBeUndefined();
    expect(problems.list).toEqual([]);
  });

  it('lower-cases and trims each host name, keeping their order', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const hosts = hostList(['  TFS.Contoso.Internal ', 'a-1.b'], 'azureDevOpsServerHosts', problems);

    // Assess
    expect(hosts).toEqual(['tfs.contoso.internal', 'a-1.b']);
    expect(problems.list).toEqual([]);
  });

  it('refuses each entry that is not a host name by its index, keeping the good ones', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const hosts = hostList(['ok.example', 42, 'https://x.example', 'x.example:443', ''], 'hosts', problems);

    // Assess
    expect(hosts).toEqual(['ok.example']);
    expect(messages(problems)).toEqual([
      `hosts[1] ${NOT_A_HOST}`,
      `hosts[2] ${NOT_A_HOST}`,
      `hosts[3] ${NOT_A_HOST}`,
      `hosts[4] ${NOT_A_HOST}`,
    ]);
  });

  it('refuses a value that is not a list, by its type, and gives no hosts', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const hosts = hostList({ host: 'x' }, 'slackWebhookHosts', problems);

    // Assess
    expect(hosts).toBeUndefined();
    expect(messages(problems)).toEqual([
      'slackWebhookHosts is an object, not a list: give host names, e.g. ["tfs.contoso.internal"]',
    ]);
    expect(problems.list[0]?.path).toBe('slackWebhookHosts');
  });
});

describe('Function: loopbackFlag', () => {
  it.each([
    [undefined, false],
    [false, false],
    [true, true],
  ])('takes %s as %s, with no problem', (value, expected) => {
    // Prepare
    const problems = new Problems();

    // Act
    const flag = loopbackFlag(value, problems);

    // Assess
    expect(flag).toBe(expected);
    expect(problems.list).toEqual([]);
  });

  it.each([
    ['true', '"true"'],
    [1, '1'],
    [null, 'null'],
  ])('refuses %s (not a boolean) and stays off', (value, shown) => {
    // Prepare
    const problems = new Problems();

    // Act
    const flag = loopbackFlag(value, problems);

    // Assess
    expect(flag).toBe(false);
    expect(messages(problems)).toEqual([
      `allowLoopbackHttp is ${shown}, not true or false: set it only for local runs against stand-ins`,
    ]);
  });
});

describe('Function: parsePrefixes', () => {
  const SHAPE = '{ "secrets": "ado-key-rotator/", "parameters": "/ado-key-rotator/" }';
  const BAD_SECRET = 'is not a secret name prefix: use letters, digits or /_+=.@- (e.g. "ado-key-rotator/")';
  const BAD_PARAMETER = 'is not an SSM parameter name prefix: start with "/" (e.g. "/ado-key-rotator/")';

  it('is undefined, with no problem, when the file names no prefixes', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const prefixes = parsePrefixes(undefined, problems);

    // Assess
    expect(prefixes).toBeUndefined();
    expect(problems.list).toEqual([]);
  });

  it('keeps the prefixes it is given, one or both', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const both = parsePrefixes({ secrets: 'ci/ado/', parameters: '/ci/ado/' }, problems);
    const secretsOnly = parsePrefixes({ secrets: 'ci/' }, problems);
    const parametersOnly = parsePrefixes({ parameters: '/' }, problems);
    const neither = parsePrefixes({}, problems);

    // Assess
    expect(both).toEqual({ secrets: 'ci/ado/', parameters: '/ci/ado/' });
    expect(secretsOnly).toEqual({ secrets: 'ci/' });
    expect(parametersOnly).toEqual({ parameters: '/' });
    expect(neither).toEqual({});
    expect(problems.list).toEqual([]);
  });

  it.each([
    [[], 'a list'],
    ['ado-key-rotator/', 'a string'],
    [null, 'null'],
  ])('refuses %j (not an object) by its type', (value, type) => {
    // Prepare
    const problems = new Problems();

    // Act
    const prefixes = parsePrefixes(value, problems);

    // Assess
    expect(prefixes).toBeUndefined();
    expect(messages(problems)).toEqual([`resourcePrefixes is ${type}, not an object: give ${SHAPE}`]);
  });

  it('refuses an unknown field and a prefix that breaks its rule, field by field, without quoting it', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const prefixes = parsePrefixes({ secret: 'x/', secrets: 'has space/', parameters: 'no-slash/' }, problems);

    // Assess
    expect(prefixes).toEqual({});
    expect(messages(problems)).toEqual([
      'resourcePrefixes.secret is not a known field: expected only secrets, parameters',
      `resourcePrefixes.secrets ${BAD_SECRET}`,
      `resourcePrefixes.parameters ${BAD_PARAMETER}`,
    ]);
    expect(problems.list.map((p) => p.path)).toEqual([
      'resourcePrefixes.secret',
      'resourcePrefixes.secrets',
      'resourcePrefixes.parameters',
    ]);
  });

  it('refuses prefixes that are not strings', () => {
    // Prepare
    const problems = new Problems();

    // Act
    const prefixes = parsePrefixes({ secrets: 1, parameters: ['/'] }, problems);

    // Assess
    expect(prefixes).toEqual({});
    expect(messages(problems)).toEqual([
      `resourcePrefixes.secrets ${BAD_SECRET}`,
      `resourcePrefixes.parameters ${BAD_PARAMETER}`,
    ]);
  });
});

describe('Function: effectivePrefixes', () => {
  it('gives the defaults when the file names none, and each missing key from the defaults', () => {
    expect(effectivePrefixes(undefined)).toEqual({ secrets: 'ado-key-rotator/', parameters: '/ado-key-rotator/' });
    expect(effectivePrefixes({})).toEqual({ secrets: 'ado-key-rotator/', parameters: '/ado-key-rotator/' });
    expect(effectivePrefixes({ secrets: 'ci/' })).toEqual({ secrets: 'ci/', parameters: '/ado-key-rotator/' });
    expect(effectivePrefixes({ parameters: '/ci/' })).toEqual({ secrets: 'ado-key-rotator/', parameters: '/ci/' });
  });
});

describe('Functions: secretUnder, parameterUnder', () => {
  const PREFIXES = { secrets: 'ci/ado/', parameters: '/ci/ado/' };

  it.each([
    ['ci/ado/payments', true],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/ado/payments-AbCdEf', true],
    ['ci/adopayments', false],
    ['prod/ci/ado/payments', false],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf', false],
    // An ARN that names no secret part has no name under any prefix.
    ['arn:aws:secretsmanager:eu-west-1:123456789012:ci/ado/x', false],
  ])('secret %s is under ci/ado/: %s', (secretId, under) => {
    // Prepare
    const problems = new Problems();

    // Act
    const kept = secretUnder(PREFIXES, secretId, 'targets[0].secretId', problems);

    // Assess
    expect(kept).toBe(under ? secretId : undefined);
    expect(messages(problems)).toEqual(
      under
        ? []
        : [
            'targets[0].secretId is not under resourcePrefixes.secrets ("ci/ado/"): the rotator may touch secrets ' +
              'only there; move it under "ci/ado/", or set resourcePrefixes.secrets to the prefix it is under',
          ],
    );
  });

  it.each([
    ['/ci/ado/pat', true],
    ['/ci/ado/', true],
    ['/ci/adopat', false],
    ['/prod/ci/ado/pat', false],
  ])('parameter %s is under /ci/ado/: %s', (name, under) => {
    // Prepare
    const problems = new Problems();

    // Act
    const kept = parameterUnder(PREFIXES, name, 'slackWebhookParameter', problems);

    // Assess
    expect(kept).toBe(under ? name : undefined);
    expect(messages(problems)).toEqual(
      under
        ? []
        : [
            'slackWebhookParameter is not under resourcePrefixes.parameters ("/ci/ado/"): the rotator may read SSM ' +
              'parameters only there; move it under "/ci/ado/", or set resourcePrefixes.parameters to the prefix ' +
              'it is under',
          ],
    );
  });
});
