import { describe, expect, it } from 'vitest';
import { cliLogger, cliLogLevel, NO_METRICS } from '../../src/cli/quiet.js';
import { SecretValue } from '../../src/domain/secret-value.js';

describe('CLI: a quiet terminal', () => {
  it('logs nothing unless --verbose or LOG_LEVEL asks', () => {
    expect(cliLogLevel(false, {})).toBeUndefined();
    expect(cliLogLevel(true, {})).toBe('INFO');
    expect(cliLogLevel(false, { LOG_LEVEL: 'debug' })).toBe('DEBUG');
    expect(cliLogLevel(true, { LOG_LEVEL: 'WARN' })).toBe('WARN');
    expect(cliLogLevel(false, { LOG_LEVEL: 'loud' })).toBeUndefined();
  });

  it('writes JSON lines at the level and above only', () => {
    // Prepare
    const lines: string[] = [];
    const logger = cliLogger((t) => lines.push(t), 'WARN');

    // Act
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { attempt: 2 });
    logger.error('e');

    // Assess
    expect(lines.map((l) => JSON.parse(l) as { level: string; message: string })).toMatchObject([
      { level: 'WARN', message: 'w', attempt: 2 },
      { level: 'ERROR', message: 'e' },
    ]);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  it('is silent without a level, and never writes a secret', () => {
    const quiet: string[] = [];
    cliLogger((t) => quiet.push(t), undefined).error('e');
    const loud: string[] = [];
    cliLogger((t) => loud.push(t), 'DEBUG').info('key', { secret: new SecretValue('canary-secret-0123456789') });

    expect(quiet).toEqual([]);
    expect(loud.join('')).not.toContain('canary-secret');
  });

  it('records no metrics', async () => {
    expect(NO_METRICS.recordNotificationFailure()).toBeUndefined();
    await expect(NO_METRICS.flush()).resolves.toBeUndefined();
  });
});
