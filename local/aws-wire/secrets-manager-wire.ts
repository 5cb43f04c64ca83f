// Over 300 lines: a stand-in of Secrets Manager's JSON protocol, one handler per operation the rotator calls,
// sharing the staging-label rules they all obey.
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import {
  epochSeconds,
  type InjectedError,
  jsonError,
  jsonResponse,
  readJsonRequest,
  signingKeyId,
  type WireReply,
  type WireRequest,
  WireFaults,
} from './protocol.js';

export const SECRETS_MANAGER_ENDPOINT = 'https://secretsmanager.us-east-1.amazonaws.com';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

interface WireVersion {
  versionId: string;
  value: string;
  createdAt: Date;
  stages: Set<string>;
}

interface WireSecret {
  name: string;
  arn: string;
  description?: string;
  createdAt: Date;
  deletedAt?: Date;
  versions: WireVersion[];
}

/**
 * Secrets Manager on the wire, with state, following the API reference where the adapter relies on it:
 *
 * - a staging label is on at most one version; putting it on one takes it off the other;
 * - the first version of a secret gets `AWSCURRENT` whatever `VersionStages` says;
 * - moving `AWSCURRENT` puts `AWSPREVIOUS` on the version it left;
 * - `PutSecretValue`/`CreateSecret` with an existing `ClientRequestToken`: same value = success
 *   that changes nothing; another value = `ResourceExistsException`;
 * - `UpdateSecretVersionStage` refuses to move a label without the right `RemoveFromVersionId`,
 *   and refuses to take `AWSCURRENT` off a version without moving it (`InvalidParameterException`);
 * - `DescribeSecret.VersionIdsToStages` lists only versions that carry a label.
 */
export class SecretsManagerWire {
  readonly requests: WireRequest[] = [];
  readonly faults = new WireFaults();
  private readonly secrets = new Map<string, WireSecret>();
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  install(): this {
    nock(SECRETS_MANAGER_ENDPOINT)
      .persist()
      .post('/')
      .reply(async (request: Request) => this.handle(request));
    return this;
  }

  /** A secret with one `AWSCURRENT` version holding the credential as the rotator writes it. */
  seed(secretId: string, credential: { accessKeyId: string; secretAccessKey: string; iamUserName: string }): string {
    return this.seedRaw(secretId, JSON.stringify({ ...credential, createdAt: this.now().toISOString() }));
  }

  /** A secret with one `AWSCURRENT` version holding any string. */
  seedRaw(secretId: string, value: string): string {
    const secret = this.createSecret(secretId);
    const versionId = randomUUID();
    secret.versions.push({ versionId, value, createdAt: this.now(), stages: new Set(['AWSCURRENT']) });
    return versionId;
  }

  /** A secret with no version at all (created empty by hand). */
  seedEmpty(secretId: string): void {
    this.createSecret(secretId);
  }

  scheduleDeletion(secretId: string): void {
    const secret = this.find(secretId);
    if (secret) secret.deletedAt = this.now();
  }

  versions(secretId: string): Array<{ versionId: string; stages: string[]; value: string }> {
    return (this.find(secretId)?.versions ?? []).map((v) => ({
      versionId: v.versionId,
      stages: [...v.stages].sort(),
      value: v.value,
    }));
  }

  description(secretId: string): string | undefined {
    return this.find(secretId)?.description;
  }

  failNext(operation: string, error: InjectedError): this {
    this.faults.add(operation, error);
    return this;
  }

  operations(): string[] {
    return this.requests.map((r) => r.operation);
  }

