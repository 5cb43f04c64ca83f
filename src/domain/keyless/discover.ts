import type { AzureDevOpsInventoryPort, DiscoveredConnection } from '../../ports/azure-devops-inventory.port.js';
import type { ClockPort } from '../../ports/clock.port.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { IamIdentityPort } from '../../ports/iam-identity.port.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { DEFAULT_SETTINGS, TARGET_NAME_PATTERN } from '../model.js';
import { RotationError } from '../errors.js';

const DAY_MS = 86_400_000;

export interface DiscoverRequest {
  organizationUrl: string;
  credentialParameter: string;
  /** Empty: every project of the organization. */
  projects: string[];
  /** Look the keys up in IAM (needs credentials for the account). */
  withAws: boolean;
}

/** The IAM side of a connection's key, when AWS could be asked. */
export interface KeyOwnerLine {
  userName: string;
  keyStatus: 'Active' | 'Inactive' | null;
  keyAgeDays: number | null;
  lastUsedAt: string | null;
  lastUsedService: string | null;
}

export interface DiscoveredRow {
  connection: DiscoveredConnection;
  owner: KeyOwnerLine | null;
  /** Why the owner is unknown (a key of another account, access denied...). */
  ownerProblem: string | null;
}

export interface VariableGroupHint {
  project: string;
  groupId: number;
  groupName: string;
  /** The variables that look like an AWS key pair. */
  variables: string[];
}

export interface DiscoveryResult {
  organizationUrl: string;
  organizationId: string;
  hosted: boolean;
  projects: string[];
  rows: DiscoveredRow[];
  /** Null when variable groups could not be listed (no adapter, or not allowed). */
  variableGroups: VariableGroupHint[] | null;
  warnings: string[];
}

export interface DiscoverPorts {
  inventory: AzureDevOpsInventoryPort;
  identity: IamIdentityPort;
  iam: IamAccessKeysPort;
  clock: ClockPort;
  variableGroups?: VariableGroupsPort;
}

// `AWS_SECRET_ACCESS_KEY` ends in `_ACCESS_KEY` too: it is the other half, not a key id.
const KEY_ID_VARIABLE = /(^|[_.])(?<!SECRET_)(AWS_)?ACCESS_KEY(_ID)?$/i;
const SECRET_VARIABLE = /(^|[_.])(AWS_)?SECRET(_ACCESS)?_KEY$/i;

/**
 * `discover`: every AWS service connection of an organization (or of some projects), how it
 * authenticates, the key it holds and, with AWS credentials, the IAM user owning that key, its age
 * and last use; and the variable groups whose variables look like an AWS key pair. Read-only:
 * Azure DevOps never returns a secret, and none is asked for.
 */
export class DiscoverConnections {
  constructor(private readonly p: DiscoverPorts) {}

  async execute(request: DiscoverRequest): Promise<DiscoveryResult> {
    const scope = { organizationUrl: request.organizationUrl, credentialParameter: request.credentialParameter };
    const organization = await this.p.inventory.organization(scope);
    const projects = request.projects.length > 0 ? request.projects : await this.p.inventory.listProjects(scope);
    const byId = new Map<string, DiscoveredConnection>();
    const warnings: string[] = [];
    for (const project of projects) {
      // A connection shared with several projects is listed in each: once here, with all its projects.
      for (const c of await this.p.inventory.listAwsConnections({ ...scope, project }))
        if (!byId.has(c.id)) byId.set(c.id, c);
    }
    const rows: DiscoveredRow[] = [];
    for (const connection of byId.values()) rows.push(await this.withOwner(connection, request.withAws));
    if (!organization.hosted)
      warnings.push(
        `${request.organizationUrl} is Azure DevOps Server: its connections cannot move to OIDC; rotate their keys`,
      );
    return {
      organizationUrl: request.organizationUrl,
      organizationId: organization.organizationId,
      hosted: organization.hosted,
      projects,
      rows,
      variableGroups: await this.variableGroupHints(scope, projects, warnings),
      warnings,
    };
  }

