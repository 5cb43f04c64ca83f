import { Metrics } from '@aws-lambda-powertools/metrics';
import { Container } from 'inversify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRIC_UNITS,
  METRICS_NAMESPACE,
} from '../../../src/adapters/metrics/metric-names.js';
import {
  createPowertoolsMetrics,
  POWERTOOLS_METRICS,
  PowertoolsMetrics,
} from '../../../src/adapters/metrics/powertools-metrics.js';
import type { TargetOutcome, TargetReport } from '../../../src/domain/report.js';
import { TOKENS } from '../../../src/ports/tokens.js';
import {
  failedReport,
  refusedReport,
  rolledBackReport,
  rotatedReport,
  skippedReport,
} from '../../../local/slack-fixtures.js';

interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/**
 * Powertools writes EMF with its own `Console` on `process.stdout` (the `logger` option only gets
 * its warnings), so the tests read what reaches stdout.
 */
function captureStdout(): { records: () => EmfRecord[] } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return {
    records: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as EmfRecord),
  };
}

function setUp(options: { logger?: { warn: (...args: unknown[]) => void } } = {}) {
  const stdout = captureStdout();
  const warnings: unknown[][] = [];
  const metrics = createPowertoolsMetrics({
    logger: { debug: () => {}, info: () => {}, warn: (...args: unknown[]) => warnings.push(args), error: () => {} },
  });
  const adapter = new PowertoolsMetrics(metrics, options.logger);
  return { adapter, metrics, stdout, warnings };
}

const definitionsOf = (record: EmfRecord) => record._aws.CloudWatchMetrics[0];

const ALL_COUNTS = [
  METRIC_NAMES.RotationsSucceeded,
  METRIC_NAMES.RotationsFailed,
  METRIC_NAMES.RotationsSkipped,
  METRIC_NAMES.RotationsRefused,
  METRIC_NAMES.RotationsRolledBack,
] as const;

