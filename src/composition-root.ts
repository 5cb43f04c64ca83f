import { Container } from 'inversify';
import {
  ROTATION_CONFIG,
  ConfigTargetsAdapter,
  loadRotationConfigFromEnv,
} from './adapters/config/config-targets.adapter.js';
import { nodeFetch } from './adapters/http/node-fetch.js';
import { logger } from './adapters/observability/logger.js';
import { SystemClock } from './adapters/system-clock.js';
import { LAMBDA_STEPS, stepDeclaration } from './domain/lifecycle/catalog.js';
import { RotationRunner, type RotationUseCases, useCaseKey } from './domain/runner.js';
import { DescribeTarget, USE_CASE_CLASSES } from './domain/use-cases/index.js';
import { TOKENS } from './ports/tokens.js';
import type { Wiring } from './wiring/wiring.js';
import { ADAPTER_TOKENS } from './wiring/tokens.js';

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
  // Node's http/https, not undici: the global fetch costs ~15 ms of every cold start (src/adapters/http/node-fetch.ts).
  c.bind(ADAPTER_TOKENS.Fetch).toConstantValue(nodeFetch);
  c.bind(TOKENS.Targets).to(ConfigTargetsAdapter);

  // The adapters of each slice: SDK clients, Azure DevOps, Slack, CloudWatch metrics.
  for (const slice of wiring) slice(c);

  // Use cases: plain classes (the domain knows no DI), each built from the ports its catalog entry names.
  const T = TOKENS;
  for (const step of LAMBDA_STEPS) {
    const { useCase, ports } = stepDeclaration(step);
    const UseCase = USE_CASE_CLASSES[step];
    c.bind(useCase).toResolvedValue((...args: unknown[]) => new UseCase(...args), [...ports]);
  }
  c.bind(T.DescribeTarget).toResolvedValue(
    (...a: ConstructorParameters<typeof DescribeTarget>) => new DescribeTarget(...a),
    [
      T.Targets,
      T.IamAccessKeys,
      T.SecretStore,
      T.AzureDevOps,
      T.Clock,
      { serviceIdentifier: T.VariableGroups, optional: true },
      { serviceIdentifier: T.PipelineRuns, optional: true },
    ],
  );
  c.bind(T.Runner).toDynamicValue(
    (ctx) =>
      new RotationRunner(
        Object.fromEntries(
          LAMBDA_STEPS.map((step) => [useCaseKey(step), ctx.get(stepDeclaration(step).useCase)]),
        ) as RotationUseCases,
        ctx.get(T.Clock),
      ),
  );

  for (const [token, value] of overrides) {
    if (c.isBound(token)) c.unbind(token);
    c.bind(token).toConstantValue(value);
  }
  return c;
}

/** One container per set of slices (a handler names its own), built at its first use: in Lambda, at the cold start. */
const containers = new Map<readonly Wiring[], Container>();
/** What tests and the local demo bind instead of the production adapters, in every container built after. */
let configuredOverrides: Overrides = new Map();

/** The container built from these slices (the handler's), with the configured overrides; built once. */
export function getContainer(wiring: readonly Wiring[]): Container {
  let container = containers.get(wiring);
  if (!container) {
    container = createContainer(wiring, configuredOverrides);
    containers.set(wiring, container);
  }
  return container;
}

/**
 * Sets the overrides every container is built with from now on (tests and the local demo bind fakes
 * this way), drops the containers built before, and returns the one for `wiring`.
 */
export function configureContainer(wiring: readonly Wiring[], overrides: Overrides): Container {
  containers.clear();
  configuredOverrides = overrides;
  return getContainer(wiring);
}
