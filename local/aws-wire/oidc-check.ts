import type { OidcCheck } from '../ado-stand-in/index.js';
import type { IamWire } from './iam-wire.js';

/**
 * `sts:AssumeRoleWithWebIdentity` as IAM decides it, over the IAM wire stub's state: the role
 * exists; its trust policy allows the action for a `Federated` principal that is an identity
 * provider of the account whose URL is the token's issuer and whose client ids include the
 * token's audience; and every `StringEquals` condition on `{issuer}:aud` / `{issuer}:sub` matches.
 * A `Condition` operator other than StringEquals is refused (not evaluated leniently).
 */
export function wireOidcCheck(wire: IamWire): OidcCheck {
  return (roleArn, claims) => {
    const role = wire.identity.roles.get(roleArn.split('/').pop() ?? '');
    if (!role || role.arn !== roleArn) return false;
    const host = claims.issuer.replace(/^https:\/\//, '');
    const provider = wire.identity.providers.get(host);
    if (!provider?.clientIds.includes(claims.audience)) return false;
    const policy = JSON.parse(role.trust) as {
      Statement: Array<{
        Effect: string;
        Action: string | string[];
        Principal?: { Federated?: string };
        Condition?: Record<string, Record<string, string>>;
      }>;
    };
    return policy.Statement.some((st) => {
      const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
      if (st.Effect !== 'Allow' || !actions.includes('sts:AssumeRoleWithWebIdentity')) return false;
      if (st.Principal?.Federated !== `arn:aws:iam::${roleArn.split(':')[4]}:oidc-provider/${host}`) return false;
      for (const operator of Object.keys(st.Condition ?? {})) {
        if (operator !== 'StringEquals')
          throw new Error(`wireOidcCheck: condition operator ${operator} is not evaluated here`);
      }
      const equals = st.Condition?.StringEquals ?? {};
      const claimOf: Record<string, string> = { [`${host}:aud`]: claims.audience, [`${host}:sub`]: claims.subject };
      return Object.entries(equals).every(([key, value]) => claimOf[key] === value);
    });
  };
}
