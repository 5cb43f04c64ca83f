// Over 300 lines: the one adapter of the variable groups port (find, read, list, update keeping every other
// secret), with the REST shapes its operations share.
import { inject, injectable } from 'inversify';
import {
  AzureDevOpsRequestError,
  VariableGroupAmbiguousError,
  VariableGroupGoneError,
  VariableGroupNotFoundError,
  VariableGroupUnsupportedError,
} from '../../domain/errors.js';
import { groupProblem } from '../../domain/holder-set.js';
import type {
  AdoCredentialRef,
  ProjectScope,
  VariableGroupRef,
  VariableGroupState,
  VariableGroupSummary,
} from '../../domain/holders.js';
import type { AccessKeyCredential } from '../../domain/model.js';
import { maskKeyId } from '../../domain/secret-value.js';
import type { VariableGroupsPort } from '../../ports/variable-groups.port.js';
import { type AzureDevOpsHttpClient, describeScope, type RequestScope } from './http-client.js';
import { API_VERSION } from './rest-types.js';
import { organizationBase } from './service-connection.adapter.js';
import {
  KEY_VAULT_GROUP_TYPE,
  PLAIN_GROUP_TYPE,
  type VariableGroup,
  type VariableGroupParameters,
  type VariableValue,
} from './variable-group-types.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';

/** 100 pages: far more variable groups than a project holds (the list is also capped in bytes per page). */
const MAX_PAGES = 100;
const LIBRARY_ACCESS =
  'the "Variable Groups (Read, create & manage)" scope and the Administrator role on the variable group';

/**
 * `VariableGroupsPort` on the Task Agent REST API (`distributedtask/variablegroups`), api-version 7.1.
 *
 * - find: `GET {org}/{project}/_apis/distributedtask/variablegroups?groupName=`, exact name
 *   (case-insensitive) among the answers, since `groupName` also matches wildcards.
 * - read: `GET {org}/{project}/_apis/distributedtask/variablegroups/{id}`; a 404 or a `null`
 *   body means gone.
 * - update: read, then `PUT {org}/_apis/distributedtask/variablegroups/{id}` with the whole group
 *   as read (`Variablegroups_Update` replaces it). Every secret variable comes back from the read
 *   with `value: null`, and is sent back exactly so: `{ "value": null, "isSecret": true }` is how
 *   the spec's `UpdateVariableGroup` example keeps a secret it does not know, so every other
 *   secret survives untouched. Only the two variables of the key are given values.
 */
@injectable()
export class AzureDevOpsVariableGroupAdapter implements VariableGroupsPort {
  constructor(@inject(ADAPTER_TOKENS.AzureDevOpsHttpClient) private readonly client: AzureDevOpsHttpClient) {}

  async findVariableGroup(ref: VariableGroupRef): Promise<VariableGroupState> {
    const base = organizationBase(ref);
    const scope = scopeOf(ref, base);
    const groups = await this.list(ref, base, scope, ref.groupName);
    const matches = groups.filter(
      (g) => typeof g.name === 'string' && g.name.toLowerCase() === ref.groupName.toLowerCase(),
    );
    const context = { organizationUrl: base, project: ref.project, variableGroup: ref.groupName };
    if (matches.length === 0) {
      throw new VariableGroupNotFoundError(
        `no variable group named "${ref.groupName}" in project "${ref.project}" of ${base}; check the holder's ` +
          `groupName and that ${credentialName(ref)} can see it`,
        { context },
      );
    }
    if (matches.length > 1) {
      throw new VariableGroupAmbiguousError(
        `${matches.length} variable groups are named "${ref.groupName}" in project "${ref.project}" of ${base} ` +
          `(ids ${matches.map((g) => g.id).join(', ')}); rename all but one`,
        { context },
      );
    }
    return toVariableGroupState(matches[0]!, ref);
  }

  async readVariableGroup(ref: VariableGroupRef, groupId: number): Promise<VariableGroupState> {
    return toVariableGroupState(await this.read(ref, groupId), ref);
  }

  async listVariableGroups(scope: ProjectScope): Promise<VariableGroupSummary[]> {
    const base = organizationBase(scope);
    const requestScope: RequestScope = {
      organizationUrl: base,
      project: scope.project,
      connection: '(all)',
      resource: 'variable groups',
      ...credentialOf(scope),
    };
    const groups = await this.list(scope, base, requestScope, undefined);
    return groups.map((g) => ({
      id: Number(g.id),
      name: g.name ?? '',
      type: g.type ?? PLAIN_GROUP_TYPE,
      variables: Object.entries(g.variables ?? {}).map(([name, v]) => ({ name, isSecret: v?.isSecret === true })),
    }));
  }

