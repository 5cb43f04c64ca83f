import { createIamClient } from '../adapters/aws/clients.js';
import { IamAccessKeysAdapter } from '../adapters/aws/iam-access-keys.adapter.js';
import { TOKENS } from '../ports/tokens.js';
import type { Wiring } from './wiring.js';
import { ADAPTER_TOKENS } from './tokens.js';

/** IAM access keys through the IAM client. */
export const iamWiring: Wiring = (c) => {
  c.bind(ADAPTER_TOKENS.IamClient).toDynamicValue(() => createIamClient());
  c.bind(TOKENS.IamAccessKeys).to(IamAccessKeysAdapter);
};
