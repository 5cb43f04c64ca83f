import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AwsCallFailedError, safeCause } from '../../src/domain/errors.js';
import { maskKeyId, SecretValue } from '../../src/domain/secret-value.js';

const CANARY = 'CANARY-secret-value-4f1d9a';

describe('Class: SecretValue', () => {
  it('never renders its value through String, templates, JSON or inspect', () => {
    const secret = new SecretValue(CANARY);
    const renderings = [
      String(secret),
      `${secret}`,
      JSON.stringify({ secret }),
      inspect(secret),
      inspect({ nested: { secret } }),
    ];
    for (const rendered of renderings) expect(rendered).not.toContain(CANARY);
    // What an operator sees in its place: a marker, not an empty string that looks like a missing value.
    expect([String(secret), `${secret}`, secret.toString(), inspect(secret), JSON.stringify(secret)]).toEqual([
      '[REDACTED]',
      '[REDACTED]',
      '[REDACTED]',
      '[REDACTED]',
      '"[REDACTED]"',
    ]);
  });

  it('tells two secrets apart without revealing either', () => {
    // Prepare
    const secret = new SecretValue(CANARY);

    // Act
    const verdicts = [
      secret.equals(new SecretValue(CANARY)),
      secret.equals(new SecretValue(`${CANARY}-other`)),
      secret.equals({ reveal: () => CANARY } as unknown as SecretValue),
    ];

    // Assess
    expect(verdicts).toEqual([true, false, false]);
  });

  it('gives the value only through reveal()', () => {
    expect(new SecretValue(CANARY).reveal()).toBe(CANARY);
  });

  it('throws when built from an empty string', () => {
    expect(() => new SecretValue('')).toThrow(new TypeError('SecretValue needs a non-empty string'));
    expect(() => new SecretValue(12345 as unknown as string)).toThrow('SecretValue needs a non-empty string');
    expect(new SecretValue('x').reveal()).toBe('x');
  });
});

describe('Function: maskKeyId', () => {
  it('keeps only the last four characters', () => {
    expect(maskKeyId('AKIAABCDEFGHIJKLWXYZ')).toBe('****************WXYZ');
    expect(maskKeyId('ABCDE')).toBe('*BCDE');
  });

  it('masks an identifier of four characters or fewer whole', () => {
    expect([maskKeyId('WXYZ'), maskKeyId('XY')]).toEqual(['****', '****']);
  });
});

describe('Class: RotationError', () => {
  it('keeps a cause reduced to its name, code, status and message', () => {
    const sdkError = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
      $response: { body: CANARY },
    });
    const error = new AwsCallFailedError('IAM failed', { cause: sdkError });
    expect(error.cause).toEqual({ name: 'ThrottlingException', message: 'Rate exceeded', status: 400 });
    expect(JSON.stringify(error)).not.toContain(CANARY);
    expect(error.name).toBe('AwsCallFailedError');
  });

  it('reduces a non-error cause to its type', () => {
    expect(safeCause({ body: CANARY })).toEqual({ name: 'NonError', message: 'object' });
  });
});
