import 'reflect-metadata';
import { Container } from 'inversify';
import { ROTATION_CONFIG, ConfigTargetsAdapter, loadRotationConfigFromEnv } from './adapters/config/config-targets.adapter.js';
import { logger } from './adapters/observability/logger.js';
import { SystemClock } from './adapters/system-clock.js';
import { RotationRunner } from './domain/runner.js';
import {
  CleanUpKeys,
  CreateKey,
  DescribeTarget,
  NotifyRun,
  PlanRotation,
  PromoteSecret,
  PublishKey,
  ReportTarget,
  RevokeOldKey,
  RollBack,
  VerifyKey,
  VerifyPublish,
} from './domain/use-cases/index.js';
import { TOKENS } from './ports/tokens.js';
import type { Wiring } from './wiring/wiring.js';

/** A token and the value to bind to it instead of the production binding (tests, the demo, the CLI). */
export type Overrides = ReadonlyMap<symbol, unknown>;

/**
 * The one place where ports meet adapters. Everything is a singleton built on first use, so a
 * Lambda builds its SDK clients once per cold start. The adapters come in slices (`src/wiring/`):
 * each Lambda names the slices its step needs, so its bundle carries no other SDK client; the CLI
 * takes them all (`ALL_WIRING`). Tests and the local demo pass `overrides` (the in-memory fakes,
 * a local Azure DevOps URL...) to the same wiring, not to a copy of it.
 */
export function createContainer(wiring: readonly Wiring[], overrides: Overrides = new Map()): Container {
  const c = new Container({ defaultScope: 'Singleton' });

  // Configuration and cross-cutting.
  c.bind(ROTATION_CONFIG).toDynamicValue(() => loadRotationConfigFromEnv());
  c.bind(TOKENS.Logger).toConstantValue(logger);
  c.bind(TOKENS.Clock).to(SystemClock);
  c.bind(TOKENS.Fetch).toConstantValue(globalThis.fetch.bind(globalThis));
  c.bind(TOKENS.Targets).to(ConfigTargetsAdapter);

  // The adapters of each slice: SDK clients, Azure DevOps, Slack, CloudWatch metrics.
  for (const slice of wiring) slice(c);

  // Use cases: plain classes (the domain knows no DI), built from the ports they name.
  const T = TOKENS;
  c.bind(T.PlanRotation).toResolvedValue((...a: ConstructorParameters<typeof PlanRotation>) => new PlanRotation(...a), [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps, T.Clock]);
  c.bind(T.CleanUpKeys).toResolvedValue((...a: ConstructorParameters<typeof CleanUpKeys>) => new CleanUpKeys(...a), [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps]);
  c.bind(T.CreateKey).toResolvedValue((...a: ConstructorParameters<typeof CreateKey>) => new CreateKey(...a), [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps]);
  c.bind(T.VerifyKey).toResolvedValue((...a: ConstructorParameters<typeof VerifyKey>) => new VerifyKey(...a), [T.Targets, T.SecretStore, T.KeyVerifier]);
  c.bind(T.PublishKey).toResolvedValue((...a: ConstructorParameters<typeof PublishKey>) => new PublishKey(...a), [T.Targets, T.SecretStore, T.AzureDevOps]);
  c.bind(T.VerifyPublish).toResolvedValue((...a: ConstructorParameters<typeof VerifyPublish>) => new VerifyPublish(...a), [T.Targets, T.AzureDevOps]);
  c.bind(T.PromoteSecret).toResolvedValue((...a: ConstructorParameters<typeof PromoteSecret>) => new PromoteSecret(...a), [T.Targets, T.SecretStore]);
  c.bind(T.RevokeOldKey).toResolvedValue((...a: ConstructorParameters<typeof RevokeOldKey>) => new RevokeOldKey(...a), [T.Targets, T.IamAccessKeys, T.AzureDevOps, T.SecretStore]);
  c.bind(T.RollBack).toResolvedValue((...a: ConstructorParameters<typeof RollBack>) => new RollBack(...a), [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps]);
  c.bind(T.ReportTarget).toResolvedValue((...a: ConstructorParameters<typeof ReportTarget>) => new ReportTarget(...a), [T.Targets, T.Metrics, T.Clock]);
  c.bind(T.NotifyRun).toResolvedValue((...a: ConstructorParameters<typeof NotifyRun>) => new NotifyRun(...a), [T.Notifier, T.Metrics]);
  c.bind(T.DescribeTarget).toResolvedValue((...a: ConstructorParameters<typeof DescribeTarget>) => new DescribeTarget(...a), [T.Targets, T.IamAccessKeys, T.SecretStore, T.AzureDevOps, T.Clock]);
  c.bind(T.Runner).toDynamicValue(
    (ctx) =>
      new RotationRunner(
        {
          plan: ctx.get(T.PlanRotation),
          cleanup: ctx.get(T.CleanUpKeys),
          create: ctx.get(T.CreateKey),
          verifyKey: ctx.get(T.VerifyKey),
          publish: ctx.get(T.PublishKey),
          verifyPublish: ctx.get(T.VerifyPublish),
          promote: ctx.get(T.PromoteSecret),
          revoke: ctx.get(T.RevokeOldKey),
          rollback: ctx.get(T.RollBack),
          report: ctx.get(T.ReportTarget),
          notify: ctx.get(T.NotifyRun),
        },
        ctx.get(T.Clock),
      ),
  );

  for (const [token, value] of overrides) {
    if (c.isBound(token)) c.unbind(token);
    c.bind(token).toConstantValue(value);
  }
  return c;
}

let current: Container | undefined;

/** The container of this Lambda instance, built at the first invocation (cold start) from its step's slices. */
export function getContainer(wiring: readonly Wiring[]): Container {
  current ??= createContainer(wiring);
  return current;
}

/** Replaces this instance's container (tests and the local demo bind fakes this way). */
export function configureContainer(wiring: readonly Wiring[], overrides: Overrides): Container {
  current = createContainer(wiring, overrides);
  return current;
}
