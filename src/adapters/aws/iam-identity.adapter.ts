import {
  AddClientIDToOpenIDConnectProviderCommand,
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  GetAccessKeyLastUsedCommand,
  type GetAccessKeyLastUsedCommandOutput,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  type GetRoleCommandOutput,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { inject, injectable } from 'inversify';
import { AwsCallFailedError, IamEntityNotFoundError, IamUserNotFoundError } from '../../domain/errors.js';
import type {
  IamIdentityPort,
  KeyOwner,
  OidcProvider,
  RoleInfo,
  UserPermissions,
} from '../../ports/iam-identity.port.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';
import { awsErrorCode, mapAwsError } from './aws-errors.js';

/** IAM answers policy documents URL-encoded (RFC 3986) in its query API; the SDK hands them over as they came. */
const decodePolicy = (document: string | undefined): string => decodeURIComponent(document ?? '');
const withoutScheme = (url: string): string => url.replace(/^https:\/\//i, '').replace(/\/+$/, '');

/**
 * `IamIdentityPort` on IAM's query API: key owners (`GetAccessKeyLastUsed`), a user's permissions
 * (`ListAttachedUserPolicies`, `ListUserPolicies` + `GetUserPolicy`, `ListGroupsForUser`, `GetUser`),
 * OIDC identity providers and roles. Every list is read to its end (`Marker`/`IsTruncated`).
 */
@injectable()
export class IamIdentityAdapter implements IamIdentityPort {
  constructor(@inject(ADAPTER_TOKENS.IamClient) private readonly iam: IAMClient) {}

  async keyOwner(accessKeyId: string): Promise<KeyOwner> {
    let answer: GetAccessKeyLastUsedCommandOutput;
    try {
      answer = await this.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
    } catch (error) {
      // IAM answers AccessDenied, not NoSuchEntity, for a key id outside the account.
      if (awsErrorCode(error) === 'NoSuchEntity' || awsErrorCode(error) === 'AccessDenied') {
        throw new IamEntityNotFoundError(
          `access key ${accessKeyId} is not a key of this AWS account (or iam:GetAccessKeyLastUsed is denied): ` +
            `run with credentials for the account that owns it`,
          { context: { accessKeyId }, cause: error },
        );
      }
      throw mapAwsError(error, {
        action: 'iam:GetAccessKeyLastUsed',
        resource: `access key ${accessKeyId}`,
        context: { accessKeyId },
      });
    }
    if (!answer.UserName)
      throw new AwsCallFailedError(`iam:GetAccessKeyLastUsed for ${accessKeyId} answered without a user name`, {
        context: { accessKeyId },
      });
    const used = answer.AccessKeyLastUsed;
    return {
      userName: answer.UserName,
      lastUsedAt: used?.LastUsedDate ?? null,
      lastUsedService: used?.ServiceName && used.ServiceName !== 'N/A' ? used.ServiceName : null,
    };
  }

  async userPermissions(userName: string): Promise<UserPermissions> {
    const where = `IAM user ${userName}`;
    const onUser = <T>(action: string, run: () => Promise<T>) =>
      this.call(action, where, run).catch((error: unknown) => {
        if (error instanceof IamEntityNotFoundError) {
          throw new IamUserNotFoundError(`IAM user ${userName} does not exist; check the target's iamUserName`, {
            context: { userName },
            cause: error,
          });
        }
        throw error;
      });
    const user = await onUser('iam:GetUser', () => this.iam.send(new GetUserCommand({ UserName: userName })));
    const managedPolicyArns: string[] = [];
    const policyNames: string[] = [];
    const groups: string[] = [];
    let marker: string | undefined;
    do {
      const page = await onUser('iam:ListAttachedUserPolicies', () =>
        this.iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName, Marker: marker })),
      );
      managedPolicyArns.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? '').filter(Boolean));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    do {
      const page = await onUser('iam:ListUserPolicies', () =>
        this.iam.send(new ListUserPoliciesCommand({ UserName: userName, Marker: marker })),
      );
      policyNames.push(...(page.PolicyNames ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    do {
      const page = await onUser('iam:ListGroupsForUser', () =>
        this.iam.send(new ListGroupsForUserCommand({ UserName: userName, Marker: marker })),
      );
      groups.push(...(page.Groups ?? []).map((g) => g.GroupName ?? '').filter(Boolean));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const inlinePolicies: UserPermissions['inlinePolicies'] = [];
    for (const name of policyNames) {
      const policy = await onUser('iam:GetUserPolicy', () =>
        this.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name })),
      );
      inlinePolicies.push({ name, document: decodePolicy(policy.PolicyDocument) });
    }
    const userArn = user.User?.Arn;
    if (!userArn)
      throw new AwsCallFailedError(`iam:GetUser for ${userName} answered without the user's ARN`, {
        context: { userName },
      });
    return {
      userArn,
      managedPolicyArns,
      inlinePolicies,
      groups,
      permissionsBoundaryArn: user.User?.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    };
  }

  async findOidcProvider(issuerUrl: string): Promise<OidcProvider | null> {
    const wanted = withoutScheme(issuerUrl).toLowerCase();
    const list = await this.call('iam:ListOpenIDConnectProviders', 'the account', () =>
      this.iam.send(new ListOpenIDConnectProvidersCommand({})),
    );
    for (const entry of list.OpenIDConnectProviderList ?? []) {
      const arn = entry.Arn ?? '';
      // The ARN ends with the provider's URL: read only the candidate.
      if (!arn.toLowerCase().endsWith(`:oidc-provider/${wanted}`)) continue;
      const provider = await this.call('iam:GetOpenIDConnectProvider', arn, () =>
        this.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
      return { arn, url: provider.Url ?? wanted, clientIds: provider.ClientIDList ?? [] };
    }
    return null;
  }

  async createOidcProvider(issuerUrl: string, audience: string): Promise<string> {
    // No ThumbprintList: IAM secures the connection to well-known issuers itself and no longer requires one.
    const answer = await this.call('iam:CreateOpenIDConnectProvider', `OIDC provider ${issuerUrl}`, () =>
      this.iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: `https://${withoutScheme(issuerUrl)}`,
          ClientIDList: [audience],
        }),
      ),
    );
    if (!answer.OpenIDConnectProviderArn)
      throw new AwsCallFailedError(`iam:CreateOpenIDConnectProvider for ${issuerUrl} answered without an ARN`);
    return answer.OpenIDConnectProviderArn;
  }

  async addAudience(providerArn: string, audience: string): Promise<void> {
    await this.call('iam:AddClientIDToOpenIDConnectProvider', providerArn, () =>
      this.iam.send(
        new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn, ClientID: audience }),
      ),
    );
  }

  async getRole(roleName: string): Promise<RoleInfo | null> {
    let role: GetRoleCommandOutput;
    try {
      role = await this.iam.send(new GetRoleCommand({ RoleName: roleName }));
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchEntity') return null;
      throw mapAwsError(error, { action: 'iam:GetRole', resource: `role ${roleName}`, context: { roleName } });
    }
    const attached = await this.call('iam:ListAttachedRolePolicies', `role ${roleName}`, () =>
      this.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
    );
    const inline = await this.call('iam:ListRolePolicies', `role ${roleName}`, () =>
      this.iam.send(new ListRolePoliciesCommand({ RoleName: roleName })),
    );
    return {
      arn: role.Role?.Arn ?? '',
      trustPolicy: decodePolicy(role.Role?.AssumeRolePolicyDocument),
      attachedPolicyArns: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? '').filter(Boolean),
      inlinePolicyNames: inline.PolicyNames ?? [],
    };
  }

  async createRole(roleName: string, trustPolicy: string, description: string): Promise<string> {
    const answer = await this.call('iam:CreateRole', `role ${roleName}`, () =>
      this.iam.send(
        new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustPolicy, Description: description }),
      ),
    );
    if (!answer.Role?.Arn)
      throw new AwsCallFailedError(`iam:CreateRole for ${roleName} answered without an ARN`, { context: { roleName } });
    return answer.Role.Arn;
  }

  async attachRolePolicy(roleName: string, policyArn: string): Promise<void> {
    await this.call('iam:AttachRolePolicy', `role ${roleName}`, () =>
      this.iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
    );
  }

  async putRolePolicy(roleName: string, policyName: string, document: string): Promise<void> {
    await this.call('iam:PutRolePolicy', `role ${roleName}`, () =>
      this.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document })),
    );
  }

  /** Runs one call; AWS errors other than those the caller handles become domain errors naming the action. */
  private async call<T>(action: string, resource: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchEntity') {
        throw new IamEntityNotFoundError(
          `${resource} does not exist (${action}); it was deleted meanwhile, or the name is wrong`,
          { context: { resource }, cause: error },
        );
      }
      throw mapAwsError(error, { action, resource, context: { resource } });
    }
  }
}
