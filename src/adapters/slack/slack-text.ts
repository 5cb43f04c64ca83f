import { maskKeyId } from '../../domain/secret-value.js';

/**
 * Free text made safe for a Slack mrkdwn field: access key ids masked, anything shaped like a
 * credential removed, Slack's control characters escaped, length capped. (The team's single
 * redaction module is planned separately; `scrubText` stays here until it lands.)
 */

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,124}\b/g;
const SLACK_WEBHOOK = /https?:\/\/hooks\.slack(?:-gov)?\.com\/\S*/gi;
const URL_USERINFO = /\b(https?:\/\/)[^\s/@:]+:[^\s/@]+@/gi;
/** A secret access key (40), an Azure DevOps PAT (52 or 84), a JWT segment, a base64 blob... */
const LONG_TOKEN = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/=]{40,}(?![A-Za-z0-9+/=])/g;

export const REDACTED = '[REDACTED]';

/** Masks access key ids and removes anything shaped like a credential from free text. */
export function scrubText(text: string): string {
  return text
    .replace(SLACK_WEBHOOK, REDACTED)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(ACCESS_KEY_ID, (id) => maskKeyId(id))
    .replace(LONG_TOKEN, REDACTED);
}

/** Slack's three control characters (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** Free text from a report, made safe for a mrkdwn field: scrubbed, capped, escaped, on one line. */
export function safe(text: string, max: number): string {
  return escapeMrkdwn(truncate(scrubText(text).replace(/\s+/g, ' ').trim(), max));
}
