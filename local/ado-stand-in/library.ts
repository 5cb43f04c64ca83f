/**
 * The stand-in's variable groups (Library, `distributedtask/variablegroups`, api-version 7.1),
 * behaving like Azure DevOps where it matters to the rotator, and no more leniently:
 *
 * - a read answers every secret variable with `value: null` (list and read by id alike);
 * - a read of an id the project cannot see answers 200 with a `null` body;
 * - `Variablegroups_Update` (PUT, organization-scoped) replaces the whole group: a variable left
 *   out is gone; a secret variable sent with `value: null` (or no value) keeps its stored value
 *   only if it was already a secret of that name — otherwise it is blanked, as is a plain
 *   variable sent with `null`; missing `variableGroupProjectReferences` is a 400;
 * - Key Vault-linked groups (`type: AzureKeyVault`) can be seeded, to be refused by the client.
 */
import { vssError } from './vss.js';

export interface SeedVariable {
  value: string;
  isSecret?: boolean;
  isReadOnly?: boolean;
}

export interface SeedVariableGroupInput {
  id?: number;
  /** Default 'Vsts'; 'AzureKeyVault' for a Key Vault-linked group. */
  type?: string;
  description?: string;
  variables: Record<string, SeedVariable>;
  /** Projects sharing the group; the ref's project is always one of them. */
  projects?: string[];
}

export interface StoredVariableGroup {
  id: number;
  organization: string;
  name: string;
  type: string;
  description: string;
  /** As stored, secret values included (for assertions). */
  variables: Record<string, { value: string; isSecret: boolean; isReadOnly: boolean }>;
  projects: string[];
  /** Number of successful updates. */
  updates: number;
}

export type Reply = [number, unknown, Record<string, string>?];

interface Group extends StoredVariableGroup {
  providerData: Record<string, unknown> | null;
}

export class StandInLibrary {
  private readonly groups = new Map<number, Group>();
  private nextId = 1;

  constructor(private readonly projectId: (organization: string, project: string) => string) {}

  seed(organization: string, project: string, name: string, seed: SeedVariableGroupInput): number {
    const id = seed.id ?? this.nextId;
    this.nextId = Math.max(this.nextId, id) + 1;
    const projects = seed.projects ? [...seed.projects] : [project];
    if (!projects.some((p) => p.toLowerCase() === project.toLowerCase())) projects.unshift(project);
    const type = seed.type ?? 'Vsts';
    const variables: StoredVariableGroup['variables'] = {};
    for (const [key, v] of Object.entries(seed.variables)) {
      variables[key] = { value: v.value, isSecret: v.isSecret ?? false, isReadOnly: v.isReadOnly ?? false };
    }
    this.groups.set(id, {
      id,
      organization,
      name,
      type,
      description: seed.description ?? '',
      variables,
      projects,
      updates: 0,
      providerData:
        type === 'AzureKeyVault'
          ? { serviceEndpointId: '7d0e5f1c-1111-4222-8333-944444444444', vault: 'kv-fabrikam' }
          : null,
    });
    return id;
  }

  group(id: number): StoredVariableGroup | undefined {
    const group = this.groups.get(id);
    if (!group) return undefined;
    const { providerData: _providerData, ...rest } = group;
    return structuredClone(rest);
  }

  delete(id: number): boolean {
    return this.groups.delete(id);
  }

  /** GET list (optionally by `groupName`, `*` a wildcard) or by id, in a project. */
  /** The most groups one list answer holds (the stand-in's option `variableGroupPageSize`). */
  pageSize = 1_000;

  read(organization: string, project: string, id: string | undefined, query: URLSearchParams): Reply {
    const visible = (g: Group) =>
      g.organization === organization && g.projects.some((p) => p.toLowerCase() === project.toLowerCase());
    if (id !== undefined) {
      const group = this.groups.get(Number(id));
      return [200, group && visible(group) ? this.representation(group) : null];
    }
    const pattern = query.get('groupName');
    const matcher = pattern ? wildcard(pattern) : undefined;
    // Paged as Azure DevOps pages (7.1 Get Variable Groups): queryOrder (default IdDescending), $top, and
    // continuationToken: the groups after that id; the next token in the x-ms-continuationtoken header.
    const ascending = query.get('queryOrder')?.toLowerCase() === 'idascending';
    const after = query.get('continuationToken');
    const top = Math.min(Number(query.get('$top') ?? this.pageSize) || this.pageSize, this.pageSize);
    const matching = [...this.groups.values()]
      .filter((g) => visible(g) && (!matcher || matcher.test(g.name)))
      .sort((a, b) => (ascending ? a.id - b.id : b.id - a.id))
      .filter((g) => after === null || (ascending ? g.id > Number(after) : g.id < Number(after)));
    const page = matching.slice(0, top);
    const value = page.map((g) => this.representation(g));
    const last = page.at(-1);
    const more = matching.length > page.length && last ? { 'x-ms-continuationtoken': String(last.id) } : undefined;
    return more ? [200, { count: value.length, value }, more] : [200, { count: value.length, value }];
  }

