import type { RunSummary, TargetReport } from '../../domain/report.js';
import { maskKeyId } from '../../domain/secret-value.js';

/**
 * What a Slack message says first in a run started for a leaked key (AWS Health
 * `AWS_RISK_CREDENTIALS_EXPOSED`): whether the leaked key was rotated, how long after the event the
 * new key was live, and any leaked key that no target holds. Key ids are masked as everywhere else.
 */

const keys = (ids: readonly string[]) => ids.map((id) => maskKeyId(id)).join(', ');

/** Formats milliseconds the way the rest of the message does (passed in to keep one formatter). */
export type DurationFormat = (ms: number) => string;

const heldBy = (summary: RunSummary): TargetReport[] => summary.targets.filter((t) => (t.leak?.held.length ?? 0) > 0);

/** The header's text for a leak run, or null when the run is not for a leak. Plain text (the header block's type). */
export function leakHeadline(summary: RunSummary, duration: DurationFormat): string | null {
  const leak = summary.leak;
  if (!leak) return null;
  const holders = heldBy(summary);
  const rotated = holders.filter((t) => t.outcome === 'rotated');
  const notRotated = holders.filter((t) => t.outcome !== 'rotated');
  if (rotated.length > 0 && notRotated.length === 0 && leak.unheld.length === 0) {
    const slowest = Math.max(...rotated.map((t) => t.leak?.eventToLiveMs ?? Number.NaN));
    const names = rotated.map((t) => t.targetName).join(', ');
    return (
      `:rotating_light: leaked key rotated: ${keys(leak.accessKeyIds)} (${names}), new key live within ` +
      `${duration(slowest)} of the event`
    );
  }
  if (notRotated.length > 0) {
    return (
      `:rotating_light: leaked key NOT rotated: ${keys(notRotated.flatMap((t) => t.leak?.held ?? []))}: ` +
      `act now (below)`
    );
  }
  if (rotated.length > 0) {
    return (
      `:rotating_light: leaked key rotated: ${keys(rotated.flatMap((t) => t.leak?.held ?? []))}; ` +
      `${keys(leak.unheld)} held by no target`
    );
  }
  return `:rotating_light: leaked key held by no target: ${keys(leak.unheld)}: find and deactivate it by hand`;
}

/** The lines under the header: the event, and what to do about keys nobody holds and the quarantine policy. */
export function leakLines(summary: RunSummary): string[] {
  const leak = summary.leak;
  if (!leak) return [];
  const lines = [
    `*Leaked key:* ${keys(leak.accessKeyIds)} · *reported by AWS Health at* ` +
      `${leak.detectedAt.slice(0, 19).replace('T', ' ')} UTC`,
  ];
  if (leak.unheld.length > 0) {
    lines.push(
      `:warning: ${keys(leak.unheld)} is held by no configured target: nothing here could rotate it. Find its ` +
        `user with ` +
        '`aws iam get-access-key-last-used --access-key-id <id>`, then deactivate and delete it by hand.',
    );
  }
  if (heldBy(summary).some((t) => t.outcome === 'rotated')) {
    lines.push(
      'AWS may have attached the `AWSCompromisedKeyQuarantine` policy to the user, which also limits the new key: ' +
        "review the old key's use in CloudTrail, then detach the policy.",
    );
  }
  return lines;
}
