import { queryError, queryResponse, type WireReply, xmlEscape } from './protocol.js';

/**
 * The IAM identity actions `discover` and `migrate-to-oidc` use, on the wire, with state: user
 * policies and groups, OIDC identity providers and roles. `IamWire` hands it every action it does
 * not answer itself. Answers follow the IAM API reference: policy documents URL-encoded, lists with
 * `IsTruncated`, `NoSuchEntity` 404, `EntityAlreadyExists` 409, `MalformedPolicyDocument` 400,
 * `LimitExceeded` 409 for a 101st client id, URL-less ARNs `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`.
 */
const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const encodePolicy = (document: string): string => encodeURIComponent(document);
const members = (items: string[]) => items.map((item) => `<member>${item}</member>`).join('');

interface UserPolicies {
  attached: Array<{ name: string; arn: string }>;
  inline: Map<string, string>;
  groups: string[];
  boundaryArn: string | null;
}

interface WireRole {
  arn: string;
  trust: string;
  description: string;
  attached: string[];
  inline: Map<string, string>;
  createdAt: Date;
}

export class IamIdentityWire {
  readonly providers = new Map<string, { url: string; clientIds: string[]; createdAt: Date }>();
  readonly roles = new Map<string, WireRole>();
  private readonly policies = new Map<string, UserPolicies>();

  constructor(
    private readonly account: string,
    private readonly userExists: (userName: string) => boolean,
    private readonly now: () => Date,
  ) {}

  /** Gives a user managed policies, inline policies (JSON text), groups or a permissions boundary. */
  seedUserPolicies(
    userName: string,
    seed: { managed?: string[]; inline?: Record<string, string>; groups?: string[]; boundaryArn?: string },
  ): void {
    const p = this.of(userName);
    for (const arn of seed.managed ?? []) p.attached.push({ name: arn.split('/').pop() ?? arn, arn });
    for (const [name, doc] of Object.entries(seed.inline ?? {})) p.inline.set(name, doc);
    p.groups.push(...(seed.groups ?? []));
    if (seed.boundaryArn) p.boundaryArn = seed.boundaryArn;
  }

