import { maskKeyId } from '../../domain/secret-value.js';

/**
 * The one redaction module every adapter uses: what may be kept of text that came from outside
 * (a server's answer, an SDK error, a network error) when a secret was in flight.
 *
 * Two complementary screens:
 * - `redact(text, secrets)` removes every echo of a secret the call carried or received: the raw
 *   value, its URL-encoded and JSON-escaped forms, and its base64 (at any alignment, so a secret
 *   inside a Basic header is found too). An echo is any run of `ECHO_WINDOW` characters of one of
 *   those forms (a sliding window), because servers quote truncated, wrapped or re-encoded values.
 * - `redactShapes(text)` removes what merely looks like a credential (long tokens, a webhook URL,
 *   user:password in a URL) and masks access key ids, for text whose secrets are not known here
 *   (a report's free text on its way to Slack).
 */

export const REDACTED = '[REDACTED]';

/** Shortest part of a secret that counts as an echo of it. Shorter runs occur by chance (JSON keys, words). */
export const ECHO_WINDOW = 12;
/** A secret shorter than this is not searched for at all (it would match ordinary text). */
const MIN_SECRET = 4;

const toBase64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * The forms in which a server may echo a secret. Base64 depends on the secret's position in the
 * encoded data: three alignments, each without the characters that depend on its neighbours.
 */
export function echoForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const encoded = encodeURIComponent(secret);
  forms.add(encoded);
  forms.add(encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()));
  forms.add(encoded.replace(/%20/g, '+'));
  forms.add(secret.replace(/\//g, '\\/'));
  forms.add(JSON.stringify(secret).slice(1, -1));
  for (let offset = 0; offset < 3; offset++) {
    const b64 = toBase64('\0'.repeat(offset) + secret);
    const start = Math.ceil((offset * 4) / 3);
    const stable = b64.replace(/=+$/, '').slice(start, -2);
    if (stable.length >= ECHO_WINDOW) {
      forms.add(stable);
      forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET);
}

/** The [start, end) ranges of `text` that echo one of `secrets`. */
function echoRanges(text: string, secrets: readonly string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET) continue;
    for (const form of echoForms(secret)) {
      const width = Math.min(ECHO_WINDOW, form.length);
      for (let start = 0; start + width <= form.length; start++) {
        const window = form.slice(start, start + width);
        for (let at = text.indexOf(window); at !== -1; at = text.indexOf(window, at + 1)) ranges.push([at, at + width]);
      }
    }
  }
  return ranges;
}

/** Whether `text` echoes any part (a window) of any of `secrets`, in any of its forms. */
export function echoes(text: string, secrets: readonly string[]): boolean {
  return echoRanges(text, secrets).length > 0;
}

/** `text` with every echo of `secrets` replaced by `[REDACTED]` (overlapping echoes become one), then bounded. */
export function redact(text: string, secrets: readonly string[], maxLength = Number.POSITIVE_INFINITY): string {
  const merged: Array<[number, number]> = [];
  for (const [start, end] of echoRanges(text, secrets).sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  let clean = '';
  let from = 0;
  for (const [start, end] of merged) {
    clean += `${text.slice(from, start)}${REDACTED}`;
    from = end;
  }
  clean += text.slice(from);
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,124}\b/g;
const SLACK_WEBHOOK = /https?:\/\/hooks\.slack(?:-gov)?\.com\/\S*/gi;
const URL_USERINFO = /\b(https?:\/\/)[^\s/@:]+:[^\s/@]+@/gi;
/** A secret access key (40), an Azure DevOps PAT (52 or 84), a JWT segment, a base64 blob... */
const LONG_TOKEN = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/=]{40,}(?![A-Za-z0-9+/=])/g;
/** The same, URL-encoded (`%2F`, `%2B`, `%3D` between the characters). */
const LONG_ENCODED_TOKEN = /(?<![A-Za-z0-9%])(?:[A-Za-z0-9]|%2[BbFf]|%3[Dd]){40,}(?![A-Za-z0-9%])/g;

/** Masks access key ids and removes anything shaped like a credential from free text. */
export function redactShapes(text: string): string {
  return text
    .replace(SLACK_WEBHOOK, REDACTED)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(ACCESS_KEY_ID, (id) => maskKeyId(id))
    .replace(LONG_ENCODED_TOKEN, (token) => (token.includes('%') ? REDACTED : token))
    .replace(LONG_TOKEN, REDACTED);
}

/**
 * A copy of an error that is safe to keep as a cause: same name (and AWS `Code` and `$metadata`),
 * with its message redacted of `secrets`, or withheld when it quoted one or is a deserialisation
 * error (the AWS SDK quotes the start of the response body there, and a response may carry a secret).
 */
export function redactedCause(error: unknown, secrets: readonly string[] = []): unknown {
  if (!(error instanceof Error)) return error;
  const echoed = echoes(error.message, secrets);
  const deserialisation = error.message.includes('Deserialization error') || error.name === 'SyntaxError';
  if (!echoed && !deserialisation) return error;
  const copy = new Error(
    echoed ? '[message withheld: it quoted a secret value]' : '[message withheld: unreadable response]',
  );
  copy.name = error.name;
  const { Code, $metadata } = error as Error & { Code?: unknown; $metadata?: unknown };
  return Object.assign(copy, Code === undefined ? {} : { Code }, $metadata === undefined ? {} : { $metadata });
}

/** A network error reduced to its name and a redacted, bounded message (undici puts request details in some). */
export function sanitizedCause(error: unknown, secrets: readonly string[], maxLength = 300): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const clean = new Error(redact(source.message, secrets, maxLength));
  clean.name = source.name;
  return clean;
}
