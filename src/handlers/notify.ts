import { getContainer } from '../composition-root.js';
import { parseNotifyInput } from '../domain/report.js';
import type { NotifyRun } from '../domain/use-cases/index.js';
import type { ClockPort } from '../ports/clock.port.js';
import { TOKENS } from '../ports/tokens.js';
import { withMiddleware } from './shared/step-handler.js';
import { metricsWiring, slackWiring } from '../wiring/reporting.wiring.js';

/** Last step: one Slack summary for the whole run. Never fails the run (a Slack failure is counted). */
export const handler = withMiddleware('notify', async (event: unknown) => {
  const container = getContainer([slackWiring, metricsWiring]);
  const summary = parseNotifyInput(event, container.get<ClockPort>(TOKENS.Clock).now());
  return container.get<NotifyRun>(TOKENS.NotifyRun).execute(summary);
});
