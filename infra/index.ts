/**
 * The npm package's library entry (`import { AdoKeyRotator } from 'ado-key-rotator'`): the construct,
 * the stack this repository deploys, and the configuration loader they take. Compiled to
 * dist/lib by `npm run build` (tsc -p tsconfig.build.json), with type declarations.
 *
 *   const app = new App();
 *   new AdoKeyRotator(new Stack(app, 'KeyRotation'), 'Rotator', loadRotationConfigFile('rotation.config.json'));
 *   app.synth();
 */
export { loadRotationConfigFile } from '../src/adapters/config/config-targets.adapter.js';
export { parseRotationConfig } from '../src/config/parse-rotation-config.js';
export type { RotationConfig, ScheduleConfig } from '../src/domain/config.js';
export { ConfigurationError } from '../src/domain/errors.js';
export { AdoKeyRotator, type AdoKeyRotatorOverrides, type AdoKeyRotatorProps } from './key-rotator.js';
export { AdoKeyRotatorMemberRoles, type AdoKeyRotatorMemberRolesProps } from './member-account.js';
export { LAMBDA_STEPS, type LambdaStep } from './steps.js';
