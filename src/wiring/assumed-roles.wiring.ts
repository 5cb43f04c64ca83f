import { AssumedRoleCredentials } from '../adapters/aws/assumed-role-credentials.js';
import { createStsRoleClient, STS_ROLE_CLIENT } from '../adapters/aws/sts-web-identity-token.adapter.js';
import { ADAPTER_TOKENS } from './tokens.js';
import { bindOnce, type Wiring } from './wiring.js';

/**
 * The roles targets in other AWS accounts are reached through: one credential cache per process, shared by the
 * IAM and Secrets Manager slices, asking STS with the function's own role (the CLI: the operator's identity).
 */
export const assumedRolesWiring: Wiring = (c) => {
  bindOnce(c, STS_ROLE_CLIENT, () => c.bind(STS_ROLE_CLIENT).toDynamicValue(() => createStsRoleClient()));
  bindOnce(c, ADAPTER_TOKENS.AssumedRoles, () =>
    c.bind(ADAPTER_TOKENS.AssumedRoles).toDynamicValue((ctx) => new AssumedRoleCredentials(ctx.get(STS_ROLE_CLIENT))),
  );
};
