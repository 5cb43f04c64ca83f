import { describe, expect, it } from 'vitest';
import {
  echoes,
  echoForms,
  REDACTED,
  redact,
  redactedCause,
  redactShapes,
  sanitizedCause,
} from '../../../src/adapters/redaction/redaction.js';

// A secret access key's shape: 40 characters with "/" and "+", which URL-encoding changes.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const PAT = 'patpatpatpatpatpatpatpatpatpatpatpatpatpatpatpatpat0';

describe('Module: redaction', () => {
  describe('redact', () => {
    const forms: Array<[string, string]> = [
      ['raw', SECRET],
      ['URL-encoded', encodeURIComponent(SECRET)],
      ['URL-encoded, lower-case hex', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
      ['JSON-escaped slashes', SECRET.replace(/\//g, '\\/')],
      ['base64', Buffer.from(SECRET).toString('base64')],
      ['base64 inside a Basic header', Buffer.from(`user:${SECRET}`).toString('base64')],
      ['base64 at the third alignment', Buffer.from(`ab${SECRET}`).toString('base64')],
      ['truncated to its first 20 characters', SECRET.slice(0, 20)],
      ['its last 12 characters', SECRET.slice(-12)],
    ];
    for (const [form, echo] of forms) {
      it(`removes a ${form} echo of a secret from server text`, () => {
        // Prepare
        const text = `VS403: the value '${echo}' is not valid for field secretKey`;

        // Act
        const clean = redact(text, [SECRET]);

        // Assess
        expect(clean).not.toContain(echo);
        expect(clean).toContain(REDACTED);
        expect(clean.startsWith('VS403: the value ')).toBe(true);
        expect(clean.endsWith(' is not valid for field secretKey')).toBe(true);
      });
    }

    it('leaves text that echoes no secret as it is', () => {
      expect(redact('VS402392: the service connection was not found', [SECRET, PAT])).toBe(
        'VS402392: the service connection was not found',
      );
    });

    it('does not count a run shorter than the window as an echo', () => {
      expect(redact(`key ${SECRET.slice(0, 11)} here`, [SECRET])).toBe(`key ${SECRET.slice(0, 11)} here`);
    });

    it('joins overlapping echoes into one marker and keeps the text around them', () => {
      expect(redact(`a ${SECRET} b ${PAT} c`, [SECRET, PAT])).toBe(`a ${REDACTED} b ${REDACTED} c`);
    });

    it('ignores secrets too short to search for, and bounds the length', () => {
      expect(redact('abc abc', ['abc'])).toBe('abc abc');
      expect(redact('x'.repeat(20), [], 10)).toBe(`${'x'.repeat(10)}…`);
    });

    it('finds a short secret only whole', () => {
      expect(redact('pin 98765 here', ['98765'])).toBe(`pin ${REDACTED} here`);
    });
  });

  describe('echoes and echoForms', () => {
    it('tells whether text echoes a secret in any form', () => {
      expect(echoes(`x=${encodeURIComponent(SECRET)}`, [SECRET])).toBe(true);
      expect(echoes('nothing here', [SECRET])).toBe(false);
    });

    it('lists the raw, URL-encoded and base64 forms', () => {
      const forms = echoForms(SECRET);
      expect(forms).toContain(SECRET);
      expect(forms).toContain(encodeURIComponent(SECRET));
      expect(forms.some((f) => Buffer.from(SECRET).toString('base64').includes(f))).toBe(true);
    });
  });

  describe('redactShapes', () => {
    it('masks access key ids and removes long tokens, URL-encoded ones included, and webhook URLs', () => {
      const text =
        `AKIAIOSFODNN7EXAMPLE ${SECRET} ${encodeURIComponent(SECRET)} ` +
        `https://hooks.slack.com/services/T0/B0/x https://u:p@host/`;

      const clean = redactShapes(text);

      expect(clean).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(clean).not.toContain(SECRET);
      expect(clean).not.toContain(encodeURIComponent(SECRET));
      expect(clean).not.toContain('hooks.slack.com');
      expect(clean).toContain(`https://${REDACTED}@host/`);
    });
  });

  describe('redactedCause and sanitizedCause', () => {
    it('withholds the message of an error that echoes a secret URL-encoded, keeping its name and code', () => {
      const error = Object.assign(new Error(`bad value ${encodeURIComponent(SECRET)}`), {
        name: 'ValidationException',
        Code: 'Validation',
      });

      const cause = redactedCause(error, [SECRET]) as Error & { Code?: string };

      expect(cause.message).toBe('[message withheld: it quoted a secret value]');
      expect(cause.name).toBe('ValidationException');
      expect(cause.Code).toBe('Validation');
    });

    it('keeps an error that echoes nothing, and passes a non-error through', () => {
      const error = new Error('Rate exceeded');
      expect(redactedCause(error, [SECRET])).toBe(error);
      expect(redactedCause('text', [SECRET])).toBe('text');
    });

    it('reduces a network error to its name and a redacted message', () => {
      const basic = Buffer.from(`:${PAT}`).toString('base64');
      const error = new TypeError(`fetch failed for Basic ${basic}`);

      const cause = sanitizedCause(error, [PAT]);

      expect(cause.name).toBe('TypeError');
      // Only the edge characters that also encode the neighbouring ":" and padding can remain.
      expect(cause.message).toMatch(/^fetch failed for Basic .{0,3}\[REDACTED\].{0,4}$/);
      expect(cause.message).not.toContain(basic.slice(3, -3));
    });
  });
});
