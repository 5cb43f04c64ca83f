import { InvalidStepInputError } from './errors.js';
import type { AccessKeyInfo, ConnectionState, SecretState } from './model.js';

/**
 * A leaked key, as an AWS Health `AWS_RISK_CREDENTIALS_EXPOSED` event reports it (the EventBridge rule's
 * input transformation builds this; see infra/leak-rule.ts). An execution started for a leak runs in
 * emergency mode over every target, and only the targets that hold one of these keys rotate.
 */
export interface LeakNotice {
  /** The affected entities' values: access key ids. */
  accessKeyIds: string[];
  /** When AWS Health raised the event (the EventBridge event's `time`), ISO-8601. */
  detectedAt: string;
  /** The Health event's ARN, for the audit trail; null when the event had none. */
  eventArn: string | null;
}

/** Reason code of a target that holds none of the leaked keys (its plan is a skip, not a refusal). */
export const LEAKED_KEY_NOT_HELD = 'LeakedKeyNotHeld';

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const EVENT_ARN = /^arn:aws[a-z-]*:health:[^\s]{0,1500}$/;

function bad(field: string, what: string): never {
  throw new InvalidStepInputError(`Step input field "leak.${field}" ${what}`, { context: { field: `leak.${field}` } });
}

/**
 * Validates the `leak` field of a step's (or notify's) input: `{}`, null or absent when the run is not
 * for a leak. Throws `InvalidStepInputError` naming the field.
 */
export function parseLeak(value: unknown): LeakNotice | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    bad('(root)', 'must be { accessKeyIds, detectedAt, eventArn }, {} or null');
  // The state machine passes {} outside a leak run: a path to a JSON null is "no value" to aws-local-stepfunctions.
  if (Object.keys(value).length === 0) return null;
  const raw = value as Record<string, unknown>;
  // EventBridge's wildcard path gives a list; one entity may come as a plain string: both are taken.
  const ids = typeof raw.accessKeyIds === 'string' ? [raw.accessKeyIds] : raw.accessKeyIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string' || !ACCESS_KEY_ID.test(id))) {
    bad(
      'accessKeyIds',
      `is ${JSON.stringify(ids)}; it must list the leaked access key ids (the Health event's affected entities)`,
    );
  }
  if (typeof raw.detectedAt !== 'string' || Number.isNaN(Date.parse(raw.detectedAt))) {
    bad('detectedAt', `is ${JSON.stringify(raw.detectedAt)}; it must be the Health event's ISO-8601 time`);
  }
  const eventArn = raw.eventArn ?? null;
  if (eventArn !== null && (typeof eventArn !== 'string' || !EVENT_ARN.test(eventArn))) {
    bad('eventArn', `is ${JSON.stringify(eventArn)}; it must be an AWS Health event ARN or null`);
  }
  return {
    accessKeyIds: [...new Set(ids as string[])],
    detectedAt: raw.detectedAt,
    eventArn: eventArn as string | null,
  };
}

/**
 * The leaked keys this target holds: among the IAM user's keys, the key its connection holds, or a
 * version of its secret. Empty: the leak is someone else's.
 */
export function leakedKeysHeld(
  leak: LeakNotice,
  keys: readonly AccessKeyInfo[],
  connection: ConnectionState | null,
  secret: SecretState | null,
): string[] {
  const held = new Set<string>(keys.map((k) => k.accessKeyId));
  if (connection?.heldAccessKeyId) held.add(connection.heldAccessKeyId);
  for (const version of [secret?.current, secret?.pending, secret?.previous])
    if (version) held.add(version.accessKeyId);
  return leak.accessKeyIds.filter((id) => held.has(id));
}

/** What a target's report says about a leak run. */
export interface TargetLeak {
  /** The leaked keys this target held (empty: not this target's). */
  held: string[];
  /** From the Health event to the end of this target's rotation (its new key is live by then); null unless rotated. */
  eventToLiveMs: number | null;
}

/** What the run summary says about a leak: which keys, who held them, and the keys nobody holds. */
export interface RunLeak {
  accessKeyIds: string[];
  detectedAt: string;
  eventArn: string | null;
  /** Leaked keys no configured target holds: reported, for a human to find. */
  unheld: string[];
}

/** The leak part of the run summary, from the notice and the targets' reports. */
export function summarizeLeak(leak: LeakNotice, reports: ReadonlyArray<{ leak?: TargetLeak | null }>): RunLeak {
  return { ...leak, unheld: leak.accessKeyIds.filter((id) => !reports.some((r) => r.leak?.held.includes(id))) };
}
