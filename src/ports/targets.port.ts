import type { RotationSettings, RotationTarget } from '../domain/model.js';

/** The configured rotation targets and policy. `getTarget` throws `UnknownTargetError` for an unknown name. */
export interface TargetsPort {
  listTargets(): Promise<RotationTarget[]>;
  getTarget(name: string): Promise<RotationTarget>;
  getSettings(): Promise<RotationSettings>;
}
