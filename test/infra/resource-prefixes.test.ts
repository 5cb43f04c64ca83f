/**
 * resourcePrefixes' default: the rotator always enforces prefixes (`ado-key-rotator/` for secrets,
 * `/ado-key-rotator/` for SSM parameters, unless the configuration names its own), so `cdk synth` refuses a
 * configuration naming a secret or parameter elsewhere, and the configuration shipped to the Lambdas records
 * the prefixes. The rule is parseRotationConfig's (the CLI's too): local runs (`localRunOnly`) are held to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { AdoKeyRotatorStack } from '../../infra/stack.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { DEFAULT_RESOURCE_PREFIXES, type RotationConfig } from '../../src/domain/config.js';
import { ConfigurationError } from '../../src/domain/errors.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
const stubCode = () => lambda.Code.fromInline('exports.handler = async () => ({});');
function synth(config: RotationConfig, localRunOnly = false) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ado-key-rotator-prefixes-'));
  outdirs.push(outdir);
  return new AdoKeyRotatorStack(new App({ outdir, builtinCloudFormationValidation: false }), 'Prefixes', {
    config,
    overrides: { lambdaCode: stubCode, localRunOnly },
  });
}
/** A configuration file's content without resourcePrefixes (not parsed: synth parses it), naming these. */
const raw = (secretId: string, credentialParameter: string) =>
  ({
    targets: [
      {
        name: 'payments',
        iamUserName: 'ado-payments',
        secretId,
        connection: {
          organizationUrl: 'https://dev.azure.com/contoso',
          project: 'payments',
          connectionName: 'aws',
          credentialParameter,
        },
      },
    ],
  }) as unknown as RotationConfig;
const config = (secretId: string, credentialParameter: string): RotationConfig =>
  parseRotationConfig(raw(secretId, credentialParameter));

describe('Construct: AdoKeyRotator > resourcePrefixes default', () => {
  it('is ado-key-rotator/ for secrets and /ado-key-rotator/ for SSM parameters', () => {
    expect(DEFAULT_RESOURCE_PREFIXES).toEqual({ secrets: 'ado-key-rotator/', parameters: '/ado-key-rotator/' });
  });

  it('refuses at synth, naming each field, a configuration without prefixes that names resources elsewhere', () => {
    // Prepare: a database password's SecureString and another team's secret (the credential-router edit).
    const crafted = raw('prod/payments/db', '/prod/payments/db-password');

    // Act
    const act = () => synth(crafted);

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(/targets\[0\]\.secretId is not under resourcePrefixes\.secrets \("ado-key-rotator\/"\)/);
    expect(act).toThrow(
      /targets\[0\]\.connection\.credentialParameter is not under resourcePrefixes\.parameters \("\/ado-key-rotator\//,
    );
  });

  it('refuses them in a local run too: the CLI, local runs and synth accept the same configurations', () => {
    // Act
    const act = () => synth(raw('prod/payments/db', '/prod/payments/db-password'), true);

    // Assess
    expect(act).toThrow(/targets\[0\]\.secretId is not under resourcePrefixes\.secrets \("ado-key-rotator\/"\)/);
  });

  it('accepts names under the default prefixes, ships the prefixes to the Lambdas and names only them', () => {
    // Act
    const stack = synth(config('ado-key-rotator/payments', '/ado-key-rotator/azure-devops/pat'));

    // Assess
    expect(stack.rotator.config.resourcePrefixes).toEqual(DEFAULT_RESOURCE_PREFIXES);
    const resources = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(resources).toContain(':secret:ado-key-rotator/payments-??????');
    expect(resources).toContain(':parameter/ado-key-rotator/azure-devops/pat');
  });

  it('keeps prefixes the configuration gives (names elsewhere, on purpose)', () => {
    // Prepare
    const own = parseRotationConfig({
      ...(raw('ci/ado/payments', '/ci/ado/pat') as unknown as Record<string, unknown>),
      resourcePrefixes: { secrets: 'ci/ado/', parameters: '/ci/ado/' },
    });

    // Act
    const stack = synth(own);

    // Assess
    expect(stack.rotator.config.resourcePrefixes).toEqual({ secrets: 'ci/ado/', parameters: '/ci/ado/' });
  });
});
