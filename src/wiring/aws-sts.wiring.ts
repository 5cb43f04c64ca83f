import { createStsClientFactory } from '../adapters/aws/clients.js';
import { StsKeyVerifierAdapter } from '../adapters/aws/sts-key-verifier.adapter.js';
import { TOKENS } from '../ports/tokens.js';
import type { Wiring } from './wiring.js';
import { ADAPTER_TOKENS } from './tokens.js';

/** Key verification: STS with the new key's own credentials. */
export const stsWiring: Wiring = (c) => {
  c.bind(ADAPTER_TOKENS.StsClientFactory).toConstantValue(createStsClientFactory());
  c.bind(TOKENS.KeyVerifier).to(StsKeyVerifierAdapter);
};
