import { DEFAULT_RESOURCE_PREFIXES, type ResourcePrefixes } from '../domain/config.js';
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

/**
 * The prefixes a configuration is held to: the ones it names, each missing one from `DEFAULT_RESOURCE_PREFIXES`.
 * The one rule for the CLI, local runs and `cdk synth`: no configuration names a resource outside them, so one
 * edit cannot point the rotator at an arbitrary secret or SecureString (a database password).
 */
export function effectivePrefixes(named: ResourcePrefixes | undefined): Required<ResourcePrefixes> {
  return {
    secrets: named?.secrets ?? DEFAULT_RESOURCE_PREFIXES.secrets,
    parameters: named?.parameters ?? DEFAULT_RESOURCE_PREFIXES.parameters,
  };
}

/** What to do about a name outside its prefix: move the resource, or name the prefix it is under. */
function outside(kind: 'secrets' | 'parameters', prefix: string, reads: string): string {
  return (
    `is not under resourcePrefixes.${kind} ("${prefix}"): the rotator may ${reads} only there; move it under ` +
    `"${prefix}", or set resourcePrefixes.${kind} to the prefix it is under`
  );
}

/**
 * A secret (name or ARN) the configuration names, held to its prefix; `undefined` when outside. The name is not
 * quoted in the problem: a value in the wrong field may be a secret pasted by mistake.
 */
export function secretUnder(
  prefixes: Required<ResourcePrefixes>,
  secretId: string,
  path: string,
  problems: Problems,
): string | undefined {
  if (secretName(secretId).startsWith(prefixes.secrets)) return secretId;
  problems.add(path, outside('secrets', prefixes.secrets, 'touch secrets'));
  return undefined;
}

/** An SSM parameter name the configuration gives, held to its prefix; `undefined` when outside (not quoted). */
export function parameterUnder(
  prefixes: Required<ResourcePrefixes>,
  name: string,
  path: string,
  problems: Problems,
): string | undefined {
  if (name.startsWith(prefixes.parameters)) return name;
  problems.add(path, outside('parameters', prefixes.parameters, 'read SSM parameters'));
  return undefined;
}
