import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountRoutedIamAccessKeys, AccountRoutedSecretStore } from '../../src/adapters/aws/account-routing.js';
import { SsmSecureParameters } from '../../src/adapters/aws/ssm-secure-parameters.adapter.js';
import { StsKeyVerifierAdapter } from '../../src/adapters/aws/sts-key-verifier.adapter.js';
import {
  AzureDevOpsHttpClient,
  AzureDevOpsPipelineRunsAdapter,
  AzureDevOpsServiceConnectionAdapter,
  AzureDevOpsVariableGroupAdapter,
} from '../../src/adapters/azure-devops/index.js';
import { loadRotationConfigFile, ROTATION_CONFIG } from '../../src/adapters/config/config-targets.adapter.js';
import { PowertoolsMetrics } from '../../src/adapters/metrics/index.js';
import { SlackNotifier } from '../../src/adapters/slack/index.js';
import { createContainer } from '../../src/composition-root.js';
import { TOKENS } from '../../src/ports/tokens.js';
import { ALL_WIRING, iamWiring, secretsWiring } from '../../src/wiring/index.js';
import { keylessWiring } from '../../src/wiring/keyless.wiring.js';
import { ADAPTER_TOKENS } from '../../src/wiring/tokens.js';

const config = loadRotationConfigFile('rotation.config.json');
const withConfig = new Map<symbol, unknown>([[ROTATION_CONFIG, config]]);

describe('Function: createContainer', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('binds every port to its production adapter, resolvable through the @inject tokens', () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');

    const c = createContainer(ALL_WIRING, withConfig);

    expect(c.get(TOKENS.IamAccessKeys)).toBeInstanceOf(AccountRoutedIamAccessKeys);
    expect(c.get(TOKENS.KeyVerifier)).toBeInstanceOf(StsKeyVerifierAdapter);
    expect(c.get(TOKENS.SecretStore)).toBeInstanceOf(AccountRoutedSecretStore);
    expect(c.get(TOKENS.SecureParameters)).toBeInstanceOf(SsmSecureParameters);
    expect(c.get(TOKENS.AzureDevOps)).toBeInstanceOf(AzureDevOpsServiceConnectionAdapter);
    expect(c.get(TOKENS.VariableGroups)).toBeInstanceOf(AzureDevOpsVariableGroupAdapter);
    expect(c.get(TOKENS.PipelineRuns)).toBeInstanceOf(AzureDevOpsPipelineRunsAdapter);
    expect(c.get(TOKENS.Notifier)).toBeInstanceOf(SlackNotifier);
    expect(c.get(TOKENS.Metrics)).toBeInstanceOf(PowertoolsMetrics);
    for (const useCase of [
      TOKENS.PlanRotation,
      TOKENS.RollBack,
      TOKENS.NotifyRun,
      TOKENS.DescribeTarget,
      TOKENS.Runner,
    ]) {
      expect(c.get(useCase)).toBeDefined();
    }
  });

  it('builds each SDK client once (one set per cold start)', () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const c = createContainer(ALL_WIRING, withConfig);

    expect(c.get(ADAPTER_TOKENS.IamClient)).toBe(c.get(ADAPTER_TOKENS.IamClient));
    expect(c.get(ADAPTER_TOKENS.SsmClient)).toBe(c.get(ADAPTER_TOKENS.SsmClient));
  });

  it('gives every Azure DevOps adapter, the keyless inventory included, the one HTTP client of the process', () => {
    // Arrange
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const c = createContainer([...ALL_WIRING, keylessWiring], withConfig);
    const client = c.get(ADAPTER_TOKENS.AzureDevOpsHttpClient);

    // Act
    const adapters = [TOKENS.AzureDevOps, TOKENS.VariableGroups, TOKENS.PipelineRuns, TOKENS.AzureDevOpsInventory].map(
      (token) => c.get<{ client: unknown }>(token),
    );

    // Assess: one client (its credential cache and its pacing per organization and credential are shared)
    expect(client).toBeInstanceOf(AzureDevOpsHttpClient);
    for (const adapter of adapters) expect(adapter.client).toBe(client);
  });

  it('binds only the slices it is given, so a step without Azure DevOps has no Azure DevOps adapter', () => {
    const c = createContainer([iamWiring, secretsWiring], withConfig);

    expect(c.isBound(TOKENS.IamAccessKeys)).toBe(true);
    expect(c.isBound(TOKENS.AzureDevOps)).toBe(false);
    expect(c.isBound(ADAPTER_TOKENS.SsmClient)).toBe(false);
  });

  it('lets an override replace a production binding', () => {
    const fake = { listKeys: async () => [] };

    const c = createContainer(ALL_WIRING, new Map<symbol, unknown>([...withConfig, [TOKENS.IamAccessKeys, fake]]));

    expect(c.get(TOKENS.IamAccessKeys)).toBe(fake);
  });
});
