import { IamEntityNotFoundError, IamUserNotFoundError } from '../../src/domain/errors.js';
import type {
  IamIdentityPort,
  KeyOwner,
  OidcProvider,
  RoleInfo,
  UserPermissions,
} from '../../src/ports/iam-identity.port.js';
import type { FakeIam } from './fake-iam.js';
import type { FaultInjector } from './faults.js';

const host = (url: string): string => url.replace(/^https:\/\//i, '').replace(/\/+$/, '');

/**
 * `IamIdentityPort` in memory, over a `FakeIam` (which holds users and keys). Held to the same
 * contract suite as the adapter over the IAM wire (test/contracts/iam-identity.contract.ts).
 */
export class FakeIamIdentity implements IamIdentityPort {
  readonly providers = new Map<string, { clientIds: string[] }>();
  readonly roles = new Map<string, { trust: string; attached: string[]; inline: Map<string, string> }>();
  private readonly permissions = new Map<string, UserPermissions>();

  constructor(private readonly options: { iam: FakeIam; faults?: FaultInjector; account?: string }) {}

  get account(): string {
    return this.options.account ?? '123456789012';
  }

  seedUserPolicies(
    userName: string,
    seed: { managed?: string[]; inline?: Record<string, string>; groups?: string[]; boundaryArn?: string },
  ): void {
    this.permissions.set(userName, {
      userArn: this.options.iam.userArn(userName),
      managedPolicyArns: [...(seed.managed ?? [])],
      inlinePolicies: Object.entries(seed.inline ?? {}).map(([name, document]) => ({ name, document })),
      groups: [...(seed.groups ?? [])],
      permissionsBoundaryArn: seed.boundaryArn ?? null,
    });
  }

  seedProvider(url: string, clientIds: string[]): string {
    this.providers.set(host(url), { clientIds: [...clientIds] });
    return this.providerArn(url);
  }

  async keyOwner(accessKeyId: string): Promise<KeyOwner> {
    return this.around('iam.keyOwner', async () => {
      const owner = this.options.iam.ownerOf(accessKeyId);
      if (!owner)
        throw new IamEntityNotFoundError(`access key ${accessKeyId} is not a key of this AWS account`, {
          context: { accessKeyId },
        });
      return {
        userName: owner.userName,
        lastUsedAt: owner.lastUsedAt,
        lastUsedService: owner.lastUsedAt ? 's3' : null,
      };
    });
  }

  async userPermissions(userName: string): Promise<UserPermissions> {
    return this.around('iam.userPermissions', async () => {
      if (!this.options.iam.hasUser(userName))
        throw new IamUserNotFoundError(`IAM user ${userName} does not exist`, { context: { userName } });
      const p = this.permissions.get(userName);
      return p
        ? structuredClone(p)
        : {
            userArn: this.options.iam.userArn(userName),
            managedPolicyArns: [],
            inlinePolicies: [],
            groups: [],
            permissionsBoundaryArn: null,
          };
    });
  }

  async findOidcProvider(issuerUrl: string): Promise<OidcProvider | null> {
    const provider = this.providers.get(host(issuerUrl).toLowerCase()) ?? this.providers.get(host(issuerUrl));
    return provider
      ? { arn: this.providerArn(issuerUrl), url: host(issuerUrl), clientIds: [...provider.clientIds] }
      : null;
  }

  async createOidcProvider(issuerUrl: string, audience: string): Promise<string> {
    return this.around('iam.createOidcProvider', async () => {
      if (this.providers.has(host(issuerUrl))) throw new Error(`EntityAlreadyExists: provider ${issuerUrl}`);
      this.providers.set(host(issuerUrl), { clientIds: [audience] });
      return this.providerArn(issuerUrl);
    });
  }

  async addAudience(providerArn: string, audience: string): Promise<void> {
    const provider = this.providers.get(providerArn.split(':oidc-provider/')[1] ?? '');
    if (!provider) throw new IamEntityNotFoundError(`${providerArn} does not exist`);
    if (!provider.clientIds.includes(audience)) provider.clientIds.push(audience);
  }

  async getRole(roleName: string): Promise<RoleInfo | null> {
    const role = this.roles.get(roleName);
    return role
      ? {
          arn: this.roleArn(roleName),
          trustPolicy: role.trust,
          attachedPolicyArns: [...role.attached],
          inlinePolicyNames: [...role.inline.keys()],
        }
      : null;
  }

  async createRole(roleName: string, trustPolicy: string, _description: string): Promise<string> {
    return this.around('iam.createRole', async () => {
      if (this.roles.has(roleName)) throw new Error(`EntityAlreadyExists: role ${roleName}`);
      JSON.parse(trustPolicy);
      this.roles.set(roleName, { trust: trustPolicy, attached: [], inline: new Map() });
      return this.roleArn(roleName);
    });
  }

  async attachRolePolicy(roleName: string, policyArn: string): Promise<void> {
    return this.around('iam.attachRolePolicy', async () => {
      const role = this.role(roleName);
      if (!role.attached.includes(policyArn)) role.attached.push(policyArn);
    });
  }

  async putRolePolicy(roleName: string, policyName: string, document: string): Promise<void> {
    return this.around('iam.putRolePolicy', async () => {
      JSON.parse(document);
      this.role(roleName).inline.set(policyName, document);
    });
  }

  private role(roleName: string) {
    const role = this.roles.get(roleName);
    if (!role) throw new IamEntityNotFoundError(`role ${roleName} does not exist`);
    return role;
  }

  private providerArn(url: string): string {
    return `arn:aws:iam::${this.account}:oidc-provider/${host(url)}`;
  }

  private roleArn(roleName: string): string {
    return `arn:aws:iam::${this.account}:role/${roleName}`;
  }

  private around<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return this.options.faults ? this.options.faults.around(operation, run) : run();
  }
}
