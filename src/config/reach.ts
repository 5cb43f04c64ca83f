import type { ResourcePrefixes, RotationConfig } from '../domain/config.js';
import { isObject, type Problems, show, typeOf } from './problems.js';

/**
 * Where a configuration lets the rotator reach: the hosts it may send a credential to, whether
 * plain http to this machine is allowed (local runs only), and the prefixes every secret and SSM
 * parameter it names must be under. One edit of the file must not turn the rotator into a
 * credential router: these lists are short, explicit, and checked against every target.
 */

// A DNS host name: labels of letters, digits and "-", separated by dots. No scheme, port or path.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const SECRET_PREFIX = /^[A-Za-z0-9/_+=.@-]{1,256}$/;
const PARAMETER_PREFIX = /^\/[A-Za-z0-9_.\-/]{0,500}$/;

/** A list of host names (lower-cased); `undefined` when absent. */
export function hostList(value: unknown, path: string, problems: Problems): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.add(path, `is ${typeOf(value)}, not a list: give host names, e.g. ["tfs.contoso.internal"]`);
    return undefined;
  }
  const hosts: string[] = [];
  for (const [i, item] of value.entries()) {
    const host = typeof item === 'string' ? item.trim().toLowerCase() : '';
    if (!HOST_NAME.test(host)) {
      problems.add(
        `${path}[${i}]`,
        'is not a host name: give the name alone, without scheme, port or path (e.g. "tfs.contoso.internal")',
      );
      continue;
    }
    hosts.push(host);
  }
  return hosts;
}

export function loopbackFlag(value: unknown, problems: Problems): boolean {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  problems.add(
    'allowLoopbackHttp',
    `is ${show(value)}, not true or false: set it only for local runs against stand-ins`,
  );
  return false;
}

export function parsePrefixes(value: unknown, problems: Problems): ResourcePrefixes | undefined {
  if (value === undefined) return undefined;
  const shape = '{ "secrets": "ado-key-rotator/", "parameters": "/ado-key-rotator/" }';
  if (!isObject(value)) {
    problems.add('resourcePrefixes', `is ${typeOf(value)}, not an object: give ${shape}`);
    return undefined;
  }
  const prefixes: ResourcePrefixes = {};
  for (const key of Object.keys(value)) {
    if (key !== 'secrets' && key !== 'parameters')
      problems.add(`resourcePrefixes.${key}`, 'is not a known field: expected only secrets, parameters');
  }
  if (value.secrets !== undefined) {
    if (typeof value.secrets === 'string' && SECRET_PREFIX.test(value.secrets)) prefixes.secrets = value.secrets;
    else
      problems.add(
        'resourcePrefixes.secrets',
        'is not a secret name prefix: use letters, digits or /_+=.@- (e.g. "ado-key-rotator/")',
      );
  }
  if (value.parameters !== undefined) {
    if (typeof value.parameters === 'string' && PARAMETER_PREFIX.test(value.parameters))
      prefixes.parameters = value.parameters;
    else
      problems.add(
        'resourcePrefixes.parameters',
        'is not an SSM parameter name prefix: start with "/" (e.g. "/ado-key-rotator/")',
      );
  }
  return prefixes;
}

/** The secret's name: the configured name, or the name part of its ARN. */
const secretName = (secretId: string): string =>
  secretId.startsWith('arn:') ? (secretId.split(':secret:')[1] ?? '') : secretId;

/** Every configured secret and parameter must be under its prefix (the values are not quoted: they may be mistakes). */
export function checkPrefixes(config: RotationConfig, prefixes: ResourcePrefixes, problems: Problems): void {
  for (const [i, target] of config.targets.entries()) {
    if (prefixes.secrets !== undefined && !secretName(target.secretId).startsWith(prefixes.secrets)) {
      problems.add(
        `targets[${i}].secretId`,
        `is not under resourcePrefixes.secrets ("${prefixes.secrets}"): the rotator may touch only secrets there`,
      );
    }
    const parameter = target.connection.credentialParameter;
    if (prefixes.parameters !== undefined && parameter !== undefined && !parameter.startsWith(prefixes.parameters)) {
      problems.add(
        `targets[${i}].connection.credentialParameter`,
        `is not under resourcePrefixes.parameters ("${prefixes.parameters}"): the rotator may read only SSM ` +
          `parameters there`,
      );
    }
  }
  if (
    prefixes.parameters !== undefined &&
    config.slackWebhookParameter &&
    !config.slackWebhookParameter.startsWith(prefixes.parameters)
  ) {
    problems.add(
      'slackWebhookParameter',
      `is not under resourcePrefixes.parameters ("${prefixes.parameters}"): the rotator may read only SSM ` +
        `parameters there`,
    );
  }
}
