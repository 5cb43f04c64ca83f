/**
 * The OIDC trust a keyless AWS Toolkit connection relies on: which issuer, audience and subject
 * its token carries, and the IAM role trust policy that accepts exactly that token. Pure.
 *
 * Today the toolkit (1.15+) asks Azure DevOps for a token whose issuer is
 * `https://vstoken.dev.azure.com/{organizationId}`, audience `api://AzureADTokenExchange` and
 * subject `sc://{organization}/{project}/{connection}` (seen in the toolkit's own logs, issue #614).
 * Microsoft deprecated that issuer on 2026-07-01 and retires it on 2027-07-01 (toolkit issues #614,
 * #616): both formats are therefore settings, with placeholders, not constants.
 */

/** The issuer Microsoft is retiring (deprecated 2026-07-01, retired 2027-07-01). */
export const RETIRING_ISSUER_HOST = 'vstoken.dev.azure.com';
export const DEFAULT_ISSUER_TEMPLATE = 'https://vstoken.dev.azure.com/{organizationId}';
export const DEFAULT_SUBJECT_TEMPLATE = 'sc://{organization}/{project}/{connection}';
export const DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * The replacement Microsoft documents for its own (Azure Resource Manager) workload-identity
 * connections: the Entra ID issuer. The AWS Toolkit does not request tokens with it yet; when it
 * does, pass these with `--oidc-issuer` / `--oidc-subject` (placeholders filled the same way).
 */
export const ENTRA_ISSUER_TEMPLATE = 'https://login.microsoftonline.com/{tenantId}/v2.0';

export interface OidcSettings {
  issuerTemplate: string;
  subjectTemplate: string;
  audience: string;
}

export const DEFAULT_OIDC_SETTINGS: OidcSettings = {
  issuerTemplate: DEFAULT_ISSUER_TEMPLATE,
  subjectTemplate: DEFAULT_SUBJECT_TEMPLATE,
  audience: DEFAULT_AUDIENCE,
};

export interface OidcValues {
  organizationId: string;
  /** The organization's name, as in `https://dev.azure.com/{organization}`. */
  organization: string;
  project: string;
  connection: string;
  connectionId: string;
  /** Only for templates that name it (the Entra issuer). */
  tenantId?: string;
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Fills `{placeholders}`; an unknown or missing one is an error naming it (a typo must not reach a trust policy). */
export function fill(template: string, values: OidcValues): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = (values as unknown as Record<string, string | undefined>)[name];
    if (value === undefined || value === '') {
      throw new Error(
        `the OIDC template "${template}" names {${name}}, which has no value here (known: organizationId, ` +
          `organization, project, connection, connectionId, tenantId)`,
      );
    }
    return value;
  });
}

/** The organization name out of `https://dev.azure.com/{org}` or `https://{org}.visualstudio.com`. */
export function organizationName(organizationUrl: string): string {
  const url = new URL(organizationUrl);
  // The URL parser lower-cases a host already.
  const host = url.hostname;
  if (host.endsWith('.visualstudio.com')) return host.slice(0, -'.visualstudio.com'.length);
  const first = url.pathname.split('/').filter(Boolean)[0];
  return first ? decodeURIComponent(first) : host;
}

/** The issuer without `https://` and trailing slashes: IAM's provider URL and the prefix of its condition keys. */
export const issuerHost = (issuer: string): string => issuer.replace(/^https:\/\//i, '').replace(/\/+$/, '');

/** True when a token from this issuer stops working when Microsoft retires vstoken.dev.azure.com. */
export const usesRetiringIssuer = (issuer: string): boolean =>
  issuerHost(issuer).toLowerCase().startsWith(RETIRING_ISSUER_HOST);

/**
 * The role's trust policy: `sts:AssumeRoleWithWebIdentity` from this provider only, for exactly
 * this audience and subject (StringEquals, no wildcard: one connection, one role).
 */
export function trustPolicy(providerArn: string, issuer: string, audience: string, subject: string): string {
  const host = issuerHost(issuer);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AzureDevOpsServiceConnection',
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${host}:aud`]: audience, [`${host}:sub`]: subject } },
      },
    ],
  });
}

/** An IAM role name for a target: `ado-oidc-{target}`, at most 64 characters of IAM's allowed set. */
export function roleNameFor(targetName: string): string {
  return `ado-oidc-${targetName}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
