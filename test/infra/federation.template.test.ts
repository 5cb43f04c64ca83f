import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { STEP_ACCESS } from '../../infra/permissions.js';
import { AdoKeyRotatorStack } from '../../infra/stack.js';
import { LAMBDA_STEPS } from '../../infra/steps.js';
import { loadRotationConfigFile } from '../../src/adapters/config/config-targets.adapter.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import type { RotationConfig } from '../../src/domain/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FEDERATED = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '0e3f6c1a-5b7d-4c2e-9a8f-1d2c3b4a5e6f',
};
/** The steps whose use cases call Azure DevOps (the ones that read its credential). */
const ADO_STEPS = LAMBDA_STEPS.filter((step) => STEP_ACCESS[step].adoCredential);

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** The example configuration with the given targets' connections switched to the federated kind. */
function configWith(federated: 'all' | 'one' | 'none'): RotationConfig {
  const raw = structuredClone(loadRotationConfigFile(path.join(ROOT, 'rotation.config.json'))) as RotationConfig;
  raw.targets.forEach((target, i) => {
    if (federated === 'all' || (federated === 'one' && i === 0)) {
      delete target.connection.credentialParameter;
      target.connection.federatedCredential = FEDERATED;
    }
  });
  return parseRotationConfig(raw);
}

function synth(config: RotationConfig) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-federation-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new AdoKeyRotatorStack(app, 'Federated', {
    config,
    overrides: { lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({});') },
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    Outputs?: Record<string, { Value: unknown }>;
  };
  // Which step's role each policy belongs to.
  const stepOfRole = new Map<string, string>();
  for (const step of LAMBDA_STEPS) {
    const fn = json.Resources[
      stack.getLogicalId(stack.rotator.functions[step].node.defaultChild as never)
    ] as unknown as { Properties: { Role: { 'Fn::GetAtt': string[] } } };
    stepOfRole.set(fn.Properties.Role['Fn::GetAtt'][0] as string, step);
  }
  const statements = (step: string) =>
    Object.values(json.Resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          (r.Properties.Roles as Array<{ Ref: string }>).some((role) => stepOfRole.get(role.Ref) === step),
      )
      .flatMap(
        (r) =>
          (
            r.Properties.PolicyDocument as {
              Statement: Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>;
            }
          ).Statement,
      );
  const allowing = (action: string) =>
    LAMBDA_STEPS.filter((step) => statements(step).some((s) => [s.Action].flat().includes(action)));
  return { stack, json, statements, allowing, stepOfRole };
}

describe('Construct: AdoKeyRotator, with a federated Azure DevOps credential', () => {
  it(
    'allows sts:GetWebIdentityToken only to the steps that call Azure DevOps, pinned to the Entra audience, ' +
      'RS256 and 300 s',
    () => {
      // Prepare
      const { statements, allowing } = synth(configWith('one'));

      // Act
      const steps = allowing('sts:GetWebIdentityToken');

      // Assess: every step that reads the Azure DevOps credential of a PAT target, and no other.
      expect(ADO_STEPS).toContain('plan');
      expect(ADO_STEPS).not.toContain('verify-key');
      expect(ADO_STEPS).not.toContain('promote');
      expect(steps).toEqual(ADO_STEPS);
      const statement = statements('plan').find((s) => [s.Action].flat().includes('sts:GetWebIdentityToken'));
      expect(statement?.Condition).toEqual({
        'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': ['api://AzureADTokenExchange'] },
        Null: { 'sts:IdentityTokenAudience': 'false' },
        StringEquals: { 'sts:SigningAlgorithm': 'RS256' },
        NumericLessThanEquals: { 'sts:DurationSeconds': 300 },
      });
      expect([statement?.Action].flat()).toEqual(['sts:GetWebIdentityToken']);
    },
  );

  it('allows it to no step when no target is federated', () => {
    // Prepare, Act
    const { allowing } = synth(configWith('none'));

    // Assess
    expect(allowing('sts:GetWebIdentityToken')).toEqual([]);
  });

  it('reads no SSM parameter at all when every target is federated: there is no Azure DevOps secret', () => {
    // Prepare, Act
    const { allowing } = synth(configWith('all'));

    // Assess: only notify reads one, the Slack webhook.
    expect(allowing('ssm:GetParameter')).toEqual(['notify']);
  });

  it('outputs the audience and each role ARN the Entra app must trust as a subject', () => {
    // Prepare, Act
    const { json, stepOfRole } = synth(configWith('one'));

    // Assess
    const outputs = Object.entries(json.Outputs ?? {});
    expect(outputs.filter(([name]) => name.includes('FederationAudience')).map(([, o]) => o.Value)).toEqual([
      'api://AzureADTokenExchange',
    ]);
    const subjects = outputs
      .filter(([name]) => name.includes('FederationSubject'))
      .map(([, o]) => o.Value as { 'Fn::GetAtt': string[] });
    expect(subjects.map((s) => stepOfRole.get(s['Fn::GetAtt'][0] as string))).toEqual(ADO_STEPS);
    expect(subjects.every((s) => s['Fn::GetAtt'][1] === 'Arn')).toBe(true);
  });

  it('stays cdk-nag clean', () => {
    // Prepare
    const { stack } = synth(configWith('one'));

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
