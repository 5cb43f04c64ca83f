import type { ConnectionRef } from './model.js';

/**
 * When the rotator's own Azure DevOps credential (a PAT or an Entra client secret) stops working.
 *
 * The configuration may record it (`credentialExpiresOn`, a UTC day). From `WARNING_DAYS` before,
 * `status` and the weekly Slack report say so; at `ALARM_DAYS` the `CredentialExpiry` alarm fires
 * (the report step publishes the days left as a metric). A federated credential has no secret and
 * never expires, so it has no expiry at all.
 */

export const CREDENTIAL_WARNING_DAYS = 14;
export const CREDENTIAL_ALARM_DAYS = 7;

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` that names a real calendar day: the instant it starts (UTC) in ms, or undefined. */
export function parseExpiryDate(value: string): number | undefined {
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  // Date.UTC rolls over what is out of range: a 13th month moves the year, a 30th of February the day (never
  // to the same day number), and years 0-99 become 19xx. So the year and the day tell every bad date.
  if (date.getUTCFullYear() !== year || date.getUTCDate() !== day) return undefined;
  return time;
}

export interface CredentialExpiry {
  /** The SSM parameter holding the credential. */
  parameter: string;
  expiresOn: string;
  /** Calendar days (UTC) from today to the expiry day: 0 on the day, negative once expired. */
  daysLeft: number;
  /** A sentence for people when within `CREDENTIAL_WARNING_DAYS`, else null. */
  warning: string | null;
}

/** The expiry of a connection's stored credential, or null when none is recorded (or it is federated). */
export function credentialExpiry(
  connection: Pick<ConnectionRef, 'credentialParameter' | 'credentialExpiresOn'>,
  now: Date,
): CredentialExpiry | null {
  const { credentialParameter: parameter, credentialExpiresOn: expiresOn } = connection;
  if (!parameter || !expiresOn) return null;
  const expiresAt = parseExpiryDate(expiresOn);
  if (expiresAt === undefined) return null;
  // Calendar days, as people count them: the day it expires is "today", the day before "tomorrow".
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const daysLeft = Math.round((expiresAt - today) / DAY_MS);
  return { parameter, expiresOn, daysLeft, warning: expiryWarning(parameter, expiresOn, daysLeft) };
}

function expiryWarning(parameter: string, expiresOn: string, daysLeft: number): string | null {
  if (daysLeft > CREDENTIAL_WARNING_DAYS) return null;
  const renew =
    `renew it (a new PAT or client secret), put it in ${parameter} and update credentialExpiresOn ` +
    `(or move to federatedCredential: no secret to renew)`;
  if (daysLeft <= 0) {
    return (
      `the Azure DevOps credential in ${parameter} ${daysLeft === 0 ? 'expires today' : 'expired on'} ` +
      `${expiresOn}: rotations of the connections it reaches are refused until you ${renew}`
    );
  }
  const when = daysLeft === 1 ? 'tomorrow' : `in ${daysLeft} days`;
  return `the Azure DevOps credential in ${parameter} expires ${when} (${expiresOn}): ${renew}`;
}
