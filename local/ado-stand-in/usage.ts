/**
 * Azure DevOps' global consumption limit, as the stand-in models it for one identity (a PAT or a
 * token): learn.microsoft.com/azure/devops/integrate/concepts/rate-limits.
 *
 * - every API request costs TSTUs, counted in a sliding window (five minutes at Azure DevOps);
 * - over `limit`, requests are **delayed**: the answer is really held back (at most 30 s) and
 *   carries `X-RateLimit-Delay` (seconds, three decimals) and `Retry-After`;
 * - far over it (`blockAt` × `limit`), requests are **blocked**: 429 with TF400733 and a
 *   `Retry-After` until the usage is back under the limit — and a blocked request is charged too,
 *   so a client that keeps knocking stays blocked;
 * - `X-RateLimit-Resource`, `-Limit`, `-Remaining` (0 once delayed) and `-Reset` (Unix seconds when
 *   the usage would be back at 0) are sent only from half the limit on: Azure DevOps does not promise
 *   them on every answer, so a client may not count on seeing them early.
 */

export interface UsageModel {
  /** TSTUs an identity may use in the window before it is delayed (`X-RateLimit-Limit`). */
  limit: number;
  /** The sliding window (Azure DevOps: 300,000 ms). */
  windowMs: number;
  /** TSTUs per API request (default 1). */
  costPerRequest?: number;
  /** Blocked above `blockAt × limit` (default 1.5). */
  blockAt?: number;
  /** How long a request is held per TSTU over the limit (default 100 ms; at most 30 s). */
  delayPerTstuMs?: number;
}

export type UsageVerdict =
  | { kind: 'ok'; headers: Record<string, string> }
  | { kind: 'delayed'; delayMs: number; headers: Record<string, string> }
  | { kind: 'blocked'; headers: Record<string, string> };

const MAX_DELAY_MS = 30_000;
export const RATE_LIMIT_RESOURCE = 'Core:TSTU';

export class StandInUsage {
  private readonly spent = new Map<string, Array<{ at: number; cost: number }>>();

  constructor(private readonly model: UsageModel) {}

  /** Charges one request of `identity` at `now` and says how Azure DevOps would answer it. */
  charge(identity: string, now: number): UsageVerdict {
    const { limit, windowMs } = this.model;
    const cost = this.model.costPerRequest ?? 1;
    const entries = (this.spent.get(identity) ?? []).filter((e) => e.at > now - windowMs);
    entries.push({ at: now, cost });
    this.spent.set(identity, entries);
    const usage = entries.reduce((sum, e) => sum + e.cost, 0);
    const resetSeconds = Math.ceil((now + windowMs) / 1000);
    const headers: Record<string, string> = {};
    if (usage >= limit / 2) {
      Object.assign(headers, {
        'x-ratelimit-resource': RATE_LIMIT_RESOURCE,
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, Math.floor(limit - usage))),
        'x-ratelimit-reset': String(resetSeconds),
      });
    }
    if (usage > limit * (this.model.blockAt ?? 1.5)) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(this.untilUnder(entries, limit, now) / 1000)));
      return { kind: 'blocked', headers };
    }
    if (usage > limit) {
      const delayMs = Math.min(MAX_DELAY_MS, Math.ceil((usage - limit) * (this.model.delayPerTstuMs ?? 100)));
      headers['x-ratelimit-delay'] = (delayMs / 1000).toFixed(3);
      headers['retry-after'] = String(Math.max(1, Math.ceil(delayMs / 1000)));
      return { kind: 'delayed', delayMs, headers };
    }
    return { kind: 'ok', headers };
  }

  /** Milliseconds until enough of the window has expired for the usage to be back at `limit`. */
  private untilUnder(entries: ReadonlyArray<{ at: number; cost: number }>, limit: number, now: number): number {
    let usage = entries.reduce((sum, e) => sum + e.cost, 0);
    for (const entry of entries) {
      if (usage <= limit) break;
      usage -= entry.cost;
      if (usage <= limit) return entry.at + this.model.windowMs - now;
    }
    return 0;
  }
}
