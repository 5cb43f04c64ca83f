import { parseExpiryDate } from '../domain/credential-expiry.js';
import type { FederatedCredentialRef } from '../domain/model.js';

export { parseExpiryDate };

/**
 * The credential half of a target's `connection` in the configuration: which of the three kinds
 * reaches Azure DevOps, and when a stored credential expires.
 *
 * - `credentialParameter`: an SSM SecureString holding a PAT or an Entra service principal's JSON
 *   (with a client secret); `credentialExpiresOn` may record when that secret stops working.
 * - `federatedCredential: { tenantId, clientId }`: an Entra app registration that trusts the
 *   Lambdas' IAM roles through workload identity federation. Ids only: there is no secret to store,
 *   to leak or to renew, so an expiry date makes no sense there and is refused.
 *
 * Exactly one of the two kinds. Kept apart from parse-rotation-config.ts so the rules of the credential are read in one
 * place.
 */

/** Where the problems of one configuration are collected (`Problems`). */
export interface ProblemSink {
  add(path: string, message: string): void;
}

export const CREDENTIAL_FIELDS = ['credentialParameter', 'federatedCredential', 'credentialExpiresOn'] as const;
const FEDERATED_FIELDS = ['tenantId', 'clientId'];

// Entra tenant ids are GUIDs; a verified domain (contoso.onmicrosoft.com) names a tenant too.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN =
  /^(?=.{4,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

const FEDERATED_HINT = 'give { "tenantId": "<Entra tenant id>", "clientId": "<app registration client id>" }';

function parseFederated(value: unknown, path: string, problems: ProblemSink): FederatedCredentialRef | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(path, `is not an object: ${FEDERATED_HINT}`);
    return undefined;
  }
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FEDERATED_FIELDS.includes(key)) {
      // A client secret here is the mistake this field exists to avoid: say so without quoting it.
      const why = /secret|password|token|key/i.test(key)
        ? 'a federated credential has no secret: remove it (and revoke it if it was real)'
        : `expected only ${FEDERATED_FIELDS.join(', ')}`;
      problems.add(`${path}.${key}`, `is not a known field: ${why}`);
    }
  }
  const { tenantId, clientId } = fields;
  let ok = true;
  if (typeof tenantId !== 'string' || !(GUID.test(tenantId) || TENANT_DOMAIN.test(tenantId))) {
    problems.add(
      `${path}.tenantId`,
      `is ${tenantId === undefined ? 'missing' : 'not a tenant id'}: use the Entra tenant (directory) id, a ` +
        `GUID, or its verified domain`,
    );
    ok = false;
  }
  if (typeof clientId !== 'string' || !GUID.test(clientId)) {
    problems.add(
      `${path}.clientId`,
      `is ${clientId === undefined ? 'missing' : 'not a client id'}: use the app registration's application ` +
        `(client) id, a GUID`,
    );
    ok = false;
  }
  return ok ? { tenantId: tenantId as string, clientId: clientId as string } : undefined;
}

export interface ParsedCredential {
  /** Whether the caller must parse and require `credentialParameter` (the stored kinds). */
  needsParameter: boolean;
  federatedCredential?: FederatedCredentialRef;
  credentialExpiresOn?: string;
  /** False when a problem was recorded. */
  ok: boolean;
}

/** Reads `federatedCredential` and `credentialExpiresOn` of one `connection`, and which kind it uses. */
export function parseConnectionCredential(
  connection: Record<string, unknown>,
  path: string,
  problems: ProblemSink,
): ParsedCredential {
  const hasParameter = connection.credentialParameter !== undefined;
  const hasFederated = connection.federatedCredential !== undefined;
  const hasExpiry = connection.credentialExpiresOn !== undefined;
  if (hasParameter && hasFederated) {
    problems.add(
      path,
      'has both credentialParameter and federatedCredential: keep federatedCredential (no stored secret) or ' +
        'credentialParameter (a PAT or client secret in SSM), not both',
    );
    return { needsParameter: false, ok: false };
  }
  if (!hasFederated) {
    if (!hasExpiry) return { needsParameter: true, ok: true };
    const raw = connection.credentialExpiresOn;
    if (typeof raw !== 'string' || parseExpiryDate(raw) === undefined) {
      problems.add(
        `${path}.credentialExpiresOn`,
        'is not a date: give the day the PAT or client secret expires as "YYYY-MM-DD" (UTC), as Azure DevOps ' +
          'or Entra shows it',
      );
      return { needsParameter: true, ok: false };
    }
    return { needsParameter: true, credentialExpiresOn: raw, ok: true };
  }
  const federatedCredential = parseFederated(connection.federatedCredential, `${path}.federatedCredential`, problems);
  if (hasExpiry) {
    problems.add(
      `${path}.credentialExpiresOn`,
      'is set for a federated credential, which has no secret and does not expire: remove it',
    );
    return { needsParameter: false, ok: false };
  }
  return federatedCredential
    ? { needsParameter: false, federatedCredential, ok: true }
    : { needsParameter: false, ok: false };
}
