/**
 * DI tokens of the adapters' own parts (SDK clients, `fetch`, settings): they are how the wiring
 * slices hand an adapter what it is built from, so they live next to the wiring. The domain never
 * sees them; its ports' tokens are in src/ports/tokens.ts.
 */
export const ADAPTER_TOKENS = {
  // AWS SDK clients, built once per cold start by their slice.
  IamClient: Symbol.for('rotator.IAMClient'),
  SecretsManagerClient: Symbol.for('rotator.SecretsManagerClient'),
  SsmClient: Symbol.for('rotator.SSMClient'),
  /** S3, for the run's results the Distributed Map wrote (notify). */
  S3Client: Symbol.for('rotator.S3Client'),
  StsClientFactory: Symbol.for('rotator.StsClientFactory'),
  /** The STS client of the Lambda's own role (the federated Azure DevOps credential's web identity token). */
  StsRoleClient: Symbol.for('rotator.StsRoleClient'),
  /** Temporary credentials of the roles targets in other accounts are reached through (one cache per process). */
  AssumedRoles: Symbol.for('rotator.AssumedRoles'),
  Fetch: Symbol.for('rotator.fetch'),
  /** The parsed configuration (`RotationConfig`). */
  RotationConfig: Symbol.for('rotator.RotationConfig'),
  /**
   * The one Azure DevOps HTTP client every Azure DevOps adapter is given (its credentials' token
   * cache and its rate-limit pacing are per organization and credential, shared by all of them).
   */
  AzureDevOpsHttpClient: Symbol.for('rotator.AzureDevOpsHttpClient'),
  /** Optional: the Azure DevOps client's timeouts, retry bounds and (in tests) `sleep`/`now`/`random`. */
  AzureDevOpsClientOptions: Symbol.for('rotator.AzureDevOpsClientOptions'),
  SlackSettings: Symbol.for('rotator.SlackSettings'),
  PowertoolsMetrics: Symbol.for('rotator.PowertoolsMetrics'),
} as const;
