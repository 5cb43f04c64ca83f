/**
 * A distinctive secret goes through every AWS adapter method, on success and error paths; then
 * everything the adapters produced (return values, errors, their JSON, their cause chains, their
 * `util.inspect` rendering, and anything written to the console or stdout/stderr) is searched
 * for it. A secret access key, PAT or webhook URL must never surface in any of it.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createStsClientFactory } from '../../../src/adapters/aws/clients.js';
import { IamAccessKeysAdapter } from '../../../src/adapters/aws/iam-access-keys.adapter.js';
import { SecretsManagerSecretStore } from '../../../src/adapters/aws/secrets-manager-secret-store.adapter.js';
import { SsmSecureParameters } from '../../../src/adapters/aws/ssm-secure-parameters.adapter.js';
import { StsKeyVerifierAdapter } from '../../../src/adapters/aws/sts-key-verifier.adapter.js';
import type { StoredCredential } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import {
  TEST_REGION,
  testIamClient,
  testSecretsManagerClient,
  testSsmClient,
} from '../../../local/aws-wire/clients.js';
import { IAM_ENDPOINT, IAM_NAMESPACE, IamWire, WIRE_ACCOUNT } from '../../../local/aws-wire/iam-wire.js';
import { queryResponse } from '../../../local/aws-wire/protocol.js';
import { SECRETS_MANAGER_ENDPOINT, SecretsManagerWire } from '../../../local/aws-wire/secrets-manager-wire.js';
import { SSM_ENDPOINT, SsmWire } from '../../../local/aws-wire/ssm-wire.js';
import { StsWire } from '../../../local/aws-wire/sts-wire.js';

const CANARY = `CANARY-SECRET-${randomBytes(18).toString('base64url')}`;
/** An echo of any 10 characters of the canary counts: AWS and JSON.parse quote truncated input. */
const WINDOW = 10;

function leaks(text: string): boolean {
  for (let start = 0; start + WINDOW <= CANARY.length; start++) {
    if (text.includes(CANARY.slice(start, start + WINDOW))) return true;
  }
  return false;
}

/** Every way a value may end up in a log line. */
function renderings(value: unknown): string[] {
  const out = [String(value), inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true })];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // Not serialisable: the renderings above are what a logger would print.
  }
  let cause: unknown = value;
  for (let depth = 0; depth < 10 && typeof cause === 'object' && cause !== null; depth++) {
    const { message, stack } = cause as { message?: unknown; stack?: unknown };
    out.push(String(message ?? ''), String(stack ?? ''), JSON.stringify(cause) ?? '');
    cause = (cause as { cause?: unknown }).cause;
  }
  return out;
}

const captured: string[] = [];
const spies: MockInstance[] = [];

/** Runs an adapter call and keeps everything it returned or threw. */
async function attempt<T>(call: () => Promise<T>): Promise<T | unknown> {
  try {
    const result = await call();
    captured.push(...renderings(result));
    return result;
  } catch (error) {
    captured.push(...renderings(error));
    return error;
  }
}

function expectNoCanary(): void {
  const leaked = captured.filter(leaks);
  expect(leaked, 'the canary secret surfaced in an adapter output, error or log line').toEqual([]);
}

beforeEach(() => {
  captured.length = 0;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    spies.push(
      vi
        .spyOn(console, method)
        .mockImplementation((...args: unknown[]) =>
          captured.push(args.map((a) => inspect(a, { depth: 10 })).join(' ')),
        ),
    );
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    spies.push(
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        captured.push(String(chunk));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write),
    );
  }
});

afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
});

const USER = 'app-deployer';
const SECRET = 'rotator/app-prod/aws-key';
const VERSION = '6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const canaryCredential = (accessKeyId = 'AKIACANARYKEY0000001'): StoredCredential => ({
  accessKeyId,
  secretAccessKey: new SecretValue(CANARY),
  iamUserName: USER,
  createdAt: new Date('2026-11-29T03:00:00.000Z'),
});

