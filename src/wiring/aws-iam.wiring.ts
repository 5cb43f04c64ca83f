import { AccountRoutedIamAccessKeys } from '../adapters/aws/account-routing.js';
import { createIamClient } from '../adapters/aws/clients.js';
import { TOKENS } from '../ports/tokens.js';
import { assumedRolesWiring } from './assumed-roles.wiring.js';
import type { Wiring } from './wiring.js';
import { ADAPTER_TOKENS } from './tokens.js';

/** IAM access keys through the IAM client, or, for a user in another account, through the role assumed there. */
export const iamWiring: Wiring = (c) => {
  assumedRolesWiring(c);
  c.bind(ADAPTER_TOKENS.IamClient).toDynamicValue(() => createIamClient());
  c.bind(TOKENS.IamAccessKeys).to(AccountRoutedIamAccessKeys);
};
