/**
 * The IamIdentityPort suite (test/contracts/iam-identity.contract.ts) against the in-memory fake and
 * against the adapter through the real SDK client and the stateful IAM wire stub.
 */
import { IamIdentityAdapter } from '../../../src/adapters/aws/iam-identity.adapter.js';
import { iamIdentityContract } from '../../contracts/iam-identity.contract.js';
import { testIamClient } from '../../../local/aws-wire/clients.js';
import { IamWire } from '../../../local/aws-wire/iam-wire.js';
import { FakeClock } from '../../../local/fakes/fake-clock.js';
import { FakeIam } from '../../../local/fakes/fake-iam.js';
import { FakeIamIdentity } from '../../../local/fakes/fake-iam-identity.js';

iamIdentityContract('FakeIamIdentity', () => {
  const iam = new FakeIam({ clock: new FakeClock() });
  const identity = new FakeIamIdentity({ iam });
  return {
    port: identity,
    addUser: (u) => iam.addUser(u),
    seedKey: (u, lastUsedAt) => iam.seedKey(u, { lastUsedAt }),
    seedUserPolicies: (u, seed) => identity.seedUserPolicies(u, seed),
    seedProvider: (url, ids) => identity.seedProvider(url, ids),
  };
});

iamIdentityContract('IamIdentityAdapter over the IAM wire', () => {
  const wire = new IamWire().install();
  return {
    port: new IamIdentityAdapter(testIamClient()),
    addUser: (u) => wire.addUser(u),
    seedKey: (u, lastUsedAt) => wire.seedKey(u, { lastUsedAt }),
    seedUserPolicies: (u, seed) => wire.identity.seedUserPolicies(u, seed),
    seedProvider: (url, ids) => wire.identity.seedProvider(url, ids),
  };
});
