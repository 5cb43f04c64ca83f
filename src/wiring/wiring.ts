import type { Container } from 'inversify';

/**
 * A slice of the composition root: binds the adapters (and SDK clients) of one feature.
 *
 * The root is split this way so that each Lambda's bundle carries only the SDK clients its step
 * uses (esbuild drops what no import reaches): the verify-key step has no IAM or SSM client, the
 * promote step no Azure DevOps client. Each handler names the slices it needs; the CLI takes all.
 */
export type Wiring = (container: Container) => void;

/** Binds `token` with `bind` unless another slice already did (shared clients, shared ports). */
export function bindOnce(container: Container, token: symbol, bind: () => void): void {
  if (!container.isBound(token)) bind();
}
