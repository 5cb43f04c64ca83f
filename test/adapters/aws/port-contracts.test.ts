/**
 * The four AWS-backed ports' shared suites (test/contracts), each run twice: against the
 * in-memory fake the domain tests use, and against the adapter through the real SDK client and a
 * stateful wire stub. A behaviour the two disagree on fails here.
 */
import { randomBytes } from 'node:crypto';
import { IamAccessKeysAdapter } from '../../../src/adapters/aws/iam-access-keys.adapter.js';
import { SecretsManagerSecretStore } from '../../../src/adapters/aws/secrets-manager-secret-store.adapter.js';
import { SsmSecureParameters } from '../../../src/adapters/aws/ssm-secure-parameters.adapter.js';
import { StsKeyVerifierAdapter } from '../../../src/adapters/aws/sts-key-verifier.adapter.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import {
  testIamClient,
  testSecretsManagerClient,
  testSsmClient,
  testStsClientFactory,
} from '../../../local/aws-wire/clients.js';
import { IamWire, WIRE_ACCOUNT } from '../../../local/aws-wire/iam-wire.js';
import { SecretsManagerWire } from '../../../local/aws-wire/secrets-manager-wire.js';
import { SsmWire } from '../../../local/aws-wire/ssm-wire.js';
import { StsWire } from '../../../local/aws-wire/sts-wire.js';
import { FakeClock } from '../../../local/fakes/fake-clock.js';
import { FakeIam } from '../../../local/fakes/fake-iam.js';
import { FakeKeyVerifier } from '../../../local/fakes/fake-key-verifier.js';
import { FakeSecretStore } from '../../../local/fakes/fake-secret-store.js';
import { FakeSecureParameters } from '../../../local/fakes/fake-targets.js';
import { iamAccessKeysContract } from '../../contracts/iam-access-keys.contract.js';
import { keyVerifierContract } from '../../contracts/key-verifier.contract.js';
import { secretStoreContract } from '../../contracts/secret-store.contract.js';
import { secureParametersContract } from '../../contracts/secure-parameters.contract.js';

// ------------------------------------------------------------------ IAM

iamAccessKeysContract('FakeIam', () => {
  const iam = new FakeIam({ clock: new FakeClock() });
  return { port: iam, addUser: (u) => iam.addUser(u), seedKey: (u, o) => iam.seedKey(u, o), keys: (u) => iam.keys(u) };
});

iamAccessKeysContract('IamAccessKeysAdapter over the IAM wire', () => {
  const wire = new IamWire().install();
  return {
    port: new IamAccessKeysAdapter(testIamClient()),
    addUser: (u) => wire.addUser(u),
    seedKey: (u, o) => wire.seedKey(u, o),
    keys: (u) => wire.keys(u),
  };
});

// ------------------------------------------------------------------ key verification

keyVerifierContract('FakeKeyVerifier', () => {
  const clock = new FakeClock();
  const iam = new FakeIam({ clock, propagationMs: 5_000 });
  return {
    port: new FakeKeyVerifier({ iam }),
    usableKey: (userName) => {
      const key = iam.seedKey(userName);
      return { accessKeyId: key.accessKeyId, secretAccessKey: new SecretValue(key.secretAccessKey) };
    },
    propagatingKey: async (userName) => {
      iam.addUser(userName);
      const key = await iam.createKey(userName);
      return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    },
    finishPropagation: () => clock.advance(5_000),
  };
});

keyVerifierContract('StsKeyVerifierAdapter over the STS wire', () => {
  const wire = new StsWire().install();
  const newKey = (userName: string, propagatingCalls: number) => {
    const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    wire.addKey(accessKeyId, `arn:aws:iam::${WIRE_ACCOUNT}:user/${userName}`, { propagatingCalls });
    return { accessKeyId, secretAccessKey: new SecretValue(randomBytes(30).toString('base64')) };
  };
  return {
    port: new StsKeyVerifierAdapter(testStsClientFactory()),
    usableKey: (userName) => newKey(userName, 0),
    propagatingKey: (userName) => newKey(userName, Number.POSITIVE_INFINITY),
    finishPropagation: () => wire.finishPropagation(),
  };
});

// ------------------------------------------------------------------ Secrets Manager

secretStoreContract('FakeSecretStore', () => {
  const store = new FakeSecretStore({ clock: new FakeClock() });
  return { port: store, seed: (id, c) => store.seed(id, c), seedRaw: (id, v) => store.seedRaw(id, v) };
});

secretStoreContract('SecretsManagerSecretStore over the Secrets Manager wire', () => {
  const wire = new SecretsManagerWire().install();
  return {
    port: new SecretsManagerSecretStore(testSecretsManagerClient()),
    seed: (id, c) => wire.seed(id, c),
    seedRaw: (id, v) => wire.seedRaw(id, v),
  };
});

// ------------------------------------------------------------------ SSM

secureParametersContract('FakeSecureParameters', (values) => new FakeSecureParameters({ ...values }));

secureParametersContract('SsmSecureParameters over the SSM wire', (values) => {
  new SsmWire(values).install();
  return new SsmSecureParameters(testSsmClient());
});