  async updateCredential(ref: VariableGroupRef, groupId: number, credential: AccessKeyCredential): Promise<void> {
    const group = await this.read(ref, groupId);
    const base = organizationBase(ref);
    const scope = scopeOf(ref, base, groupId);
    const where = describeScope(scope);
    const context = { organizationUrl: base, project: ref.project, variableGroup: ref.groupName, groupId };
    const problem = groupProblem(toVariableGroupState(group, ref), ref);
    if (problem) throw new VariableGroupUnsupportedError(`${where} ${problem}; nothing was changed`, { context });

    // The only place the new secret is revealed: it goes into the body of the PUT and nowhere else.
    const secret = credential.secretAccessKey.reveal();
    const body = updateBody(group, ref, credential.accessKeyId, secret);
    const url = new URL(`${base}/_apis/distributedtask/variablegroups/${groupId}`);
    url.search = `api-version=${API_VERSION}`;
    const answer = await this.client.send({
      method: 'PUT',
      url,
      body,
      action: 'update the variable group',
      scope,
      bodySecrets: [secret],
      requiredAccess: LIBRARY_ACCESS,
    });
    if (answer.status === 404) throw gone(ref, base, groupId, 'on update');
    this.client.logger?.info('Azure DevOps variable group updated in place', {
      organizationUrl: base,
      project: ref.project,
      groupId,
      variableCount: Object.keys(body.variables).length,
      newAccessKeyId: maskKeyId(credential.accessKeyId),
    });
  }

  /**
   * Every page of `Variablegroups_Get Variable Groups` (7.1): ids ascending, following the
   * `x-ms-continuationtoken` header of each answer as `continuationToken`, at most `MAX_PAGES` pages.
   */
  private async list(
    where: ProjectScope,
    base: string,
    scope: RequestScope,
    groupName: string | undefined,
  ): Promise<VariableGroup[]> {
    const groups: VariableGroup[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 1; ; page++) {
      const url = new URL(`${base}/${encodeURIComponent(where.project)}/_apis/distributedtask/variablegroups`);
      url.search = [
        ...(groupName ? [`groupName=${encodeURIComponent(groupName)}`] : []),
        'queryOrder=idAscending',
        ...(token ? [`continuationToken=${encodeURIComponent(token)}`] : []),
        `api-version=${API_VERSION}`,
      ].join('&');
      const answer = await this.client.send({
        method: 'GET',
        url,
        action: page === 1 ? 'list variable groups' : `list variable groups (page ${page})`,
        scope,
        requiredAccess: LIBRARY_ACCESS,
      });
      if (answer.status === 404) {
        const detail = answer.error?.message ? ` (Azure DevOps: ${answer.error.message})` : '';
        throw new VariableGroupNotFoundError(
          `the variable groups of project "${where.project}" of ${base} could not be listed: the project was not ` +
            `found${detail}; check the organizationUrl and project`,
          { context: { organizationUrl: base, project: where.project } },
        );
      }
      const value = Array.isArray(answer.body) ? answer.body : (answer.body as { value?: unknown } | null)?.value;
      if (!Array.isArray(value)) {
        throw new AzureDevOpsRequestError(
          `Azure DevOps answered the list of variable groups in project "${where.project}" of ${base} without a list`,
          { context: { organizationUrl: base, project: where.project } },
        );
      }
      groups.push(...value.filter((g): g is VariableGroup => typeof g === 'object' && g !== null));
      token = answer.continuationToken;
      if (token === undefined) return groups;
      // A token that repeats, or more pages than a project holds, would loop: an error, not a partial list.
      if (seen.has(token) || page >= MAX_PAGES) {
        throw new AzureDevOpsRequestError(
          `Azure DevOps kept answering the list of variable groups in project "${where.project}" of ${base} with ` +
            `another page (${page} read, continuation token ${seen.has(token) ? 'repeated' : 'still given'})`,
          { context: { organizationUrl: base, project: where.project, pages: page } },
        );
      }
      seen.add(token);
    }
  }

  private async read(ref: VariableGroupRef, groupId: number): Promise<VariableGroup> {
    const base = organizationBase(ref);
    const scope = scopeOf(ref, base, groupId);
    if (!Number.isInteger(groupId) || groupId <= 0) {
      throw new AzureDevOpsRequestError(
        `variable group id ${groupId} for "${ref.groupName}" is not a positive integer`,
        {
          context: { organizationUrl: base, project: ref.project, variableGroup: ref.groupName },
        },
      );
    }
    const url = new URL(`${base}/${encodeURIComponent(ref.project)}/_apis/distributedtask/variablegroups/${groupId}`);
    url.search = `api-version=${API_VERSION}`;
    const answer = await this.client.send({
      method: 'GET',
      url,
      action: 'read the variable group',
      scope,
      requiredAccess: LIBRARY_ACCESS,
    });
    if (answer.status === 404 || answer.body === null) throw gone(ref, base, groupId, 'on read');
    const group = answer.body as VariableGroup;
    if (typeof group !== 'object' || Array.isArray(group) || group.id !== groupId) {
      throw new AzureDevOpsRequestError(
        `Azure DevOps answered the read of ${describeScope(scope)} with something other than that variable group`,
        {
          context: { organizationUrl: base, project: ref.project, variableGroup: ref.groupName, groupId },
        },
      );
    }
    return group;
  }
}

