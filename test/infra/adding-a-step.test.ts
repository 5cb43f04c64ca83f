/**
 * Adding a step touches only the files the README's Layout section lists ("Adding a step"). This
 * test adds a step the way a newcomer would, by changing exactly those modules (mocked here: the
 * catalog gets an entry and the `next` of the step before it; the use cases' index gets its class)
 * and nothing else, then sees everything a step needs appear: its Lambda entry, its Lambda with its
 * timeout and IAM access, its state in the synthesized state machine, and its place in the
 * in-process runner's walk. It also reads the README's list, so the list cannot drift from the code.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { handlerEntrySource } from '../../infra/handler-entries.js';
import { AdoKeyRotator } from '../../infra/key-rotator.js';
import { loadRotationConfigFile } from '../../src/adapters/config/config-targets.adapter.js';
import { parseRotationConfig } from '../../src/config/parse-rotation-config.js';
import { TARGET_LIFECYCLE } from '../../src/domain/lifecycle/lifecycle.js';
import type { RotationState } from '../../src/domain/rotation-state.js';
import { allStates, definitionFromTemplate } from '../../local/local-run.js';
import { captureOutput } from '../../local/capture-output.js';
import { FakeWorld } from '../../local/fakes/world.js';
import { localTaskHandlers } from '../../local/local-handlers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const STEP = 'fake-step';

/** The modules this test changes: exactly the source files the README says a new step touches. */
const CHANGED = ['src/domain/lifecycle/catalog.ts', 'src/domain/use-cases/index.ts'];

vi.mock('../../src/domain/lifecycle/catalog.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/domain/lifecycle/catalog.js')>();
  const { TOKENS } = await import('../../src/ports/tokens.js');
  const { TRANSIENT_RETRY } = await import('../../src/domain/lifecycle/retry.js');
  const entries = Object.entries(real.STEP_CATALOG).flatMap(([name, entry]): [string, unknown][] =>
    name === 'verify-key'
      ? [
          [name, { ...entry, next: 'fake-step' }],
          [
            'fake-step',
            {
              scope: 'target',
              summary: 'A step added by a test.',
              next: 'publish',
              useCase: Symbol.for('rotator.FakeStep'),
              ports: [TOKENS.Targets, TOKENS.SecretStore],
              retry: [TRANSIENT_RETRY],
              onFailure: { kind: 'rollback' },
              access: {
                iam: [],
                secrets: ['secretsmanager:DescribeSecret'],
                adoCredential: false,
                slackWebhook: false,
              },
              // One AWS call: 30 s to start, 25 s for the call (budgets.ts).
              calls: { azureDevOps: 0, azureDevOpsPerExtraHolder: 0, aws: 1, slack: 0 },
              timeoutSeconds: 55,
            },
          ],
        ]
      : [[name, entry]],
  );
  const STEP_CATALOG = Object.fromEntries(entries) as unknown as typeof real.STEP_CATALOG;
  const LAMBDA_STEPS = Object.keys(STEP_CATALOG) as typeof real.LAMBDA_STEPS;
  const STEPS = LAMBDA_STEPS.filter((s) => STEP_CATALOG[s].scope === 'target') as typeof real.STEPS;
  return {
    ...real,
    STEP_CATALOG,
    LAMBDA_STEPS,
    STEPS,
    stepDeclaration: (step: keyof typeof STEP_CATALOG) => STEP_CATALOG[step],
    ROLLED_BACK_STEPS: STEPS.filter((s) => STEP_CATALOG[s].onFailure.kind === 'rollback'),
  };
});

vi.mock('../../src/domain/use-cases/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/domain/use-cases/index.js')>();
  const { markCompleted } = await import('../../src/domain/rotation-state.js');
  class FakeStep {
    constructor(
      readonly targets: unknown,
      readonly secrets: unknown,
    ) {}
    async execute(state: RotationState) {
      return markCompleted(state, 'fake-step' as never);
    }
  }
  return { ...real, USE_CASE_CLASSES: { ...real.USE_CASE_CLASSES, 'fake-step': FakeStep } };
});

const outdir = mkdtempSync(path.join(tmpdir(), 'adding-a-step-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function synthesize() {
  const config = parseRotationConfig(loadRotationConfigFile(path.join(ROOT, 'rotation.config.json')));
  const stack = new Stack(new App({ outdir, builtinCloudFormationValidation: false }), 'Added');
  const rotator = new AdoKeyRotator(stack, 'Rotator', {
    ...config,
    lambdaCode: () => lambda.Code.fromInline('exports.handler = async () => ({});'),
  });
  return { stack, rotator, template: Template.fromStack(stack) };
}

describe('Adding a step', () => {
  it("lists in the README exactly the source files this test had to change, plus the use case's own", () => {
    // Prepare
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Adding a step** touches'));
    const list = section.slice(0, section.indexOf('\n\n'));

    // Act
    const files = [...list.matchAll(/^\d+\. `([^`]+)`/gm)].map((m) => m[1]);

    // Assess
    expect(files).toEqual([...CHANGED, 'src/domain/use-cases/<step>.ts', 'test/domain/use-cases/<step>.test.ts']);
  });

  it('generates its Lambda entry, importing only the slices of its ports', () => {
    // Act
    const source = handlerEntrySource(STEP as never, ROOT);

    // Assess
    expect(source).toContain('export const handler = lambdaHandler("fake-step", [secretsWiring]);');
  });

  it('gives it a Lambda with its timeout and a role with its access only', () => {
    // Prepare
    const { stack, rotator, template } = synthesize();
    const fn = rotator.functions[STEP as never] as lambda.Function;
    const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);

    // Act
    const [props] = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (r) => r.Properties.Description === 'ado-key-rotator: fake-step step',
    );
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );
    const actions = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()),
    );

    // Assess
    expect(props?.Properties.Timeout).toBe(55);
    expect(actions).toContain('secretsmanager:DescribeSecret');
    expect(actions.filter((a: string) => a.startsWith('iam:') || a.startsWith('ssm:'))).toEqual([]);
  });

  it('puts its state in the state machine after verify-key, rolled back on failure', () => {
    // Prepare
    const { template } = synthesize();

    // Act
    const states = Object.fromEntries(allStates(definitionFromTemplate(template.toJSON()))) as Record<
      string,
      { Type?: string; Next?: string }
    >;

    // Assess
    expect(states['verify-key']?.Next).toBe(STEP);
    expect(states[STEP]).toMatchObject({ Type: 'Task', Next: 'publish' });
    expect(JSON.stringify(states[STEP])).toContain('"Next":"fake-step failed"');
    expect(states['fake-step failed']?.Next).toBe('rollback');
  });

  it("places it in the runner's lifecycle and runs it through its Lambda handler", async () => {
    // Prepare
    const world = new FakeWorld();
    const handlers = localTaskHandlers(world);
    const state: RotationState = {
      rotationId: '7f4d2c9e-1b3a-4c5d-8e6f-a1b2c3d4e5f6',
      targetName: 'target-1',
      mode: 'rotate',
      startedAt: world.clock.now().toISOString(),
      completed: [],
      warnings: [],
    };

    const handler = (handlers as Record<string, typeof handlers.plan>)[STEP];
    if (!handler) throw new Error('no handler for the added step');

    // Act
    const { result } = await captureOutput(() => handler(state));

    // Assess
    expect(TARGET_LIFECYCLE.nodes[STEP]).toEqual({ kind: 'step', step: STEP, next: 'publish' });
    expect((result as RotationState).completed).toEqual([STEP]);
  });
});
