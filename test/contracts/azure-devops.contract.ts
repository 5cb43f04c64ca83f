/**
 * The behaviour every `AzureDevOpsPort` must have, as a reusable suite: run against the real
 * adapter over the HTTP stand-in and against the in-memory fake, so the fake the domain tests
 * rely on cannot drift from what the adapter does.
 *
 *   azureDevOpsContract('FakeAzureDevOps', () => harnessFor(new FakeAzureDevOps()));
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionAmbiguousError,
  ConnectionGoneError,
  ConnectionNotAwsError,
  ConnectionNotFoundError,
  ConnectionUsesOidcError,
} from '../../src/domain/errors.js';
import type { ConnectionRef } from '../../src/domain/model.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { AzureDevOpsPort } from '../../src/ports/azure-devops.port.js';

export interface ConnectionSeed {
  id?: string;
  /** Default 'AWS'. */
  type?: string;
  usesOidc?: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Projects sharing the connection (default: the ref's project only). */
  projects?: string[];
}

/** What the backend holds, secret included (for assertions only). */
export interface StoredConnectionView {
  id: string;
  name: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  sessionToken: string | null;
  projects: string[];
  updates: number;
}

export interface AzureDevOpsHarness {
  port: AzureDevOpsPort;
  /** The organization URL the backend serves. */
  organizationUrl: string;
  /** The SSM parameter holding a credential the backend accepts. */
  credentialParameter: string;
  seedConnection(
    ref: Pick<ConnectionRef, 'organizationUrl' | 'project' | 'connectionName'>,
    seed: ConnectionSeed,
  ): string;
  connection(id: string): StoredConnectionView;
  close?(): Promise<void>;
}

/** A GUID no backend will have. */
const UNKNOWN_ID = '0f0f0f0f-0000-4000-8000-00000000dead';

