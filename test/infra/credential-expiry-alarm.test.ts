import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { AdoKeyRotatorStack } from '../../infra/stack.js';
import { loadRotationConfigFile } from '../../src/adapters/config/config-targets.adapter.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import type { RotationConfig } from '../../src/domain/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function alarmsOf(expiresOn: string | undefined) {
  const raw = structuredClone(loadRotationConfigFile(path.join(ROOT, 'rotation.config.json'))) as RotationConfig;
  if (expiresOn && raw.targets[0]) raw.targets[0].connection.credentialExpiresOn = expiresOn;
  const outdir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-expiry-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new AdoKeyRotatorStack(app, 'Expiry', {
    config: parseRotationConfig(raw),
    overrides: { lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({});') },
  });
  return Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
    (a) => a.Properties as Record<string, unknown>,
  );
}

describe('Construct: AdoKeyRotator, the credential expiry alarm', () => {
  it(
    'fires when the fleet minimum of CredentialExpiryDays is 7 or less, and keeps its state between weekly ' +
      'reports',
    () => {
      // Prepare, Act
      const alarm = alarmsOf('2027-03-31').find((a) => a.MetricName === 'CredentialExpiryDays');

      // Assess
      expect(alarm).toMatchObject({
        Namespace: 'AdoKeyRotator',
        Statistic: 'Minimum',
        Threshold: 7,
        ComparisonOperator: 'LessThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
        Period: 86_400,
        Dimensions: [{ Name: 'service', Value: 'ado-key-rotator' }],
      });
      expect(alarm?.AlarmDescription).toMatch(/renew it, update its SSM parameter and credentialExpiresOn/);
    },
  );

  it('is not created when no target records an expiry', () => {
    // Prepare, Act, Assess
    expect(alarmsOf(undefined).some((a) => a.MetricName === 'CredentialExpiryDays')).toBe(false);
  });
});
