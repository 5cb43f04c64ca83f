import type { IAMClient } from '@aws-sdk/client-iam';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inject, injectable } from 'inversify';
import {
  type AccountRoute,
  type IamUser,
  routeOfSecret,
  routeOfUser,
  type SecretLocation,
  secretIdOf,
  userNameOf,
} from '../../domain/accounts.js';
import type { AccessKeyInfo, AccessKeyStatus, NewAccessKey, SecretState, StoredCredential } from '../../domain/model.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';
import type { AssumedRoleCredentials } from './assumed-role-credentials.js';
import { createIamClient, createSecretsManagerClient } from './clients.js';
import { IamAccessKeysAdapter } from './iam-access-keys.adapter.js';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store.adapter.js';

/**
 * The IAM and Secrets Manager ports, in whichever account each target lives: a user or secret with no
 * route goes to the adapter on the rotator's own client; one with a route goes to an adapter whose
 * client signs with that route's role (assumed for the running step, cached per role and target).
 * The adapters themselves know one account each and refuse a routed reference (so nothing reaches
 * another account's name with the rotator's own credentials by mistake).
 */
class PerRoute<A> {
  private readonly adapters = new Map<string, A>();

  constructor(
    private readonly own: A,
    private readonly roles: AssumedRoleCredentials,
    private readonly build: (credentials: ReturnType<AssumedRoleCredentials['provider']>) => A,
  ) {}

  for(route: AccountRoute | undefined): A {
    if (!route) return this.own;
    const session = this.roles.session(route);
    const key = JSON.stringify([session.roleArn, session.externalId ?? '', session.sessionName]);
    let adapter = this.adapters.get(key);
    if (!adapter) {
      adapter = this.build(this.roles.provider(route));
      this.adapters.set(key, adapter);
    }
    return adapter;
  }
}

@injectable()
export class AccountRoutedIamAccessKeys implements IamAccessKeysPort {
  private readonly routes: PerRoute<IamAccessKeysAdapter>;

  constructor(
    @inject(ADAPTER_TOKENS.IamClient) iam: IAMClient,
    @inject(ADAPTER_TOKENS.AssumedRoles) roles: AssumedRoleCredentials,
  ) {
    this.routes = new PerRoute(
      new IamAccessKeysAdapter(iam),
      roles,
      (credentials) => new IamAccessKeysAdapter(createIamClient({ credentials })),
    );
  }

  listKeys(user: IamUser): Promise<AccessKeyInfo[]> {
    return this.routes.for(routeOfUser(user)).listKeys(userNameOf(user));
  }

  createKey(user: IamUser): Promise<NewAccessKey> {
    return this.routes.for(routeOfUser(user)).createKey(userNameOf(user));
  }

  setKeyStatus(user: IamUser, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    return this.routes.for(routeOfUser(user)).setKeyStatus(userNameOf(user), accessKeyId, status);
  }

  deleteKey(user: IamUser, accessKeyId: string): Promise<void> {
    return this.routes.for(routeOfUser(user)).deleteKey(userNameOf(user), accessKeyId);
  }
}

@injectable()
export class AccountRoutedSecretStore implements SecretStorePort {
  private readonly routes: PerRoute<SecretsManagerSecretStore>;

  constructor(
    @inject(ADAPTER_TOKENS.SecretsManagerClient) sm: SecretsManagerClient,
    @inject(ADAPTER_TOKENS.AssumedRoles) roles: AssumedRoleCredentials,
  ) {
    this.routes = new PerRoute(
      new SecretsManagerSecretStore(sm),
      roles,
      (credentials) => new SecretsManagerSecretStore(createSecretsManagerClient({ credentials })),
    );
  }

  describe(secret: SecretLocation): Promise<SecretState> {
    return this.routes.for(routeOfSecret(secret)).describe(secretIdOf(secret));
  }

  putPending(secret: SecretLocation, versionId: string, credential: StoredCredential): Promise<string> {
    return this.routes.for(routeOfSecret(secret)).putPending(secretIdOf(secret), versionId, credential);
  }

  getVersion(secret: SecretLocation, versionId: string): Promise<StoredCredential> {
    return this.routes.for(routeOfSecret(secret)).getVersion(secretIdOf(secret), versionId);
  }

  promote(secret: SecretLocation, versionId: string): Promise<void> {
    return this.routes.for(routeOfSecret(secret)).promote(secretIdOf(secret), versionId);
  }

  dropPending(secret: SecretLocation, versionId: string): Promise<void> {
    return this.routes.for(routeOfSecret(secret)).dropPending(secretIdOf(secret), versionId);
  }
}