  /** PUT `{org}/_apis/distributedtask/variablegroups/{id}`. */
  update(organization: string, id: string, raw: string): Reply {
    const group = this.groups.get(Number(id));
    if (!group || group.organization !== organization) {
      return [404, vssError('VariableGroupNotFoundException', `Variable group with id ${id} does not exist.`)];
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return [400, vssError('InvalidRequestBodyException', 'The request body is not valid JSON.')];
    }
    if (typeof body !== 'object' || body === null || typeof body.name !== 'string' || body.name.trim() === '') {
      return [400, vssError('ArgumentException', 'Variable group name cannot be empty.')];
    }
    const references = body.variableGroupProjectReferences;
    if (!Array.isArray(references) || references.length === 0) {
      return [
        400,
        vssError('ArgumentNullException', 'Value cannot be null.\r\nParameter name: variableGroupProjectReferences'),
      ];
    }
    const projects: string[] = [];
    for (const reference of references as { name?: unknown; projectReference?: { name?: unknown } }[]) {
      const project = reference?.projectReference?.name;
      if (typeof project !== 'string' || typeof reference.name !== 'string') {
        return [
          400,
          vssError('ArgumentException', 'Each variable group project reference needs a projectReference and a name.'),
        ];
      }
      projects.push(project);
    }
    const sent = body.variables;
    if (typeof sent !== 'object' || sent === null)
      return [400, vssError('ArgumentNullException', 'Value cannot be null.\r\nParameter name: variables')];
    if (typeof body.type === 'string' && body.type !== group.type) {
      return [
        400,
        vssError('ArgumentException', `The variable group type cannot change from ${group.type} to ${body.type}.`),
      ];
    }
    const variables: StoredVariableGroup['variables'] = {};
    for (const [name, variable] of Object.entries(
      sent as Record<string, { value?: unknown; isSecret?: unknown; isReadOnly?: unknown } | null>,
    )) {
      const isSecret = variable?.isSecret === true;
      const value = variable?.value;
      if (value !== undefined && value !== null && typeof value !== 'string') {
        return [400, vssError('ArgumentException', `The value of variable ${name} must be a string.`)];
      }
      const before = group.variables[name];
      // A secret sent without a value keeps the value it had, if it was a secret before; nothing else is kept.
      const kept =
        isSecret && (value === undefined || value === null) && before?.isSecret ? before.value : (value ?? '');
      variables[name] = { value: kept, isSecret, isReadOnly: variable?.isReadOnly === true };
    }
    group.name = body.name;
    group.description = typeof body.description === 'string' ? body.description : '';
    group.variables = variables;
    group.projects = projects;
    group.updates += 1;
    return [200, this.representation(group)];
  }

  private representation(group: Group): Record<string, unknown> {
    const variables: Record<string, Record<string, unknown>> = {};
    for (const [name, v] of Object.entries(group.variables)) {
      variables[name] = v.isSecret
        ? { value: null, isSecret: true }
        : { value: v.value, ...(v.isReadOnly ? { isReadOnly: true } : {}) };
    }
    const who = {
      displayName: 'Rotation Stand-In',
      id: '00000000-0000-0000-0000-00000000a11e',
      uniqueName: 'stand-in@example.com',
    };
    return {
      variables,
      id: group.id,
      type: group.type,
      name: group.name,
      description: group.description,
      ...(group.providerData ? { providerData: group.providerData } : {}),
      createdBy: who,
      createdOn: '2026-01-05T10:00:00.000Z',
      modifiedBy: who,
      modifiedOn: '2026-01-05T10:00:00.000Z',
      isShared: group.projects.length > 1,
      variableGroupProjectReferences: group.projects.map((project) => ({
        projectReference: { id: this.projectId(group.organization, project), name: project },
        name: group.name,
        description: group.description,
      })),
    };
  }
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'i');
}