  private async handle(request: Request): Promise<WireReply> {
    const parsed = await readJsonRequest(request, 'secretsmanager');
    if (Array.isArray(parsed)) return parsed;
    const signedWith = signingKeyId(request, 'secretsmanager');
    const sessionToken = request.headers.get('x-amz-security-token');
    this.requests.push({ operation: parsed.operation, params: parsed.body, signedWith, sessionToken });
    if (!signedWith) return jsonError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');

    const fault = this.faults.take(parsed.operation);
    if (fault && !fault.afterWrite) return jsonError(fault.status, fault.code, fault.message ?? fault.code);
    const reply = this.dispatch(parsed.operation, parsed.body);
    return fault ? jsonError(fault.status, fault.code, fault.message ?? fault.code) : reply;
  }

  private dispatch(operation: string, b: Record<string, unknown>): WireReply {
    const parsed = { operation };
    switch (parsed.operation) {
      case 'DescribeSecret':
        return this.describeSecret(str(b.SecretId));
      case 'GetSecretValue':
        return this.getSecretValue(str(b.SecretId), optional(b.VersionId), optional(b.VersionStage));
      case 'PutSecretValue':
        return this.putSecretValue(
          str(b.SecretId),
          str(b.ClientRequestToken),
          optional(b.SecretString),
          b.VersionStages,
        );
      case 'CreateSecret':
        return this.createSecretOperation(b);
      case 'UpdateSecretVersionStage':
        return this.updateSecretVersionStage(
          str(b.SecretId),
          str(b.VersionStage),
          optional(b.MoveToVersionId),
          optional(b.RemoveFromVersionId),
        );
      default:
        return jsonError(400, 'UnknownOperationException', `stub: ${parsed.operation} is not implemented`);
    }
  }

