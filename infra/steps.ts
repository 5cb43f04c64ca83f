/** The Lambdas of the state machine come from the step catalog (src/domain/lifecycle/catalog.ts). */
export { LAMBDA_STEPS, type LambdaStep } from '../src/domain/lifecycle/catalog.js';
