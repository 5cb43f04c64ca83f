import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { loadRotationConfigFile } from '../src/adapters/config/config-targets.adapter.js';
import type { RotationConfig } from '../src/domain/config.js';
import { ConfigurationError } from '../src/domain/errors.js';
import { AdoKeyRotator, type AdoKeyRotatorOverrides } from './key-rotator.js';
import { AdoKeyRotatorMemberRoles } from './member-account.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CONFIG_PATH = path.join(REPO_ROOT, 'rotation.config.json');
export const STACK_NAME = 'AdoKeyRotator';

export interface AdoKeyRotatorStackProps extends StackProps {
  config: RotationConfig;
  overrides?: AdoKeyRotatorOverrides;
}

/** The rotator on its own, as this repository deploys it. */
export class AdoKeyRotatorStack extends Stack {
  readonly rotator: AdoKeyRotator;

  constructor(scope: Construct, id: string, props: AdoKeyRotatorStackProps) {
    super(scope, id, {
      description: 'Rotates the AWS access keys behind Azure DevOps AWS service connections (ado-aws-key-rotator)',
      ...props,
    });
    this.rotator = new AdoKeyRotator(this, 'KeyRotator', { ...props.config, ...props.overrides });
    Tags.of(this).add('app', 'ado-key-rotator');
  }
}

export interface CreateAppOptions {
  /** Configuration file. Default: `-c config=<path>` from the CDK context, else rotation.config.json. */
  configPath?: string;
  appProps?: AppProps;
  overrides?: AdoKeyRotatorOverrides;
}

/**
 * The CDK app: the configuration file, the stack and the cdk-nag AwsSolutions checks (a
 * policy-validation plugin: an unacknowledged finding fails synth).
 * Throws `ConfigurationError` naming the field when the configuration is invalid.
 */
export function createApp(options: CreateAppOptions = {}): {
  app: App;
  stack: AdoKeyRotatorStack;
  configPath: string;
  member?: Stack;
} {
  const app = new App(options.appProps);
  const fromContext = app.node.tryGetContext('config') as unknown;
  const configPath = path.resolve(
    options.configPath ?? (typeof fromContext === 'string' ? fromContext : DEFAULT_CONFIG_PATH),
  );
  const config = loadRotationConfigFile(configPath);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new AdoKeyRotatorStack(app, STACK_NAME, {
    config,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    // Account and region come from the deploying credentials (cdk deploy): no lookups, so synth works offline.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  const member = memberStack(app, config);
  return { app, stack, configPath, ...(member ? { member } : {}) };
}

export const MEMBER_STACK_NAME = 'AdoKeyRotatorMember';

/**
 * The member-account roles, for a StackSet: with `-c stepRoleArns='{"plan":"arn:…",…}'` (the rotator stack's
 * StepRoleArns output), the app also synthesizes `AdoKeyRotatorMember` (no account: one template for every
 * member account; `-c memberAccount=222222222222` scopes it to that account's targets).
 */
function memberStack(app: App, config: RotationConfig): Stack | undefined {
  const arns = app.node.tryGetContext('stepRoleArns') as unknown;
  if (arns === undefined) return undefined;
  let trusted: unknown;
  try {
    trusted = typeof arns === 'string' ? JSON.parse(arns) : arns;
  } catch {
    trusted = undefined;
  }
  if (typeof trusted !== 'object' || trusted === null || Array.isArray(trusted))
    throw new ConfigurationError(
      'Invalid context: stepRoleArns is not a JSON object of step names to role ARNs: give the rotator ' +
        "stack's StepRoleArns output as it is",
      { context: { field: 'stepRoleArns' } },
    );
  const account = app.node.tryGetContext('memberAccount') as unknown;
  const stack = new Stack(app, MEMBER_STACK_NAME, {
    description: 'The roles ado-key-rotator assumes in a member account (deploy with a StackSet)',
  });
  new AdoKeyRotatorMemberRoles(stack, 'Roles', {
    config,
    trustedStepRoleArns: trusted as Record<string, string>,
    ...(typeof account === 'string' ? { account } : {}),
  });
  Tags.of(stack).add('app', 'ado-key-rotator');
  return stack;
}
