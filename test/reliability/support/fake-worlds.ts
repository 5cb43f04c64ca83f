/**
 * Starting worlds (worlds.ts) built in the in-memory fakes, and the fault property's view of them.
 */
import { ORG_URL, PAT_PARAMETER, FakeWorld, PROJECT } from '../../../local/fakes/world.js';
import type { RotationTarget } from '../../../src/domain/model.js';
import { SecretValue } from '../../../src/domain/secret-value.js';
import type { WorldView } from './fault-check.js';
import { type SeedKey, type SeededWorld, seedWorld, type WorldSpec } from './worlds.js';

export const TARGET_NAME = 'target-1';
/** The fake clock's default start: the run happens then. */
export const NOW = new Date('2026-11-29T03:00:00.000Z');

/** A FakeWorld seeded as `spec` describes. */
export async function fakeWorldFor(
  spec: WorldSpec,
  options: { propagationMs?: number } = {},
): Promise<{ world: FakeWorld; seeded: SeededWorld }> {
  const world = new FakeWorld({
    targets: 0,
    start: new Date(NOW.getTime() - 200 * 86_400_000),
    ...(options.propagationMs === undefined ? {} : { propagationMs: options.propagationMs }),
  });
  const secretId = `rotator/${TARGET_NAME}`;
  const iamUserName = `ado-${TARGET_NAME}`;
  const credential = (key: SeedKey) => ({
    accessKeyId: key.accessKeyId,
    secretAccessKey: new SecretValue(key.secretAccessKey),
    iamUserName,
    createdAt: world.clock.now(),
  });
  const seeded = await seedWorld(
    {
      setTime: (at) => world.clock.advance(at.getTime() - world.clock.now().getTime()),
      seedKey: (options) => world.iam.seedKey(iamUserName, options),
      seedSecret: async (key) => {
        world.secrets.seed(secretId, { ...key, iamUserName });
      },
      putPending: async (versionId, key) => {
        await world.secrets.putPending(secretId, versionId, credential(key));
      },
      promote: (versionId) => world.secrets.promote(secretId, versionId),
      seedTarget: async (key, worldSpec) => {
        const target: RotationTarget = {
          name: TARGET_NAME,
          iamUserName,
          secretId,
          connection: {
            organizationUrl: ORG_URL,
            project: PROJECT,
            connectionName: `aws-${TARGET_NAME}`,
            credentialParameter: PAT_PARAMETER,
          },
        };
        world.iam.addUser(iamUserName);
        world.connectionIds.set(TARGET_NAME, world.azureDevOps.seedConnection(target.connection, key));
        world.targets.add(target);
        world.addHolders(TARGET_NAME, worldSpec.holders);
        switch (worldSpec.canary) {
          case 'none':
            break;
          case 'pass':
            world.addCanary(TARGET_NAME);
            break;
          case 'fail': {
            // The pipeline's job fails whatever key it is given (a broken deploy script, say).
            const connectionId = world.connectionIds.get(TARGET_NAME) as string;
            world.addCanary(TARGET_NAME, {
              uses: () => ({
                accessKeyId: world.azureDevOps.connection(connectionId).accessKeyId,
                secretAccessKey: '',
              }),
            });
            break;
          }
          case 'cancel':
            world.addCanary(TARGET_NAME, { outcome: 'canceled' });
            break;
          case 'timeout':
            world.addCanary(TARGET_NAME, { outcome: 'never-completes' });
            break;
        }
      },
    },
    spec,
    NOW,
  );
  return { world, seeded };
}

/** The fault property's view of a FakeWorld's target. */
export function fakeView(world: FakeWorld, name = TARGET_NAME): WorldView {
  const target = world.target(name);
  const connection = world.azureDevOps.connection(world.connectionIds.get(name) as string);
  const works = (id: string | null, secret: string | null) =>
    id !== null && world.iam.authenticates(id, secret ?? '') !== 'invalid';
  return {
    keys: world.iam.keys(target.iamUserName).map((k) => ({ accessKeyId: k.accessKeyId, status: k.status })),
    holders: [
      {
        label: `connection ${target.connection.connectionName}`,
        accessKeyId: connection.accessKeyId,
        works: works(connection.accessKeyId, connection.secretAccessKey),
        otherSecretKept: true,
      },
      ...world.otherHolderKeys(name).map((h) => ({
        label: h.label,
        accessKeyId: h.accessKeyId,
        works: works(h.accessKeyId, h.secretAccessKey),
        otherSecretKept: h.otherSecretKept,
      })),
    ],
    secret: {
      current: world.secrets.keyIdAt(target.secretId, 'AWSCURRENT'),
      pending: world.secrets.keyIdAt(target.secretId, 'AWSPENDING'),
      previous: world.secrets.keyIdAt(target.secretId, 'AWSPREVIOUS'),
    },
  };
}
