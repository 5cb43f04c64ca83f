import {
  ConnectionAmbiguousError,
  ConnectionGoneError,
  ConnectionNotAwsError,
  ConnectionNotFoundError,
  ConnectionUsesOidcError,
} from '../../src/domain/errors.js';
import type { AccessKeyCredential, ConnectionRef, ConnectionState } from '../../src/domain/model.js';
import type { AzureDevOpsPort } from '../../src/ports/azure-devops.port.js';
import { FaultInjector } from './faults.js';
import { nextId } from './ids.js';

export interface StoredConnection {
  id: string;
  organizationUrl: string;
  /** Every project the connection is shared with; the first is its home. */
  projects: string[];
  name: string;
  type: string;
  usesOidc: boolean;
  accessKeyId: string | null;
  /** The confidential value. Azure DevOps never returns it; the fake keeps it for assertions. */
  secretAccessKey: string | null;
  sessionToken: string | null;
  assumeRoleArn: string | null;
  /** How many times it was updated (an update in place never changes `id`). */
  updates: number;
}

export interface SeedConnectionOptions {
  id?: string;
  type?: string;
  usesOidc?: boolean;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  projects?: string[];
  assumeRoleArn?: string;
  sessionToken?: string;
}

type Ref = Pick<ConnectionRef, 'organizationUrl' | 'project' | 'connectionName'>;

const normalizeOrg = (url: string) => url.replace(/\/+$/, '').toLowerCase();

/**
 * Azure DevOps service connections in memory: found by name within a project, read by id
 * (the secret comes back as null, as from the REST API), updated in place.
 */
export class FakeAzureDevOps implements AzureDevOpsPort {
  private readonly connections: StoredConnection[] = [];
  /** By id, and by name: a fleet of thousands is looked up by both on every call (connections are only added). */
  private readonly byIdIndex = new Map<string, StoredConnection>();
  private readonly byNameIndex = new Map<string, StoredConnection[]>();
  private readonly faults: FaultInjector;

  constructor(options: { faults?: FaultInjector } = {}) {
    this.faults = options.faults ?? new FaultInjector();
  }

  seedConnection(ref: Ref, options: SeedConnectionOptions): string {
    const id = options.id ?? nextId('');
    const stored: StoredConnection = {
      id,
      organizationUrl: normalizeOrg(ref.organizationUrl),
      projects: options.projects ?? [ref.project],
      name: ref.connectionName,
      type: options.type ?? 'AWS',
      usesOidc: options.usesOidc ?? false,
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken ?? null,
      assumeRoleArn: options.assumeRoleArn ?? null,
      updates: 0,
    };
    this.connections.push(stored);
    this.byIdIndex.set(id, stored);
    this.byNameIndex.set(stored.name, [...(this.byNameIndex.get(stored.name) ?? []), stored]);
    return id;
  }

  /** The id of the connection a ref names (for assertions only). */
  idOf(ref: Ref): string {
    const found = this.named(ref)[0];
    if (!found) throw new Error(`no connection ${ref.connectionName}`);
    return found.id;
  }

  /** The stored connection, including its secret (for assertions only). */
  connection(id: string): StoredConnection {
    const found = this.byIdIndex.get(id);
    if (!found) throw new Error(`no connection ${id}`);
    return found;
  }

  async findConnection(ref: ConnectionRef): Promise<ConnectionState> {
    return this.faults.around('ado.findConnection', () => {
      const matches = this.named(ref);
      if (matches.length === 0) {
        throw new ConnectionNotFoundError(
          `no service connection named "${ref.connectionName}" in project "${ref.project}" of ` +
            `${ref.organizationUrl}; check the target's connectionName and project`,
          {
            context: { organizationUrl: ref.organizationUrl, project: ref.project, connectionName: ref.connectionName },
          },
        );
      }
      if (matches.length > 1) {
        throw new ConnectionAmbiguousError(
          `${matches.length} service connections are named "${ref.connectionName}" in project "${ref.project}" ` +
            `of ${ref.organizationUrl} (${matches.map((c) => c.id).join(', ')}); rename all but one`,
          {
            context: { organizationUrl: ref.organizationUrl, project: ref.project, connectionName: ref.connectionName },
          },
        );
      }
      return toState(matches[0] as StoredConnection);
    });
  }

  async readConnection(ref: ConnectionRef, connectionId: string): Promise<ConnectionState> {
    return this.faults.around('ado.readConnection', () => toState(this.byId(ref, connectionId)));
  }

  async updateCredential(ref: ConnectionRef, connectionId: string, credential: AccessKeyCredential): Promise<void> {
    return this.faults.around('ado.updateCredential', () => {
      const connection = this.byId(ref, connectionId);
      if (connection.type.toUpperCase() !== 'AWS') {
        throw new ConnectionNotAwsError(
          `connection "${connection.name}" (${connection.id}) is of type ${connection.type}, not AWS; nothing ` +
            `was changed`,
        );
      }
      if (connection.usesOidc) {
        throw new ConnectionUsesOidcError(
          `connection "${connection.name}" (${connection.id}) uses OIDC; it holds no key to replace; nothing ` +
            `was changed`,
        );
      }
      connection.accessKeyId = credential.accessKeyId;
      connection.secretAccessKey = credential.secretAccessKey.reveal();
      connection.sessionToken = '';
      connection.updates++;
    });
  }

  /** The connections a ref's organization, project and name match, in the order they were added. */
  private named(ref: Ref): StoredConnection[] {
    const organizationUrl = normalizeOrg(ref.organizationUrl);
    return (this.byNameIndex.get(ref.connectionName) ?? []).filter(
      (c) => c.organizationUrl === organizationUrl && c.projects.includes(ref.project),
    );
  }

  private byId(ref: ConnectionRef, connectionId: string): StoredConnection {
    const candidate = this.byIdIndex.get(connectionId);
    const found = candidate?.organizationUrl === normalizeOrg(ref.organizationUrl) ? candidate : undefined;
    if (!found) {
      throw new ConnectionGoneError(
        `service connection ${connectionId} ("${ref.connectionName}") is gone from ${ref.organizationUrl}`,
        {
          context: { connectionId, project: ref.project },
        },
      );
    }
    return found;
  }
}

const toState = (c: StoredConnection): ConnectionState => ({
  id: c.id,
  name: c.name,
  type: c.type,
  usesOidc: c.usesOidc,
  heldAccessKeyId: c.accessKeyId,
  assumesRole: c.assumeRoleArn !== null,
  projectReferenceCount: c.projects.length,
});
