import type { ClockPort } from '../../ports/clock.port.js';
import type { MetricsPort } from '../../ports/metrics.port.js';
import type { TargetsPort } from '../../ports/targets.port.js';
import { credentialExpiry } from '../credential-expiry.js';
import { isRefusal } from '../errors.js';
import { describeFirstConnection, describeHolder, otherHolders } from '../holder-set.js';
import type { ConnectionRef } from '../model.js';
import { buildTargetReport, type TargetReport } from '../report.js';
import type { RotationState } from '../rotation-state.js';

/** Step 9: turn the state a target's run ended in into its report, and record its metrics. */
export class ReportTarget {
  constructor(
    private readonly targets: TargetsPort,
    private readonly metrics: MetricsPort,
    private readonly clock: ClockPort,
  ) {}

  async execute(state: RotationState): Promise<TargetReport> {
    const target = await this.targets.getTarget(state.targetName).catch((error: unknown) => {
      if (isRefusal(error)) return undefined;
      throw error;
    });
    const connection: Partial<ConnectionRef> & Pick<ConnectionRef, 'connectionName' | 'project' | 'organizationUrl'> =
      target?.connection ?? { connectionName: '(unknown target)', project: '', organizationUrl: '' };
    const others = target ? otherHolders(target) : [];
    const now = this.clock.now();
    const report = buildTargetReport(
      state,
      others.length > 0 && target
        ? { ...connection, holders: [describeFirstConnection(target), ...others.map(describeHolder)] }
        : connection,
      now,
    );
    // The weekly run is where an expiring PAT or client secret is noticed: Slack, and a metric the alarm watches.
    const expiry = credentialExpiry(connection, now);
    if (expiry) report.credentialExpiry = expiry;
    this.metrics.recordOutcome(report);
    await this.metrics.flush();
    return report;
  }
}