export function azureDevOpsContract(
  label: string,
  makeHarness: () => AzureDevOpsHarness | Promise<AzureDevOpsHarness>,
): void {
  describe(`AzureDevOpsPort contract: ${label}`, () => {
    let harness: AzureDevOpsHarness;
    let ref: ConnectionRef;
    const oldKey = { accessKeyId: 'AKIAOLDKEY000000001', secretAccessKey: 'old/Secret+Key0123456789abcdefghijklmnop' };
    const newKey = {
      accessKeyId: 'AKIANEWKEY000000001',
      secretAccessKey: new SecretValue('new/Secret+Key0123456789abcdefghijklmnop'),
    };

    beforeEach(async () => {
      harness = await makeHarness();
      ref = {
        organizationUrl: harness.organizationUrl,
        project: 'Web',
        connectionName: 'aws-prod',
        credentialParameter: harness.credentialParameter,
      };
    });

    afterEach(async () => {
      await harness.close?.();
    });

    describe('findConnection', () => {
      it('finds the AWS connection by name in its project and reports the key it holds', async () => {
        // Arrange
        const id = harness.seedConnection(ref, { ...oldKey });
        harness.seedConnection(
          { ...ref, connectionName: 'aws-other' },
          { accessKeyId: 'AKIAOTHER0000000001', secretAccessKey: 'other-secret-000000000000000000000000000' },
        );

        // Act
        const state = await harness.port.findConnection(ref);

        // Assert
        expect(state).toEqual({
          id,
          name: 'aws-prod',
          type: 'AWS',
          usesOidc: false,
          heldAccessKeyId: oldKey.accessKeyId,
          assumesRole: false,
          projectReferenceCount: 1,
        });
      });

      it('finds a connection shared into the project and counts every project referencing it', async () => {
        // Arrange
        const id = harness.seedConnection(ref, { ...oldKey, projects: ['Web', 'Api'] });

        // Act
        const state = await harness.port.findConnection({ ...ref, project: 'Api' });

        // Assert
        expect(state.id).toBe(id);
        expect(state.projectReferenceCount).toBe(2);
      });

      it('throws ConnectionNotFoundError when no connection in the project has the name', async () => {
        // Arrange
        harness.seedConnection({ ...ref, connectionName: 'aws-staging' }, { ...oldKey });

        // Act
        const error = await harness.port.findConnection(ref).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionNotFoundError);
        expect((error as Error).message).toContain('aws-prod');
        expect((error as Error).message).toContain('Web');
      });

      it('throws ConnectionAmbiguousError when two connections in the project have the name', async () => {
        // Arrange
        harness.seedConnection(ref, { ...oldKey });
        harness.seedConnection(ref, {
          accessKeyId: 'AKIASECOND000000001',
          secretAccessKey: 'second-secret-00000000000000000000000000',
        });

        // Act
        const error = await harness.port.findConnection(ref).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionAmbiguousError);
      });

      it('reports an OIDC connection instead of refusing it (the plan refuses)', async () => {
        // Arrange
        harness.seedConnection(ref, { ...oldKey, usesOidc: true });

        // Act
        const state = await harness.port.findConnection(ref);

        // Assert
        expect(state.usesOidc).toBe(true);
      });

      it('reports a non-AWS connection with its type instead of refusing it', async () => {
        // Arrange
        harness.seedConnection(ref, { ...oldKey, type: 'Generic' });

        // Act
        const state = await harness.port.findConnection(ref);

        // Assert
        expect(state.type).toBe('Generic');
      });
    });

    describe('readConnection', () => {
      it('reads by id what findConnection found, without the secret', async () => {
        // Arrange
        const id = harness.seedConnection(ref, { ...oldKey });
        const found = await harness.port.findConnection(ref);

        // Act
        const read = await harness.port.readConnection(ref, id);

        // Assert
        expect(read).toEqual(found);
        expect(JSON.stringify(read)).not.toContain(oldKey.secretAccessKey);
      });

      it('throws ConnectionGoneError for an id that does not exist', async () => {
        // Arrange
        harness.seedConnection(ref, { ...oldKey });

        // Act
        const error = await harness.port.readConnection(ref, UNKNOWN_ID).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionGoneError);
      });
    });

    describe('updateCredential', () => {
      it('replaces key id and secret in place: same id, same projects, session token cleared', async () => {
        // Arrange
        const id = harness.seedConnection(ref, { ...oldKey, projects: ['Web', 'Api'] });

        // Act
        await harness.port.updateCredential(ref, id, newKey);

        // Assert
        const stored = harness.connection(id);
        expect(stored.id).toBe(id);
        expect(stored.accessKeyId).toBe(newKey.accessKeyId);
        expect(stored.secretAccessKey).toBe(newKey.secretAccessKey.reveal());
        expect(stored.sessionToken ?? '').toBe('');
        expect(stored.projects).toEqual(['Web', 'Api']);
        expect(stored.name).toBe('aws-prod');
        expect(stored.updates).toBe(1);
        const read = await harness.port.readConnection(ref, id);
        expect(read.heldAccessKeyId).toBe(newKey.accessKeyId);
        expect(JSON.stringify(read)).not.toContain(newKey.secretAccessKey.reveal());
      });

      it('is idempotent: publishing the same key twice leaves the same connection', async () => {
        // Arrange
        const id = harness.seedConnection(ref, { ...oldKey });
        await harness.port.updateCredential(ref, id, newKey);

        // Act
        await harness.port.updateCredential(ref, id, newKey);

        // Assert
        const stored = harness.connection(id);
        expect(stored.accessKeyId).toBe(newKey.accessKeyId);
        expect(stored.secretAccessKey).toBe(newKey.secretAccessKey.reveal());
        expect((await harness.port.findConnection(ref)).id).toBe(id);
      });

      it('refuses an OIDC connection with ConnectionUsesOidcError and changes nothing', async () => {
        // Arrange
        const id = harness.seedConnection(ref, { ...oldKey, usesOidc: true });

        // Act
        const error = await harness.port.updateCredential(ref, id, newKey).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionUsesOidcError);
        const stored = harness.connection(id);
        expect(stored.accessKeyId).toBe(oldKey.accessKeyId);
        expect(stored.secretAccessKey).toBe(oldKey.secretAccessKey);
        expect(stored.updates).toBe(0);
      });

      it('refuses a non-AWS connection with ConnectionNotAwsError and changes nothing', async () => {
        // Arrange
        const id = harness.seedConnection(ref, { ...oldKey, type: 'Generic' });

        // Act
        const error = await harness.port.updateCredential(ref, id, newKey).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionNotAwsError);
        const stored = harness.connection(id);
        expect(stored.secretAccessKey).toBe(oldKey.secretAccessKey);
        expect(stored.updates).toBe(0);
      });

      it('throws ConnectionGoneError for an id that does not exist', async () => {
        // Arrange
        harness.seedConnection(ref, { ...oldKey });

        // Act
        const error = await harness.port.updateCredential(ref, UNKNOWN_ID, newKey).catch((e: unknown) => e);

        // Assert
        expect(error).toBeInstanceOf(ConnectionGoneError);
      });
    });
  });
}