  private async withOwner(connection: DiscoveredConnection, withAws: boolean): Promise<DiscoveredRow> {
    const key = connection.heldAccessKeyId;
    if (!withAws || !key) return { connection, owner: null, ownerProblem: null };
    try {
      const owner = await this.p.identity.keyOwner(key);
      const info = (await this.p.iam.listKeys(owner.userName)).find((k) => k.accessKeyId === key);
      return {
        connection,
        owner: {
          userName: owner.userName,
          keyStatus: info?.status ?? null,
          keyAgeDays: info ? Math.floor((this.p.clock.now().getTime() - info.createdAt.getTime()) / DAY_MS) : null,
          lastUsedAt: owner.lastUsedAt?.toISOString() ?? null,
          lastUsedService: owner.lastUsedService,
        },
        ownerProblem: null,
      };
    } catch (error) {
      if (!(error instanceof RotationError)) throw error;
      return { connection, owner: null, ownerProblem: `${error.name}: ${error.message}` };
    }
  }

  private async variableGroupHints(
    scope: { organizationUrl: string; credentialParameter: string },
    projects: string[],
    warnings: string[],
  ): Promise<VariableGroupHint[] | null> {
    if (!this.p.variableGroups) return null;
    const hints: VariableGroupHint[] = [];
    try {
      for (const project of projects) {
        for (const group of await this.p.variableGroups.listVariableGroups({ ...scope, project })) {
          const names = group.variables.map((v) => v.name);
          if (names.some((n) => KEY_ID_VARIABLE.test(n)) && names.some((n) => SECRET_VARIABLE.test(n))) {
            hints.push({
              project,
              groupId: group.id,
              groupName: group.name,
              variables: names.filter((n) => KEY_ID_VARIABLE.test(n) || SECRET_VARIABLE.test(n)),
            });
          }
        }
      }
    } catch (error) {
      if (!(error instanceof RotationError)) throw error;
      warnings.push(`variable groups were not listed (${error.name}: ${error.message})`);
      return null;
    }
    return hints;
  }
}

/**
 * A rotation configuration for the connections that hold a key whose owner is known, ready to
 * review (validated by `parseRotationConfig` before it is written). Names are `{project}-{connection}`.
 */
export function configFromDiscovery(result: DiscoveryResult, credentialParameter: string): Record<string, unknown> {
  const used = new Set<string>();
  const targets = result.rows
    .filter((r): r is DiscoveredRow & { owner: KeyOwnerLine } => r.connection.auth === 'keys' && r.owner !== null)
    .map((r) => {
      const project = r.connection.projects[0] ?? 'project';
      let name = slug(`${project}-${r.connection.name}`);
      for (let i = 2; used.has(name); i++) name = slug(`${project}-${r.connection.name}-${i}`);
      used.add(name);
      return {
        name,
        iamUserName: r.owner.userName,
        secretId: `ado-key-rotator/${name}`,
        connection: {
          organizationUrl: result.organizationUrl,
          project,
          connectionName: r.connection.name,
          credentialParameter,
        },
      };
    });
  return {
    $schema: './rotation.config.schema.json',
    targets,
    settings: { ...DEFAULT_SETTINGS },
    schedule: { expression: 'cron(0 3 ? * SUN *)', timeZone: 'Etc/UTC' },
    maxConcurrency: 5,
    // Discovery ran against a plain-http server on this machine (a local stand-in): the configuration
    // says so explicitly, which a deployable stack refuses at synth.
    ...(result.organizationUrl.startsWith('http://') ? { allowLoopbackHttp: true } : {}),
  };
}

function slug(text: string): string {
  const s = text
    .replace(/[^A-Za-z0-9._:-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 128);
  // Only an empty slug fails the pattern: every character left is allowed and the first is a letter or digit.
  return TARGET_NAME_PATTERN.test(s) ? s : 'target-';
}