describe('Canary: no secret leaves an AWS adapter', () => {
  it('the detector finds the canary, even a ten-character piece of it, in what it scans', () => {
    expect(leaks(inspect({ nested: { value: CANARY } }))).toBe(true);
    expect(leaks(`Unexpected token 'C', "${CANARY.slice(0, 10)}"... is not valid JSON`)).toBe(true);
    expect(leaks('[REDACTED]')).toBe(false);
  });

  describe('Class: IamAccessKeysAdapter', () => {
    it('createKey returns the canary only inside a SecretValue, and no error path carries it', async () => {
      // Arrange
      const wire = new IamWire().install();
      wire.addUser(USER);
      wire.nextSecretAccessKey = CANARY;
      const adapter = new IamAccessKeysAdapter(testIamClient());

      // Act
      const key = (await attempt(() => adapter.createKey(USER))) as { secretAccessKey: SecretValue };
      wire.failNext('CreateAccessKey', {
        code: 'LimitExceeded',
        status: 409,
        message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      });
      await attempt(() => adapter.createKey(USER));
      wire.failNext('CreateAccessKey', { code: 'Throttling', status: 400, message: 'Rate exceeded' });
      await attempt(() => adapter.createKey(USER));
      await attempt(() => adapter.listKeys(USER));
      await attempt(() => adapter.setKeyStatus(USER, 'AKIAGONEKEY000000001', 'Inactive'));
      await attempt(() => adapter.deleteKey(USER, 'AKIAGONEKEY000000001'));

      // Assert: the canary did go through, and surfaced nowhere.
      expect(key.secretAccessKey.reveal()).toBe(CANARY);
      expectNoCanary();
    });

    it('createKey withholds an unreadable answer that carries the secret', async () => {
      // Arrange: a truncated XML answer, and one without the key id.
      const adapter = new IamAccessKeysAdapter(testIamClient());
      nock(IAM_ENDPOINT)
        .post('/')
        .reply(
          200,
          `<CreateAccessKeyResponse xmlns="` +
            `${IAM_NAMESPACE}"><CreateAccessKeyResult><AccessKey><SecretAccessKey>${CANARY}</SecretAccess`,
          {
            'content-type': 'text/xml',
          },
        )
        .post('/')
        .reply(
          ...queryResponse(
            IAM_NAMESPACE,
            'CreateAccessKey',
            `<AccessKey><UserName>${USER}</UserName><SecretAccessKey>${CANARY}</SecretAccessKey></AccessKey>`,
          ),
        );

      // Act
      const first = await attempt(() => adapter.createKey(USER));
      const second = await attempt(() => adapter.createKey(USER));

      // Assert
      expect(first).toBeInstanceOf(Error);
      expect(second).toBeInstanceOf(Error);
      expectNoCanary();
    });
  });

  describe('Class: StsKeyVerifierAdapter', () => {
    it('verify never surfaces the key it signs with, on success or on any error', async () => {
      // Arrange
      const wire = new StsWire().install();
      const adapter = new StsKeyVerifierAdapter(createStsClientFactory({ region: TEST_REGION }));
      const key = { accessKeyId: 'AKIACANARYKEY0000001', secretAccessKey: new SecretValue(CANARY) };
      wire.addKey(key.accessKeyId, `arn:aws:iam::${WIRE_ACCOUNT}:user/${USER}`);

      // Act
      await attempt(() => adapter.verify(USER, key));
      await attempt(() => adapter.verify('someone-else', key));
      for (const code of ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken']) {
        wire.failNext('GetCallerIdentity', { code, status: 403, message: `${code}: the request was rejected` });
        await attempt(() => adapter.verify(USER, key));
      }
      // An error message quoting the secret (hypothetical, but nothing guarantees AWS never will).
      wire.failNext('GetCallerIdentity', {
        code: 'SignatureDoesNotMatch',
        status: 403,
        message: `The String-to-Sign was computed with ${CANARY}`,
      });
      await attempt(() => adapter.verify(USER, key));

      // Assert
      expect(wire.requests.every((r) => r.signedWith === key.accessKeyId)).toBe(true);
      expectNoCanary();
    });
  });

  describe('Class: SecretsManagerSecretStore', () => {
    it('putPending, describe, getVersion, promote and dropPending never surface the secret they store', async () => {
      // Arrange
      const wire = new SecretsManagerWire().install();
      const store = new SecretsManagerSecretStore(testSecretsManagerClient());
      wire.seed(SECRET, { accessKeyId: 'AKIAOLDKEY0000000001', secretAccessKey: `old-${CANARY}`, iamUserName: USER });

      // Act: success paths.
      await attempt(() => store.putPending(SECRET, VERSION, canaryCredential()));
      await attempt(() => store.putPending(SECRET, VERSION, canaryCredential()));
      await attempt(() => store.describe(SECRET));
      const stored = (await attempt(() => store.getVersion(SECRET, VERSION))) as StoredCredential;
      await attempt(() => store.promote(SECRET, VERSION));
      await attempt(() => store.putPending('rotator/new-secret', VERSION, canaryCredential()));
      await attempt(() => store.dropPending('rotator/new-secret', VERSION));

      // Act: error paths.
      await attempt(() => store.putPending(SECRET, VERSION, canaryCredential('AKIAOTHERKEY00000001')));
      for (const code of [
        'ThrottlingException',
        'AccessDeniedException',
        'InternalServiceError',
        'LimitExceededException',
      ]) {
        wire.failNext('PutSecretValue', { code, status: 400, message: `${code} while storing the value` });
        await attempt(() => store.putPending(SECRET, '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', canaryCredential()));
      }
      wire.failNext('PutSecretValue', {
        code: 'ValidationException',
        status: 400,
        message:
          `1 validation error detected: Value '{"accessKeyId":"AKIACANARYKEY0000001","secretAccessKey":"` +
          `${CANARY.slice(0, 20)}' at 'secretString' failed to satisfy constraint`,
      });
      await attempt(() => store.putPending(SECRET, '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', canaryCredential()));
      wire.failNext('CreateSecret', {
        code: 'AccessDeniedException',
        status: 400,
        message: 'not authorized to perform: secretsmanager:CreateSecret',
      });
      await attempt(() => store.putPending('rotator/denied', VERSION, canaryCredential()));
      wire.failNext('GetSecretValue', {
        code: 'AccessDeniedException',
        status: 400,
        message: 'Access to KMS is not allowed',
      });
      await attempt(() => store.getVersion(SECRET, VERSION));
      wire.failNext('UpdateSecretVersionStage', { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' });
      await attempt(() => store.promote(SECRET, wire.versions(SECRET)[0]?.versionId ?? ''));

      // Assert
      expect(stored.secretAccessKey.reveal()).toBe(CANARY);
      expectNoCanary();
    });

    it('describe withholds a malformed value and an unreadable answer that carry the secret', async () => {
      // Arrange: a truncated JSON value, then a GetSecretValue answer that is not JSON at all.
      const malformed = new SecretsManagerWire().install();
      malformed.seedRaw(SECRET, `{"accessKeyId":"AKIACANARYKEY0000001","secretAccessKey":"${CANARY}`);
      const store = new SecretsManagerSecretStore(testSecretsManagerClient());

      // Act
      const first = await attempt(() => store.describe(SECRET));
      nock.cleanAll();
      nock(SECRETS_MANAGER_ENDPOINT)
        .post('/')
        .matchHeader('x-amz-target', 'secretsmanager.GetSecretValue')
        .reply(200, `${CANARY} is not JSON`, { 'content-type': 'application/x-amz-json-1.1' });
      const wire = new SecretsManagerWire().install();
      const version = wire.seed(SECRET, {
        accessKeyId: 'AKIACANARYKEY0000001',
        secretAccessKey: CANARY,
        iamUserName: USER,
      });
      const second = await attempt(() => store.getVersion(SECRET, version));

      // Assert
      expect(first).toBeInstanceOf(Error);
      expect(second).toBeInstanceOf(Error);
      expectNoCanary();
    });
  });

  describe('Class: SsmSecureParameters', () => {
    it('getSecure returns the value only inside a SecretValue, and no error path carries it', async () => {
      // Arrange
      const name = '/rotator/slack/webhook';
      const wire = new SsmWire({ [name]: `https://hooks.slack.com/services/T000/B000/${CANARY}` }).install();
      const parameters = new SsmSecureParameters(testSsmClient());

      // Act
      const value = (await attempt(() => parameters.getSecure(name, 'the Slack webhook URL'))) as SecretValue;
      await attempt(() => parameters.getSecure('/rotator/missing', 'the Azure DevOps PAT'));
      for (const code of ['AccessDeniedException', 'ThrottlingException', 'InternalServerError']) {
        wire.failNext('GetParameter', { code, status: 400, message: `${code} on GetParameter` });
        await attempt(() => parameters.getSecure('/rotator/other', 'the Azure DevOps PAT'));
      }
      nock.cleanAll();
      nock(SSM_ENDPOINT)
        .post('/')
        .reply(200, `${CANARY} is not JSON`, { 'content-type': 'application/x-amz-json-1.1' });
      const unreadable = await attempt(() => parameters.getSecure('/rotator/unreadable', 'the Azure DevOps PAT'));

      // Assert
      expect(value.reveal()).toContain(CANARY);
      expect(unreadable).toBeInstanceOf(Error);
      expectNoCanary();
    });
  });
});
