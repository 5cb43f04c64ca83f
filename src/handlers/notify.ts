import { getContainer } from '../composition-root.js';
import { STEP_CATALOG } from '../domain/lifecycle/catalog.js';
import { parseNotifyInput } from '../domain/report.js';
import type { NotifyRun } from '../domain/use-cases/index.js';
import type { ClockPort } from '../ports/clock.port.js';
import { TOKENS } from '../ports/tokens.js';
import { withMiddleware } from './shared/step-handler.js';
import { metricsWiring, slackWiring } from '../wiring/reporting.wiring.js';

const wiring = [slackWiring, metricsWiring];

/** Last step: one Slack summary for the whole run. Never fails the run (a Slack failure is counted). */
export const handler = Object.assign(
  withMiddleware('notify', async (event: unknown) => {
    const container = getContainer(wiring);
    const summary = parseNotifyInput(event, container.get<ClockPort>(TOKENS.Clock).now());
    return container.get<NotifyRun>(STEP_CATALOG.notify.useCase).execute(summary);
  }),
  { step: 'notify' as const, wiring },
);
