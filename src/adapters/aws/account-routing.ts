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
import type {
  AccessKeyInfo,
  AccessKeyStatus,
  NewAccessKey,
  SecretState,
  StoredCredential,
} from '../../domain/model.js';
import type { IamAccessKeysPort } from '../../ports/iam-access-keys.port.js';
import type { SecretStorePort } from '../../ports/secret-store.port.js';
import { ADAPTER_TOKENS } from '../../wiring/tokens.js';
import type { AssumedRoleCredentials } from './assumed-role-credentials.js';
import { awsErrorCode } from './aws-errors.js';
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

  /**
   * Runs `call` on the adapter for `route`. A call refused with `ExpiredToken` (the session expired before the
   * cache knew: a clock behind AWS's) never ran: the session is dropped and the call made once more with a new one.
   */
  async run<T>(route: AccountRoute | undefined, call: (adapter: A) => Promise<T>): Promise<T> {
    if (!route) return call(this.own);
    try {
      return await call(this.adapterFor(route));
    } catch (error) {
      if (!isExpiredToken(error)) throw error;
      // A new client too: the SDK keeps the identity it resolved until its own clock says it expired.
      this.roles.forget(route);
      this.adapters.delete(this.keyOf(route));
      return call(this.adapterFor(route));
    }
  }

  private keyOf(route: AccountRoute): string {
    const session = this.roles.session(route);
    return JSON.stringify([session.roleArn, session.externalId ?? '', session.sessionName]);
  }

  private adapterFor(route: AccountRoute): A {
    const key = this.keyOf(route);
    let adapter = this.adapters.get(key);
    if (!adapter) {
      adapter = this.build(this.roles.provider(route));
      this.adapters.set(key, adapter);
    }
    return adapter;
  }
}

/** The adapters map AWS errors to domain errors; the AWS code stays on the cause. */
const isExpiredToken = (error: unknown): boolean =>
  awsErrorCode(error) === 'ExpiredToken' ||
  awsErrorCode((error as { cause?: unknown } | null)?.cause) === 'ExpiredToken';

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
    return this.routes.run(routeOfUser(user), (a) => a.listKeys(userNameOf(user)));
  }

  createKey(user: IamUser): Promise<NewAccessKey> {
    return this.routes.run(routeOfUser(user), (a) => a.createKey(userNameOf(user)));
  }

  setKeyStatus(user: IamUser, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    return this.routes.run(routeOfUser(user), (a) => a.setKeyStatus(userNameOf(user), accessKeyId, status));
  }

  deleteKey(user: IamUser, accessKeyId: string): Promise<void> {
    return this.routes.run(routeOfUser(user), (a) => a.deleteKey(userNameOf(user), accessKeyId));
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
    return this.routes.run(routeOfSecret(secret), (a) => a.describe(secretIdOf(secret)));
  }

  putPending(secret: SecretLocation, versionId: string, credential: StoredCredential): Promise<string> {
    return this.routes.run(routeOfSecret(secret), (a) => a.putPending(secretIdOf(secret), versionId, credential));
  }

  getVersion(secret: SecretLocation, versionId: string): Promise<StoredCredential> {
    return this.routes.run(routeOfSecret(secret), (a) => a.getVersion(secretIdOf(secret), versionId));
  }

  promote(secret: SecretLocation, versionId: string): Promise<void> {
    return this.routes.run(routeOfSecret(secret), (a) => a.promote(secretIdOf(secret), versionId));
  }

  dropPending(secret: SecretLocation, versionId: string): Promise<void> {
    return this.routes.run(routeOfSecret(secret), (a) => a.dropPending(secretIdOf(secret), versionId));
  }
}