describe('Class: PowertoolsMetrics', () => {
  beforeEach(() => {
    // Powertools turns metrics off under POWERTOOLS_DEV; keep them on, whatever the shell says.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', '');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', '');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  describe('Method: recordOutcome + flush', () => {
    it(
      'writes one EMF record per target in namespace AdoKeyRotator, dimensioned by target (and by ' + 'service alone)',
      async () => {
        const { adapter, stdout } = setUp();

        adapter.recordOutcome(rotatedReport('app-prod'));
        await adapter.flush();

        const records = stdout.records();
        expect(records).toHaveLength(1);
        const [record] = records as [EmfRecord];
        expect(definitionsOf(record)).toEqual({
          Namespace: 'AdoKeyRotator',
          Dimensions: [['service', 'target'], ['service']],
          Metrics: [
            { Name: 'RotationsSucceeded', Unit: 'Count' },
            { Name: 'RotationsFailed', Unit: 'Count' },
            { Name: 'RotationsSkipped', Unit: 'Count' },
            { Name: 'RotationsRefused', Unit: 'Count' },
            { Name: 'RotationsRolledBack', Unit: 'Count' },
            { Name: 'RotationDuration', Unit: 'Milliseconds' },
            { Name: 'KeyAgeDays', Unit: 'None' },
          ],
        });
        expect(record).toMatchObject({
          service: 'ado-key-rotator',
          target: 'app-prod',
          RotationsSucceeded: 1,
          RotationsFailed: 0,
          RotationsSkipped: 0,
          RotationsRefused: 0,
          RotationsRolledBack: 0,
          RotationDuration: 42_300,
          KeyAgeDays: 0,
        });
      },
    );

    it.each<[TargetOutcome, () => TargetReport, string]>([
      ['rotated', () => rotatedReport(), METRIC_NAMES.RotationsSucceeded],
      ['failed', () => failedReport(), METRIC_NAMES.RotationsFailed],
      ['skipped', () => skippedReport(), METRIC_NAMES.RotationsSkipped],
      ['planned', () => ({ ...skippedReport(), mode: 'dry-run', outcome: 'planned' }), METRIC_NAMES.RotationsSkipped],
      ['refused', () => refusedReport(), METRIC_NAMES.RotationsRefused],
      ['rolled-back', () => rolledBackReport(), METRIC_NAMES.RotationsRolledBack],
    ])('counts outcome %s as 1 in %s and 0 in the other counts', async (outcome, report, counted) => {
      const { adapter, stdout } = setUp();
      const subject = report();
      expect(subject.outcome).toBe(outcome);

      adapter.recordOutcome(subject);
      await adapter.flush();

      const [record] = stdout.records() as [EmfRecord];
      for (const name of ALL_COUNTS) expect(record[name], name).toBe(name === counted ? 1 : 0);
      expect(record.target).toBe(subject.targetName);
      expect(record.RotationDuration).toBe(subject.durationMs);
    });

    it('counts a repaired target in none of the outcome counts', async () => {
      const { adapter, stdout } = setUp();

      adapter.recordOutcome({ ...skippedReport(), outcome: 'repaired' });
      await adapter.flush();

      const [record] = stdout.records() as [EmfRecord];
      for (const name of ALL_COUNTS) expect(record[name]).toBe(0);
    });

    it('writes KeyAgeDays with the held key age, and leaves it out when the age is unknown', async () => {
      const { adapter, stdout } = setUp();

      adapter.recordOutcome(skippedReport('tools'));
      adapter.recordOutcome(refusedReport('legacy-app'));
      await adapter.flush();

      const [tools, legacy] = stdout.records() as [EmfRecord, EmfRecord];
      expect(tools.KeyAgeDays).toBe(3);
      expect(legacy).not.toHaveProperty('KeyAgeDays');
      expect(definitionsOf(legacy)?.Metrics.map((m) => m.Name)).not.toContain('KeyAgeDays');
    });

    it('writes CredentialExpiryDays when the report knows when the Azure DevOps credential expires', async () => {
      // Prepare
      const { adapter, stdout } = setUp();
      const expiring = {
        ...skippedReport('tools'),
        credentialExpiry: { parameter: '/ado/pat', expiresOn: '2025-06-08', daysLeft: 5, warning: 'w' },
      };

      // Act
      adapter.recordOutcome(expiring);
      adapter.recordOutcome(refusedReport('legacy-app'));
      await adapter.flush();

      // Assess
      const [tools, legacy] = stdout.records() as [EmfRecord, EmfRecord];
      expect(tools.CredentialExpiryDays).toBe(5);
      expect(legacy).not.toHaveProperty('CredentialExpiryDays');
    });

    it('writes a record per target, each with its own target dimension', async () => {
      const { adapter, stdout } = setUp();

      adapter.recordOutcome(rotatedReport('app-prod'));
      adapter.recordOutcome(failedReport('data-prod'));
      adapter.recordOutcome(rolledBackReport('app-staging'));
      await adapter.flush();

      expect(
        stdout.records().map((r) => [r.target, r.RotationsSucceeded, r.RotationsFailed, r.RotationsRolledBack]),
      ).toEqual([
        ['app-prod', 1, 0, 0],
        ['data-prod', 0, 1, 0],
        ['app-staging', 0, 0, 1],
      ]);
    });

    it('writes nothing, and warns of nothing, when nothing was recorded; and nothing twice', async () => {
      const { adapter, stdout, warnings } = setUp();

      await adapter.flush();
      adapter.recordOutcome(rotatedReport());
      await adapter.flush();
      await adapter.flush();

      expect(stdout.records()).toHaveLength(1);
      expect(warnings).toEqual([]);
    });

    it('publishes what someone else buffered on the shared instance first, without the target dimension', async () => {
      const { adapter, metrics, stdout } = setUp();
      metrics.addMetric('Other', 'Count', 1);

      adapter.recordOutcome(rotatedReport('app-prod'));
      await adapter.flush();

      const [other, ours] = stdout.records() as [EmfRecord, EmfRecord];
      expect(other).not.toHaveProperty('target');
      expect(other.Other).toBe(1);
      expect(ours.target).toBe('app-prod');
      expect(ours).not.toHaveProperty('Other');
    });
  });

  describe('Method: recordNotificationFailure', () => {
    it('writes NotificationFailures (Count) with the service dimension only', async () => {
      const { adapter, stdout } = setUp();

      adapter.recordNotificationFailure();
      await adapter.flush();

      const [record] = stdout.records() as [EmfRecord];
      expect(definitionsOf(record)).toEqual({
        Namespace: 'AdoKeyRotator',
        Dimensions: [['service']],
        Metrics: [{ Name: 'NotificationFailures', Unit: 'Count' }],
      });
      expect(record.NotificationFailures).toBe(1);
      expect(record).not.toHaveProperty('target');
    });

    it('adds up the failures recorded before a flush', async () => {
      const { adapter, stdout } = setUp();

      adapter.recordNotificationFailure();
      adapter.recordNotificationFailure();
      await adapter.flush();

      expect(stdout.records().map((r) => r.NotificationFailures)).toEqual([2]);
    });
  });

  describe('configuration and robustness', () => {
    it(
      'takes the namespace and service name from POWERTOOLS_METRICS_NAMESPACE and ' + 'POWERTOOLS_SERVICE_NAME',
      async () => {
        vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'AdoKeyRotatorTest');
        vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'rotator-test');
        const { adapter, stdout } = setUp();

        adapter.recordOutcome(rotatedReport());
        await adapter.flush();

        const [record] = stdout.records() as [EmfRecord];
        expect(definitionsOf(record)?.Namespace).toBe('AdoKeyRotatorTest');
        expect(record.service).toBe('rotator-test');
      },
    );

    it('never throws from flush: a Powertools error is logged as a warning', async () => {
      const logger = { warn: vi.fn() };
      const broken = {
        addDimension: vi.fn(),
        addDimensions: vi.fn(),
        hasStoredMetrics: () => false,
        publishStoredMetrics: vi.fn(),
        addMetric: vi.fn(() => {
          throw new RangeError('boom');
        }),
      };
      const adapter = new PowertoolsMetrics(broken as unknown as Metrics, logger);

      adapter.recordOutcome(rotatedReport('app-prod'));
      await expect(adapter.flush()).resolves.toBeUndefined();

      expect(logger.warn).toHaveBeenCalledWith('Could not publish the rotation metrics', {
        error: 'RangeError: boom',
        targets: ['app-prod'],
      });
    });

    it('is built by the container from its tokens (no decorator metadata needed)', async () => {
      const { metrics, stdout } = setUp();
      const container = new Container();
      container.bind(POWERTOOLS_METRICS).toConstantValue(metrics);
      container.bind(TOKENS.Logger).toConstantValue({ warn: () => {} });
      container.bind(PowertoolsMetrics).toSelf();

      const adapter = container.get(PowertoolsMetrics);
      adapter.recordOutcome(rotatedReport());
      await adapter.flush();

      expect(stdout.records()).toHaveLength(1);
    });
  });
});

describe('Constants: metric names', () => {
  it('are the names the alarms match (renaming one silences an alarm)', () => {
    expect(METRICS_NAMESPACE).toBe('AdoKeyRotator');
    expect(METRIC_NAMES).toEqual({
      RotationsSucceeded: 'RotationsSucceeded',
      RotationsFailed: 'RotationsFailed',
      RotationsSkipped: 'RotationsSkipped',
      RotationsRefused: 'RotationsRefused',
      RotationsRolledBack: 'RotationsRolledBack',
      RotationDuration: 'RotationDuration',
      KeyAgeDays: 'KeyAgeDays',
      NotificationFailures: 'NotificationFailures',
      CredentialExpiryDays: 'CredentialExpiryDays',
    });
    expect(METRIC_UNITS.RotationDuration).toBe('Milliseconds');
    expect(METRIC_DIMENSIONS).toEqual({ service: 'service', target: 'target' });
  });

  it('is a real Powertools Metrics instance by default', () => {
    expect(createPowertoolsMetrics()).toBeInstanceOf(Metrics);
  });
});
