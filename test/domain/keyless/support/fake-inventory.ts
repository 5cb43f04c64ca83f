import { ConnectionGoneError } from '../../../../src/domain/errors.js';
import type { AccessKeyCredential, ConnectionRef } from '../../../../src/domain/model.js';
import type {
  AzureDevOpsInventoryPort,
  DiscoveredConnection,
  OrganizationInfo,
  OrganizationScope,
} from '../../../../src/ports/azure-devops-inventory.port.js';
import { FaultInjector } from '../../../../local/fakes/faults.js';

/**
 * `AzureDevOpsInventoryPort` in memory for the keyless use cases: one organization, its projects, its AWS
 * connections by id (each listed in every project it is shared with), switched to OIDC and back in place.
 * Calls go through a `FaultInjector` as `inventory.<method>`, with their arguments, so tests can fail one
 * and read what was asked.
 */
export class FakeInventory implements AzureDevOpsInventoryPort {
  info: OrganizationInfo = { organizationId: '5e0a4b4c-0000-4000-8000-00000000c0de', hosted: true };
  projects: string[] = [];
  readonly connections = new Map<string, DiscoveredConnection>();
  /** The secret a restore put back (for assertions only: Azure DevOps never returns it). */
  readonly restoredSecrets = new Map<string, string>();
  /** Every call with its arguments, in order. */
  readonly log: Array<{ call: string; args: unknown[] }> = [];
  /** What a read after a switch returns instead of the stored connection (a service that did not apply it). */
  readAfterSwitch: ((stored: DiscoveredConnection) => DiscoveredConnection) | undefined;
  /** What a read after a restore returns instead of the stored connection. */
  readAfterRestore: ((stored: DiscoveredConnection) => DiscoveredConnection) | undefined;
  private switched = false;
  private restored = false;

  constructor(readonly faults: FaultInjector = new FaultInjector()) {}

  seed(connection: Partial<DiscoveredConnection> & Pick<DiscoveredConnection, 'id' | 'name'>): DiscoveredConnection {
    const stored: DiscoveredConnection = {
      projects: ['payments'],
      auth: 'keys',
      heldAccessKeyId: null,
      assumeRoleArn: null,
      externalId: false,
      isReady: true,
      ...connection,
    };
    this.connections.set(stored.id, stored);
    return stored;
  }

  /** Changes a stored connection (what someone did in Azure DevOps). */
  change(connectionId: string, patch: Partial<DiscoveredConnection>): void {
    Object.assign(this.stored(connectionId), patch);
  }

  async organization(scope: OrganizationScope): Promise<OrganizationInfo> {
    return this.around('organization', [scope], () => ({ ...this.info }));
  }

  async listProjects(scope: OrganizationScope): Promise<string[]> {
    return this.around('listProjects', [scope], () => [...this.projects]);
  }

  async listAwsConnections(scope: OrganizationScope & { project: string }): Promise<DiscoveredConnection[]> {
    return this.around('listAwsConnections', [scope], () =>
      [...this.connections.values()].filter((c) => c.projects.includes(scope.project)).map((c) => structuredClone(c)),
    );
  }

  async describeConnection(ref: ConnectionRef, connectionId: string): Promise<DiscoveredConnection> {
    return this.around('describeConnection', [ref, connectionId], () => {
      const stored = structuredClone(this.stored(connectionId));
      if (this.restored && this.readAfterRestore) return this.readAfterRestore(stored);
      if (this.switched && this.readAfterSwitch) return this.readAfterSwitch(stored);
      return stored;
    });
  }

  async switchToOidc(ref: ConnectionRef, connectionId: string, roleArn: string): Promise<void> {
    return this.around('switchToOidc', [ref, connectionId, roleArn], () => {
      const stored = this.stored(connectionId);
      Object.assign(stored, { auth: 'oidc', heldAccessKeyId: null, assumeRoleArn: roleArn });
      this.switched = true;
    });
  }

  async restoreKey(
    ref: ConnectionRef,
    connectionId: string,
    credential: AccessKeyCredential,
    roleArn: string | null,
  ): Promise<void> {
    return this.around('restoreKey', [ref, connectionId, credential.accessKeyId, roleArn], () => {
      const stored = this.stored(connectionId);
      Object.assign(stored, { auth: 'keys', heldAccessKeyId: credential.accessKeyId, assumeRoleArn: roleArn });
      this.restoredSecrets.set(connectionId, credential.secretAccessKey.reveal());
      this.restored = true;
    });
  }

  /** The calls made, by name. */
  calls(): string[] {
    return this.log.map((l) => l.call);
  }

  private stored(connectionId: string): DiscoveredConnection {
    const stored = this.connections.get(connectionId);
    if (!stored) throw new ConnectionGoneError(`connection ${connectionId} is gone`);
    return stored;
  }

  private around<T>(method: string, args: unknown[], run: () => T): Promise<T> {
    this.log.push({ call: method, args });
    return this.faults.around(`inventory.${method}`, run, args);
  }
}
