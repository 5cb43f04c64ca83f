import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { loadRotationConfigFile } from '../src/adapters/config/config-targets.adapter.js';
import type { RotationConfig } from '../src/domain/config.js';
import { AdoKeyRotator, type AdoKeyRotatorOverrides } from './key-rotator.js';

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
export function createApp(options: CreateAppOptions = {}): { app: App; stack: AdoKeyRotatorStack; configPath: string } {
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
  return { app, stack, configPath };
}
