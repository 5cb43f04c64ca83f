import { getContainer } from '../../composition-root.js';
import { STEP_CATALOG } from '../../domain/lifecycle/catalog.js';
import { parseResultsLocation } from '../../domain/map-run-results.js';
import { parseNotifyInput } from '../../domain/report.js';
import type { NotifyRun } from '../../domain/use-cases/index.js';
import type { ClockPort } from '../../ports/clock.port.js';
import { TOKENS } from '../../ports/tokens.js';
import type { Wiring } from '../../wiring/wiring.js';
import { type StepHandler, withMiddleware } from './step-handler.js';

/**
 * The run-level step (`notify`): one Slack summary for the whole run. Never fails the run (a Slack
 * failure is counted). The state machine hands over where the Distributed Map wrote every child's
 * result (`results`); the reports are read from there, so they never travel through the parent
 * execution's state.
 */
export function notifyHandler(wiring: readonly Wiring[]): StepHandler {
  const handler = withMiddleware<unknown, unknown>('notify', async (event: unknown) => {
    const container = getContainer(wiring);
    const notify = container.get<NotifyRun>(STEP_CATALOG.notify.useCase);
    let input = event;
    const raw = event as { results?: unknown; reports?: unknown } | null;
    if (raw && typeof raw === 'object' && raw.results !== undefined) {
      const { results, ...rest } = raw;
      input = { ...rest, reports: await notify.reportsAt(parseResultsLocation(results)) };
    }
    const summary = parseNotifyInput(input, container.get<ClockPort>(TOKENS.Clock).now());
    return notify.execute(summary);
  });
  return Object.assign(handler, { step: 'notify' as const, wiring });
}
