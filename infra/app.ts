/**
 * CDK entry point (cdk.json: `npx tsx infra/app.ts`).
 *
 *   cdk synth                              rotation.config.json
 *   cdk synth -c config=path/to/file.json  another configuration
 *
 * A configuration error ends synth with the message naming the field, not a stack trace.
 */
import { ConfigurationError } from '../src/domain/errors.js';
import { createApp } from './stack.js';

try {
  createApp();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`\n✖ ${error.message}\n`);
  process.exit(1);
}
