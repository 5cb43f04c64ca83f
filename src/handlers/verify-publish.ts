import type { VerifyPublish } from '../domain/use-cases/index.js';
import { TOKENS } from '../ports/tokens.js';
import { stepHandler } from './shared/step-handler.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';

/** Step `verify-publish`: Reads the connection back: it must hold the new key id. */
export const handler = stepHandler('verify-publish', [azureDevOpsWiring], (c) => c.get<VerifyPublish>(TOKENS.VerifyPublish));
