import { REDACTED, redactShapes } from '../redaction/redaction.js';

/**
 * Free text made safe for a Slack mrkdwn field: access key ids masked, anything shaped like a
 * credential removed (the shared redaction module), Slack's control characters escaped, length capped.
 */

export { REDACTED };

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
  return escapeMrkdwn(truncate(redactShapes(text).replace(/\s+/g, ' ').trim(), max));
}
