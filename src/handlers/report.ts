import { stepHandler } from './shared/step-handler.js';
import { metricsWiring } from '../wiring/reporting.wiring.js';

/** Step `report`: turns the state a target's run ended in into its report and records its metrics. */
export const handler = stepHandler('report', [metricsWiring]);
