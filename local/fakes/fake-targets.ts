import { UnknownTargetError } from '../../src/domain/errors.js';
import { DEFAULT_SETTINGS, type RotationSettings, type RotationTarget } from '../../src/domain/model.js';
import type { TargetsPort } from '../../src/ports/targets.port.js';

/** Targets and settings held in memory. */
export class FakeTargets implements TargetsPort {
  readonly targets: RotationTarget[] = [];
  private readonly positions = new Map<string, number>();
  settings: RotationSettings;

  constructor(settings: Partial<RotationSettings> = {}) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  add(target: RotationTarget): void {
    this.targets.push(target);
  }

  /** Replaces the target of the same name (a configuration change). */
  replace(target: RotationTarget): void {
    const index = this.targets.findIndex((t) => t.name === target.name);
    if (index < 0) throw new Error(`no target ${target.name}`);
    this.targets[index] = target;
  }

  async listTargets(): Promise<RotationTarget[]> {
    return structuredClone(this.targets);
  }

  async getTarget(name: string): Promise<RotationTarget> {
    // A position remembered per name (a fleet looks targets up thousands of times), checked, else a scan.
    let hint = this.targets[this.positions.get(name) ?? -1];
    if (hint?.name !== name) {
      for (const [i, t] of this.targets.entries()) if (!this.positions.has(t.name)) this.positions.set(t.name, i);
      hint = this.targets[this.positions.get(name) ?? -1];
    }
    const target = hint?.name === name ? hint : this.targets.find((t) => t.name === name);
    if (!target) {
      throw new UnknownTargetError(
        `no target named "${name}" in the configuration (known: ` +
          `${this.targets.map((t) => t.name).join(', ') || 'none'})`,
        {
          context: { target: name },
        },
      );
    }
    return structuredClone(target);
  }

  async getSettings(): Promise<RotationSettings> {
    return { ...this.settings };
  }
}

// One fake per port: the SecureParametersPort fake has its own module; re-exported for existing imports.
export { FakeSecureParameters } from './fake-secure-parameters.js';