  seedProvider(url: string, clientIds: string[]): string {
    const host = url.replace(/^https:\/\//, '');
    this.providers.set(host, { url: host, clientIds: [...clientIds], createdAt: this.now() });
    return this.providerArn(host);
  }

  /** The reply to `action`, or undefined when the action is not one of these. */
  handle(action: string, p: Record<string, string | undefined>): WireReply | undefined {
    switch (action) {
      case 'GetUser':
        return this.withUser(p.UserName, (name, pol) =>
          queryResponse(
            NAMESPACE,
            action,
            `<User><Path>/</Path><UserName>${xmlEscape(name)}</UserName><UserId>AIDAWIRE` +
              `${name.length}</UserId><Arn>arn:aws:iam::${this.account}:user/` +
              `${xmlEscape(name)}</Arn><CreateDate>${iso(this.now())}</CreateDate>` +
              (pol.boundaryArn
                ? '<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType>' +
                  `<PermissionsBoundaryArn>${pol.boundaryArn}</PermissionsBoundaryArn></PermissionsBoundary>`
                : '') +
              '</User>',
          ),
        );
      case 'ListAttachedUserPolicies':
        return this.withUser(p.UserName, (_n, pol) =>
          queryResponse(
            NAMESPACE,
            action,
            `<AttachedPolicies>` +
              members(pol.attached.map((a) => `<PolicyName>${a.name}</PolicyName><PolicyArn>${a.arn}</PolicyArn>`)) +
              '</AttachedPolicies><IsTruncated>false</IsTruncated>',
          ),
        );
      case 'ListUserPolicies':
        return this.withUser(p.UserName, (_n, pol) =>
          queryResponse(
            NAMESPACE,
            action,
            `<PolicyNames>` +
              `${members([...pol.inline.keys()].map(xmlEscape))}</PolicyNames><IsTruncated>false</IsTruncated>`,
          ),
        );
      case 'GetUserPolicy':
        return this.withUser(p.UserName, (name, pol) => {
          const doc = pol.inline.get(p.PolicyName ?? '');
          if (doc === undefined) return noSuch(`The user policy with name ${p.PolicyName} cannot be found.`);
          return queryResponse(
            NAMESPACE,
            action,
            `<UserName>${xmlEscape(name)}</UserName><PolicyName>` +
              `${xmlEscape(p.PolicyName ?? '')}</PolicyName><PolicyDocument>${encodePolicy(doc)}</PolicyDocument>`,
          );
        });
      case 'ListGroupsForUser':
        return this.withUser(p.UserName, (_n, pol) =>
          queryResponse(
            NAMESPACE,
            action,
            `<Groups>${members(
              pol.groups.map(
                (g) =>
                  `<Path>/</Path><GroupName>${g}</GroupName><GroupId>AGPAWIRE</GroupId>` +
                  `<Arn>arn:aws:iam::${this.account}:group/${g}</Arn><CreateDate>${iso(this.now())}</CreateDate>`,
              ),
            )}</Groups><IsTruncated>false</IsTruncated>`,
          ),
        );
      case 'ListOpenIDConnectProviders':
        return queryResponse(
          NAMESPACE,
          action,
          `<OpenIDConnectProviderList>` +
            members([...this.providers.keys()].map((h) => `<Arn>${this.providerArn(h)}</Arn>`)) +
            '</OpenIDConnectProviderList>',
        );
      case 'GetOpenIDConnectProvider':
        return this.withProvider(p.OpenIDConnectProviderArn, (provider) =>
          queryResponse(
            NAMESPACE,
            action,
            `<Url>${provider.url}</Url><ClientIDList>` +
              `${members(provider.clientIds)}</ClientIDList><ThumbprintList/><CreateDate>` +
              `${iso(provider.createdAt)}</CreateDate>`,
          ),
        );
      case 'CreateOpenIDConnectProvider':
        return this.createProvider(p);
      case 'AddClientIDToOpenIDConnectProvider':
        return this.withProvider(p.OpenIDConnectProviderArn, (provider) => {
          if (!provider.clientIds.includes(p.ClientID ?? '')) provider.clientIds.push(p.ClientID ?? '');
          return queryResponse(NAMESPACE, action, null);
        });
      case 'CreateRole':
        return this.createRole(p);
      case 'GetRole':
        return this.withRole(p.RoleName, (role, name) =>
          queryResponse(
            NAMESPACE,
            action,
            `<Role><Path>/</Path><RoleName>${xmlEscape(name)}</RoleName><RoleId>AROAWIRE` +
              `${name.length}</RoleId><Arn>${role.arn}</Arn><CreateDate>` +
              `${iso(role.createdAt)}</CreateDate><AssumeRolePolicyDocument>` +
              `${encodePolicy(role.trust)}</AssumeRolePolicyDocument><Description>` +
              `${xmlEscape(role.description)}</Description><MaxSessionDuration>3600</MaxSessionDuration></Role>`,
          ),
        );
      case 'ListAttachedRolePolicies':
        return this.withRole(p.RoleName, (role) =>
          queryResponse(
            NAMESPACE,
            action,
            `<AttachedPolicies>` +
              members(
                role.attached.map(
                  (arn) => `<PolicyName>${arn.split('/').pop()}</PolicyName><PolicyArn>${arn}</PolicyArn>`,
                ),
              ) +
              '</AttachedPolicies><IsTruncated>false</IsTruncated>',
          ),
        );
      case 'ListRolePolicies':
        return this.withRole(p.RoleName, (role) =>
          queryResponse(
            NAMESPACE,
            action,
            `<PolicyNames>${members([...role.inline.keys()])}</PolicyNames><IsTruncated>false</IsTruncated>`,
          ),
        );
      case 'AttachRolePolicy':
        return this.withRole(p.RoleName, (role) => {
          if (!/^arn:aws:iam::(aws|\d{12}):policy\/.+/.test(p.PolicyArn ?? ''))
            return queryError(NAMESPACE, 400, 'InvalidInput', `ARN ${p.PolicyArn} is not valid.`);
          if (!role.attached.includes(p.PolicyArn ?? '')) role.attached.push(p.PolicyArn ?? '');
          return queryResponse(NAMESPACE, action, null);
        });
      case 'PutRolePolicy':
        return this.withRole(p.RoleName, (role) => {
          if (!isJson(p.PolicyDocument))
            return queryError(NAMESPACE, 400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
          role.inline.set(p.PolicyName ?? '', p.PolicyDocument ?? '');
          return queryResponse(NAMESPACE, action, null);
        });
      default:
        return undefined;
    }
  }

  private createProvider(p: Record<string, string | undefined>): WireReply {
    const url = p.Url ?? '';
    if (!url.startsWith('https://'))
      return queryError(
        NAMESPACE,
        400,
        'ValidationError',
        `1 validation error detected: Value '${url}' at 'url' failed to satisfy constraint: must begin with https://`,
      );
    const host = url.slice('https://'.length).replace(/\/+$/, '');
    if (this.providers.has(host))
      return queryError(NAMESPACE, 409, 'EntityAlreadyExists', `Provider with url ${url} already exists.`);
    const clientIds = Object.entries(p)
      .filter(([k]) => k.startsWith('ClientIDList.member.'))
      .map(([, v]) => v ?? '');
    this.providers.set(host, { url: host, clientIds, createdAt: this.now() });
    return queryResponse(
      NAMESPACE,
      'CreateOpenIDConnectProvider',
      `<OpenIDConnectProviderArn>${this.providerArn(host)}</OpenIDConnectProviderArn>`,
    );
  }

  private createRole(p: Record<string, string | undefined>): WireReply {
    const name = p.RoleName ?? '';
    if (this.roles.has(name))
      return queryError(NAMESPACE, 409, 'EntityAlreadyExists', `Role with name ${name} already exists.`);
    if (!isJson(p.AssumeRolePolicyDocument))
      return queryError(NAMESPACE, 400, 'MalformedPolicyDocument', 'This policy contains invalid Json');
    const role: WireRole = {
      arn: `arn:aws:iam::${this.account}:role/${name}`,
      trust: p.AssumeRolePolicyDocument ?? '',
      description: p.Description ?? '',
      attached: [],
      inline: new Map(),
      createdAt: this.now(),
    };
    this.roles.set(name, role);
    return queryResponse(
      NAMESPACE,
      'CreateRole',
      `<Role><Path>/</Path><RoleName>${xmlEscape(name)}</RoleName><RoleId>AROAWIRE${name.length}</RoleId><Arn>` +
        `${role.arn}</Arn><CreateDate>${iso(role.createdAt)}</CreateDate><AssumeRolePolicyDocument>` +
        `${encodePolicy(role.trust)}</AssumeRolePolicyDocument></Role>`,
    );
  }

  private providerArn(host: string): string {
    return `arn:aws:iam::${this.account}:oidc-provider/${host}`;
  }

  private of(userName: string): UserPolicies {
    let p = this.policies.get(userName);
    if (!p) {
      p = { attached: [], inline: new Map(), groups: [], boundaryArn: null };
      this.policies.set(userName, p);
    }
    return p;
  }

  private withUser(userName: string | undefined, answer: (name: string, p: UserPolicies) => WireReply): WireReply {
    if (!userName || !this.userExists(userName)) return noSuch(`The user with name ${userName} cannot be found.`);
    return answer(userName, this.of(userName));
  }

  private withProvider(
    arn: string | undefined,
    answer: (provider: { url: string; clientIds: string[]; createdAt: Date }) => WireReply,
  ): WireReply {
    const host = (arn ?? '').split(':oidc-provider/')[1] ?? '';
    const provider = this.providers.get(host);
    return provider ? answer(provider) : noSuch(`OpenIDConnect Provider not found for arn ${arn}`);
  }

  private withRole(name: string | undefined, answer: (role: WireRole, name: string) => WireReply): WireReply {
    const role = this.roles.get(name ?? '');
    return role ? answer(role, name ?? '') : noSuch(`The role with name ${name} cannot be found.`);
  }
}

const noSuch = (message: string): WireReply => queryError(NAMESPACE, 404, 'NoSuchEntity', message);

function isJson(text: string | undefined): boolean {
  try {
    return typeof JSON.parse(text ?? '') === 'object';
  } catch {
    return false;
  }
}