export function toVariableGroupState(
  group: VariableGroup,
  ref: Pick<VariableGroupRef, 'accessKeyIdVariable' | 'secretAccessKeyVariable'>,
): VariableGroupState {
  const variables = group.variables ?? {};
  const keyId = findVariable(variables, ref.accessKeyIdVariable);
  const secret = findVariable(variables, ref.secretAccessKeyVariable);
  const type = group.type ?? PLAIN_GROUP_TYPE;
  const held = keyId && keyId.isSecret !== true && typeof keyId.value === 'string' ? keyId.value.trim() : '';
  return {
    id: Number(group.id),
    name: group.name ?? '',
    type,
    keyVaultLinked: type.toLowerCase() === KEY_VAULT_GROUP_TYPE.toLowerCase(),
    heldAccessKeyId: held === '' ? null : held,
    accessKeyIdIsSecret: keyId?.isSecret === true,
    hasSecretVariable: secret !== undefined,
    secretVariableIsSecret: secret?.isSecret === true,
    variableCount: Object.keys(variables).length,
  };
}

/** Variable names are case-insensitive in Azure Pipelines (they become environment variables). */
function findVariable(variables: Record<string, VariableValue | null>, name: string): VariableValue | undefined {
  const entry = Object.entries(variables).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1] ?? undefined;
}

function updateBody(
  group: VariableGroup,
  ref: VariableGroupRef,
  accessKeyId: string,
  secret: string,
): VariableGroupParameters {
  const variables: Record<string, VariableValue> = {};
  for (const [name, variable] of Object.entries(group.variables ?? {})) {
    const v = variable ?? {};
    // Sent back as read: a secret's `value: null` keeps its stored value.
    variables[name] = { ...v, value: v.isSecret === true ? null : (v.value ?? '') };
  }
  const set = (wanted: string, value: string, isSecret: boolean) => {
    const name = Object.keys(variables).find((key) => key.toLowerCase() === wanted.toLowerCase()) ?? wanted;
    variables[name] = { ...variables[name], value, isSecret };
  };
  set(ref.accessKeyIdVariable, accessKeyId, false);
  set(ref.secretAccessKeyVariable, secret, true);
  return {
    name: group.name ?? ref.groupName,
    ...(typeof group.description === 'string' ? { description: group.description } : {}),
    type: group.type ?? PLAIN_GROUP_TYPE,
    ...(group.providerData ? { providerData: group.providerData } : {}),
    variables,
    variableGroupProjectReferences: group.variableGroupProjectReferences ?? [],
  };
}

function scopeOf(ref: VariableGroupRef, base: string, groupId?: number): RequestScope {
  return {
    organizationUrl: base,
    project: ref.project,
    connection: groupId === undefined ? `"${ref.groupName}"` : `"${ref.groupName}" (${groupId})`,
    resource: 'variable group',
    ...credentialOf(ref),
  };
}

function gone(ref: VariableGroupRef, base: string, groupId: number, when: string): VariableGroupGoneError {
  return new VariableGroupGoneError(
    `variable group "${ref.groupName}" (${groupId}) in project "${ref.project}" of ${base} is gone (not found ` +
      `${when}); it was deleted since it was found: check the holder`,
    { context: { organizationUrl: base, project: ref.project, variableGroup: ref.groupName, groupId } },
  );
}

/** The credential fields of a holder, as the HTTP client's scope takes them. */
function credentialOf(ref: AdoCredentialRef): Pick<RequestScope, 'credentialParameter' | 'federatedCredential'> {
  return {
    ...(ref.credentialParameter ? { credentialParameter: ref.credentialParameter } : {}),
    ...(ref.federatedCredential ? { federatedCredential: ref.federatedCredential } : {}),
  };
}

/** The credential, named for a message. */
function credentialName(ref: AdoCredentialRef): string {
  return ref.federatedCredential
    ? `the service principal of Entra app ${ref.federatedCredential.clientId}`
    : `the credential in ${ref.credentialParameter ?? '(none)'}`;
}
