/**
 * Dependency-injection tokens of the ports and the use cases. Adapters name them in `@inject(TOKENS.X)`
 * (esbuild emits no decorator metadata, so every constructor parameter needs one). The tokens of the
 * adapters' own parts (SDK clients, `fetch`, settings) are in src/wiring/tokens.ts, next to the wiring.
 */
export const TOKENS = {
  IamAccessKeys: Symbol.for('rotator.IamAccessKeysPort'),
  KeyVerifier: Symbol.for('rotator.KeyVerifierPort'),
  SecretStore: Symbol.for('rotator.SecretStorePort'),
  AzureDevOps: Symbol.for('rotator.AzureDevOpsPort'),
  VariableGroups: Symbol.for('rotator.VariableGroupsPort'),
  PipelineRuns: Symbol.for('rotator.PipelineRunsPort'),
  // Going keyless (discover, migrate-to-oidc): the CLI only.
  IamIdentity: Symbol.for('rotator.IamIdentityPort'),
  AzureDevOpsInventory: Symbol.for('rotator.AzureDevOpsInventoryPort'),
  Notifier: Symbol.for('rotator.NotifierPort'),
  Metrics: Symbol.for('rotator.MetricsPort'),
  Clock: Symbol.for('rotator.ClockPort'),
  Targets: Symbol.for('rotator.TargetsPort'),
  SecureParameters: Symbol.for('rotator.SecureParametersPort'),
  RunResults: Symbol.for('rotator.RunResultsPort'),
  WebIdentityToken: Symbol.for('rotator.WebIdentityTokenPort'),
  Logger: Symbol.for('rotator.Logger'),
  // Use cases.
  PlanRotation: Symbol.for('rotator.PlanRotation'),
  CleanUpKeys: Symbol.for('rotator.CleanUpKeys'),
  CreateKey: Symbol.for('rotator.CreateKey'),
  VerifyKey: Symbol.for('rotator.VerifyKey'),
  PublishKey: Symbol.for('rotator.PublishKey'),
  VerifyPublish: Symbol.for('rotator.VerifyPublish'),
  QueueCanary: Symbol.for('rotator.QueueCanary'),
  CheckCanary: Symbol.for('rotator.CheckCanary'),
  PromoteSecret: Symbol.for('rotator.PromoteSecret'),
  RevokeOldKey: Symbol.for('rotator.RevokeOldKey'),
  RollBack: Symbol.for('rotator.RollBack'),
  ReportTarget: Symbol.for('rotator.ReportTarget'),
  NotifyRun: Symbol.for('rotator.NotifyRun'),
  DescribeTarget: Symbol.for('rotator.DescribeTarget'),
  Runner: Symbol.for('rotator.RotationRunner'),
} as const;