  private describeSecret(secretId: string): WireReply {
    const secret = this.find(secretId);
    if (!secret) return notFound();
    const labelled = secret.versions.filter((v) => v.stages.size > 0);
    return jsonResponse({
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description ? { Description: secret.description } : {}),
      CreatedDate: epochSeconds(secret.createdAt),
      LastChangedDate: epochSeconds(this.now()),
      ...(secret.deletedAt ? { DeletedDate: epochSeconds(secret.deletedAt) } : {}),
      ...(labelled.length
        ? { VersionIdsToStages: Object.fromEntries(labelled.map((v) => [v.versionId, [...v.stages]])) }
        : {}),
    });
  }

  private getSecretValue(secretId: string, versionId: string | undefined, stage: string | undefined): WireReply {
    const secret = this.find(secretId);
    if (!secret) return notFound();
    if (secret.deletedAt) return markedForDeletion();
    const version = secret.versions.find(
      (v) =>
        (versionId === undefined || v.versionId === versionId) &&
        (versionId !== undefined || v.stages.has(stage ?? 'AWSCURRENT')),
    );
    if (!version || (stage !== undefined && !version.stages.has(stage))) {
      return jsonError(
        400,
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${versionId ?? stage}`,
      );
    }
    return jsonResponse({
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
    });
  }

  private putSecretValue(secretId: string, token: string, value: string | undefined, stagesParam: unknown): WireReply {
    const secret = this.find(secretId);
    if (!secret) return notFound();
    if (secret.deletedAt) return markedForDeletion();
    if (value === undefined)
      return jsonError(400, 'InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    if (token.length < 32 || token.length > 64) {
      return jsonError(
        400,
        'ValidationException',
        "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint",
      );
    }
    const existing = secret.versions.find((v) => v.versionId === token);
    if (existing) {
      if (existing.value !== value)
        return jsonError(
          400,
          'ResourceExistsException',
          'You can’t modify an existing version, you can only create new versions.',
        );
      return jsonResponse({
        ARN: secret.arn,
        Name: secret.name,
        VersionId: existing.versionId,
        VersionStages: [...existing.stages],
      });
    }
    const stages = Array.isArray(stagesParam) ? stagesParam.map(String) : ['AWSCURRENT'];
    const version = this.addVersion(secret, token, value, stages);
    return jsonResponse({
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      VersionStages: [...version.stages],
    });
  }

  private createSecretOperation(body: Record<string, unknown>): WireReply {
    const name = str(body.Name);
    if (this.find(name))
      return jsonError(
        400,
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    const secret = this.createSecret(name);
    if (typeof body.Description === 'string') secret.description = body.Description;
    const value = optional(body.SecretString);
    if (value === undefined) return jsonResponse({ ARN: secret.arn, Name: secret.name });
    const version = this.addVersion(secret, str(body.ClientRequestToken) || randomUUID(), value, ['AWSCURRENT']);
    return jsonResponse({ ARN: secret.arn, Name: secret.name, VersionId: version.versionId });
  }

  private updateSecretVersionStage(
    secretId: string,
    label: string,
    moveTo: string | undefined,
    removeFrom: string | undefined,
  ): WireReply {
    const secret = this.find(secretId);
    if (!secret) return notFound();
    if (secret.deletedAt) return markedForDeletion();
    const holder = secret.versions.find((v) => v.stages.has(label));
    const source = removeFrom === undefined ? undefined : secret.versions.find((v) => v.versionId === removeFrom);
    if (removeFrom !== undefined && !source) return versionNotFound(removeFrom);
    if (source && holder !== source) {
      return jsonError(
        400,
        'InvalidParameterException',
        `The staging label ${label} is not attached to version ${removeFrom}.`,
      );
    }
    if (moveTo === undefined) {
      if (!source)
        return jsonError(400, 'InvalidParameterException', 'You must specify MoveToVersionId or RemoveFromVersionId.');
      if (label === 'AWSCURRENT') {
        return jsonError(
          400,
          'InvalidParameterException',
          'You can’t remove the staging label AWSCURRENT from a version; move it to another version instead.',
        );
      }
      source.stages.delete(label);
      return jsonResponse({ ARN: secret.arn, Name: secret.name });
    }
    const target = secret.versions.find((v) => v.versionId === moveTo);
    if (!target) return versionNotFound(moveTo);
    if (holder && holder !== target && !source) {
      return jsonError(
        400,
        'InvalidParameterException',
        `The staging label ${label} is currently attached to version ${holder.versionId}; specify it as ` +
          `RemoveFromVersionId.`,
      );
    }
    this.attach(secret, target, label);
    return jsonResponse({ ARN: secret.arn, Name: secret.name });
  }

  private addVersion(secret: WireSecret, versionId: string, value: string, stages: string[]): WireVersion {
    const first = secret.versions.length === 0;
    const version: WireVersion = { versionId, value, createdAt: this.now(), stages: new Set() };
    secret.versions.push(version);
    // The first version is current, whatever VersionStages said.
    for (const label of first && !stages.includes('AWSCURRENT') ? [...stages, 'AWSCURRENT'] : stages)
      this.attach(secret, version, label);
    return version;
  }

  /** Puts `label` on `version`, taking it off any other; moving AWSCURRENT drags AWSPREVIOUS along. */
  private attach(secret: WireSecret, version: WireVersion, label: string): void {
    const previousHolder = secret.versions.find((v) => v !== version && v.stages.has(label));
    previousHolder?.stages.delete(label);
    version.stages.add(label);
    if (label === 'AWSCURRENT' && previousHolder) {
      for (const v of secret.versions) v.stages.delete('AWSPREVIOUS');
      previousHolder.stages.add('AWSPREVIOUS');
    }
  }

  private createSecret(name: string): WireSecret {
    const secret: WireSecret = {
      name,
      arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`,
      createdAt: this.now(),
      versions: [],
    };
    this.secrets.set(name, secret);
    return secret;
  }

  private find(secretId: string): WireSecret | undefined {
    return this.secrets.get(secretId) ?? [...this.secrets.values()].find((s) => s.arn === secretId);
  }
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const optional = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const notFound = (): WireReply =>
  jsonError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const versionNotFound = (versionId: string): WireReply =>
  jsonError(400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${versionId}`);
const markedForDeletion = (): WireReply =>
  jsonError(
    400,
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );
