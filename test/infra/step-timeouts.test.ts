import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepTimeouts } from '../../infra/key-rotator.js';
import { loadRotationConfigFile } from '../../src/adapters/config/config-targets.adapter.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { CALL_BUDGET_SECONDS, LAMBDA_MAX_TIMEOUT_SECONDS } from '../../src/domain/lifecycle/budgets.js';
import { STEP_CATALOG } from '../../src/domain/lifecycle/catalog.js';

const EXAMPLE = loadRotationConfigFile(path.resolve(import.meta.dirname, '..', '..', 'rotation.config.json'));

describe('Function: stepTimeouts', () => {
  it("gives each Lambda its catalog timeout when every target's key has one holder", () => {
    // Prepare
    const config = parseRotationConfig({ ...structuredClone(EXAMPLE), targets: [EXAMPLE.targets[0]] });

    // Act
    const timeouts = stepTimeouts(config);

    // Assess
    expect(timeouts.publish.toSeconds()).toBe(STEP_CATALOG.publish.timeoutSeconds);
    expect(timeouts.rollback.toSeconds()).toBe(STEP_CATALOG.rollback.timeoutSeconds);
  });

  it("adds the Azure DevOps calls of every extra holder, up to Lambda's maximum", () => {
    // Prepare
    const target = { ...structuredClone(EXAMPLE.targets[0]) } as Record<string, unknown>;
    const first = target.connection as Record<string, unknown>;
    delete target.connection;
    target.connections = [first, { connectionName: 'aws-second' }, { connectionName: 'aws-third' }];
    const config = parseRotationConfig({ ...structuredClone(EXAMPLE), targets: [target] });

    // Act
    const timeouts = stepTimeouts(config);

    // Assess: publish writes each holder (GET and PUT); the rollback's budget passes 900 s and is capped.
    expect(timeouts.publish.toSeconds()).toBe(
      STEP_CATALOG.publish.timeoutSeconds + 2 * 2 * CALL_BUDGET_SECONDS.azureDevOps,
    );
    expect(timeouts.rollback.toSeconds()).toBe(LAMBDA_MAX_TIMEOUT_SECONDS);
    expect(timeouts['verify-key'].toSeconds()).toBe(STEP_CATALOG['verify-key'].timeoutSeconds);
  });
});
