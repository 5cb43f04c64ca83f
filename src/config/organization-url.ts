/**
 * The organization-URL rules, once: the configuration check and the Azure DevOps adapter (which
 * also takes URLs from the CLI and the demo) both apply them.
 *
 * The value is never quoted in a problem: a PAT pasted into the field by mistake would otherwise
 * end up in a build log. A problem says what is wrong and what to do.
 */

export const ORG_URL_HINT = 'use https://dev.azure.com/{org} or https://host/tfs/{collection}';

/** Hosts that never leave this machine: the only ones plain http is allowed to (stand-ins in tests and the demo). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** Azure DevOps Services hosts: the only ones a configuration may name without listing them. */
export function isAzureDevOpsServicesHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'dev.azure.com' || /^[a-z0-9][a-z0-9-]{0,62}\.visualstudio\.com$/.test(host);
}

export type OrganizationUrlCheck = { ok: true; url: string } | { ok: false; problem: string };

export interface OrganizationUrlRules {
  /**
   * Hosts the URL may name. `undefined`: any https host (the adapter, for URLs from the CLI and
   * the demo). A configuration passes dev.azure.com, *.visualstudio.com and its
   * `azureDevOpsServerHosts`, so it cannot send the credential anywhere else.
   */
  serverHosts?: readonly string[];
  /** Plain http to this machine (a stand-in). Default true for the adapter; a configuration must opt in. */
  allowLoopbackHttp?: boolean;
}

/**
 * `https://dev.azure.com/{org}` (or `https://{org}.visualstudio.com`) or an Azure DevOps Server
 * collection URL, returned without a trailing slash; or the problem, phrased to follow the field's
 * name ("is ...: ...").
 */
export function checkOrganizationUrl(value: string, rules: OrganizationUrlRules = {}): OrganizationUrlCheck {
  const problem = (text: string): OrganizationUrlCheck => ({ ok: false, problem: text });
  const allowLoopbackHttp = rules.allowLoopbackHttp ?? true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem(`is not a URL: ${ORG_URL_HINT}`);
  }
  if (url.username || url.password) {
    return problem(
      `must not carry a user name or password: the credential belongs in the SSM parameter named by ` +
        `credentialParameter; ${ORG_URL_HINT}`,
    );
  }
  const loopback = isLoopbackHost(url.hostname);
  // Plain http only for a stand-in on this machine (the local demo and tests), never over a network.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && allowLoopbackHttp)) {
    const local =
      url.protocol === 'http:' && loopback
        ? ' (plain http to this machine only with allowLoopbackHttp, for local runs)'
        : '';
    return problem(`must use https (the rotator sends a credential to it)${local}; ${ORG_URL_HINT}`);
  }
  if (url.search || url.hash) return problem(`has a query or fragment: ${ORG_URL_HINT}`);
  const host = url.hostname.toLowerCase();
  const allowed =
    rules.serverHosts === undefined ||
    isAzureDevOpsServicesHost(host) ||
    (loopback && allowLoopbackHttp) ||
    rules.serverHosts.some((h) => h.toLowerCase() === host);
  if (!allowed) {
    return problem(
      'names a host that is neither dev.azure.com, {org}.visualstudio.com nor one of azureDevOpsServerHosts: ' +
        'the rotator sends a credential only to Azure DevOps; list an Azure DevOps Server host in ' +
        'azureDevOpsServerHosts',
    );
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (host === 'dev.azure.com' && segments.length !== 1) {
    return problem(
      `names ${segments.length} path segments: a dev.azure.com URL names exactly one organization; ${ORG_URL_HINT}`,
    );
  }
  // (dev.azure.com, with its one segment, is past the check above.)
  if (!host.endsWith('.visualstudio.com') && segments.length === 0) {
    return problem(`has no path: an Azure DevOps Server URL names its collection; ${ORG_URL_HINT}`);
  }
  return { ok: true, url: `${url.origin}${url.pathname}`.replace(/\/+$/, '') };
}
