import { show } from './problems.js';

/**
 * The organization-URL rules, once: the configuration check and the Azure DevOps adapter (which
 * also takes URLs from the CLI and the demo) both apply them.
 */

export const ORG_URL_HINT = 'use https://dev.azure.com/{org} or https://host/tfs/{collection}';

/** Hosts that never leave this machine: the only ones plain http is allowed to (stand-ins in tests and the demo). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

export type OrganizationUrlCheck = { ok: true; url: string } | { ok: false; problem: string };

/**
 * `https://dev.azure.com/{org}` (or `https://{org}.visualstudio.com`) or an Azure DevOps Server
 * collection URL, returned without a trailing slash; or the problem, phrased to follow the field's
 * name ("is ...: ..."). A user name or password in the URL is never quoted: it could be the PAT.
 */
export function checkOrganizationUrl(value: string): OrganizationUrlCheck {
  const problem = (text: string): OrganizationUrlCheck => ({ ok: false, problem: text });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem(`is ${show(value)}, not a URL: ${ORG_URL_HINT}`);
  }
  // Plain http only for a stand-in on this machine (the local demo and tests), never over a network.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    const shown = show(`${url.protocol}//${url.host}${url.pathname}`);
    return problem(`is ${shown}: it must use https (the rotator sends a credential to it); ${ORG_URL_HINT}`);
  }
  if (url.username || url.password) {
    return problem(
      `must not carry a user name or password: the credential belongs in the SSM parameter named by credentialParameter; ${ORG_URL_HINT}`,
    );
  }
  if (url.search || url.hash) return problem(`is ${show(`${url.origin}${url.pathname}`)} with a query or fragment: ${ORG_URL_HINT}`);
  const host = url.hostname.toLowerCase();
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (host === 'dev.azure.com' && segments.length !== 1) {
    return problem(`is ${show(value)}: a dev.azure.com URL names exactly one organization; ${ORG_URL_HINT}`);
  }
  if (host !== 'dev.azure.com' && !host.endsWith('.visualstudio.com') && segments.length === 0) {
    return problem(`is ${show(value)}: an Azure DevOps Server URL names its collection; ${ORG_URL_HINT}`);
  }
  return { ok: true, url: `${url.origin}${url.pathname}`.replace(/\/+$/, '') };
}
