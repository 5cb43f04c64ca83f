/**
 * The behaviour every `VariableGroupsPort` must have, run against the real adapter over the HTTP
 * stand-in and against the in-memory fake (test/adapters/azure-devops/holder-ports.contract.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  VariableGroupGoneError,
  VariableGroupNotFoundError,
  VariableGroupUnsupportedError,
  VariableGroupAmbiguousError,
} from '../../src/domain/errors.js';
import type { VariableGroupRef } from '../../src/domain/holders.js';
import { SecretValue } from '../../src/domain/secret-value.js';
import type { VariableGroupsPort } from '../../src/ports/variable-groups.port.js';

export interface VariableGroupSeed {
  type?: string;
  variables: Record<string, { value: string; isSecret?: boolean }>;
  projects?: string[];
}

export interface VariableGroupsHarness {
  port: VariableGroupsPort;
  organizationUrl: string;
  credentialParameter: string;
  seedVariableGroup(
    ref: Pick<VariableGroupRef, 'organizationUrl' | 'project' | 'groupName'>,
    seed: VariableGroupSeed,
  ): number;
  /** What the backend stores, secret values included (for assertions only). */
  variableGroup(id: number): {
    id: number;
    name: string;
    variables: Record<string, { value: string; isSecret: boolean }>;
    updates: number;
  };
  close?(): Promise<void>;
}

const OLD = { accessKeyId: 'AKIAOLDKEY000000001', secretAccessKey: 'old/Secret+Key0123456789abcdefghijklmnop' };
const NEW = {
  accessKeyId: 'AKIANEWKEY000000001',
  secretAccessKey: new SecretValue('new/Secret+Key0123456789abcdefghijklmnop'),
};
const OTHER_SECRET = 'terraform-token-0123456789abcdefghijkl';

export function variableGroupsContract(
  label: string,
  makeHarness: () => VariableGroupsHarness | Promise<VariableGroupsHarness>,
): void {
  describe(`VariableGroupsPort contract: ${label}`, () => {
    let harness: VariableGroupsHarness;
    let ref: VariableGroupRef;
    const keyVariables = () => ({
      AWS_ACCESS_KEY_ID: { value: OLD.accessKeyId },
      AWS_SECRET_ACCESS_KEY: { value: OLD.secretAccessKey, isSecret: true },
    });

    beforeEach(async () => {
      harness = await makeHarness();
      ref = {
        organizationUrl: harness.organizationUrl,
        project: 'Web',
        groupName: 'aws-deploy',
        accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
        secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
        credentialParameter: harness.credentialParameter,
      };
    });

    afterEach(async () => {
      await harness.close?.();
    });

    it('finds the group by name and reports the key id it holds, never a secret value', async () => {
      // Prepare
      const id = harness.seedVariableGroup(ref, { variables: { ...keyVariables(), REGION: { value: 'eu-west-1' } } });
      harness.seedVariableGroup({ ...ref, groupName: 'aws-deploy-old' }, { variables: keyVariables() });

      // Act
      const state = await harness.port.findVariableGroup(ref);

      // Assess
      expect(state).toEqual({
        id,
        name: 'aws-deploy',
        type: 'Vsts',
        keyVaultLinked: false,
        heldAccessKeyId: OLD.accessKeyId,
        accessKeyIdIsSecret: false,
        hasSecretVariable: true,
        secretVariableIsSecret: true,
        variableCount: 3,
      });
      expect(JSON.stringify(state)).not.toContain(OLD.secretAccessKey);
      expect(await harness.port.readVariableGroup(ref, id)).toEqual(state);
    });

    it(
      'throws VariableGroupNotFoundError for an unknown name and VariableGroupAmbiguousError for a ' + 'duplicated one',
      async () => {
        // Prepare
        harness.seedVariableGroup({ ...ref, groupName: 'twice' }, { variables: keyVariables() });
        harness.seedVariableGroup({ ...ref, groupName: 'twice' }, { variables: keyVariables() });

        // Act
        const missing = await harness.port.findVariableGroup(ref).catch((e: unknown) => e);
        const twice = await harness.port.findVariableGroup({ ...ref, groupName: 'twice' }).catch((e: unknown) => e);

        // Assess
        expect(missing).toBeInstanceOf(VariableGroupNotFoundError);
        expect((missing as Error).message).toContain('aws-deploy');
        expect(twice).toBeInstanceOf(VariableGroupAmbiguousError);
      },
    );

    it('writes the new key in place and keeps every other variable, other secrets included, untouched', async () => {
      // Prepare
      const id = harness.seedVariableGroup(ref, {
        variables: {
          ...keyVariables(),
          TF_TOKEN: { value: OTHER_SECRET, isSecret: true },
          REGION: { value: 'eu-west-1' },
        },
        projects: ['Web', 'Api'],
      });

      // Act
      await harness.port.updateCredential(ref, id, NEW);

      // Assess
      const stored = harness.variableGroup(id);
      expect(stored.id).toBe(id);
      expect(stored.updates).toBe(1);
      expect(stored.variables).toEqual({
        AWS_ACCESS_KEY_ID: { value: NEW.accessKeyId, isSecret: false },
        AWS_SECRET_ACCESS_KEY: { value: NEW.secretAccessKey.reveal(), isSecret: true },
        TF_TOKEN: { value: OTHER_SECRET, isSecret: true },
        REGION: { value: 'eu-west-1', isSecret: false },
      });
      expect((await harness.port.readVariableGroup(ref, id)).heldAccessKeyId).toBe(NEW.accessKeyId);
    });

    it('is idempotent: writing the same key twice leaves the same group', async () => {
      // Prepare
      const id = harness.seedVariableGroup(ref, {
        variables: { ...keyVariables(), TF_TOKEN: { value: OTHER_SECRET, isSecret: true } },
      });
      await harness.port.updateCredential(ref, id, NEW);

      // Act
      await harness.port.updateCredential(ref, id, NEW);

      // Assess
      const stored = harness.variableGroup(id);
      expect(stored.variables.AWS_SECRET_ACCESS_KEY?.value).toBe(NEW.secretAccessKey.reveal());
      expect(stored.variables.TF_TOKEN?.value).toBe(OTHER_SECRET);
    });

    it.each([
      ['a Key Vault-linked group', { type: 'AzureKeyVault' }, 'Key Vault'],
      ['a secret key variable not marked secret', { secretNotSecret: true }, 'not marked secret'],
    ])('refuses %s with VariableGroupUnsupportedError and changes nothing', async (_label, variant, _words) => {
      // Prepare
      const variables = keyVariables();
      if ('secretNotSecret' in variant)
        variables.AWS_SECRET_ACCESS_KEY = { value: OLD.secretAccessKey, isSecret: false };
      const id = harness.seedVariableGroup(ref, { variables, ...('type' in variant ? { type: variant.type } : {}) });
      const before = structuredClone(harness.variableGroup(id));

      // Act
      const found = await harness.port.findVariableGroup(ref);
      const error = await harness.port.updateCredential(ref, id, NEW).catch((e: unknown) => e);

      // Assess
      expect(found.keyVaultLinked || !found.secretVariableIsSecret).toBe(true);
      expect(error).toBeInstanceOf(VariableGroupUnsupportedError);
      expect(harness.variableGroup(id)).toEqual(before);
    });

    it('throws VariableGroupGoneError for an id that does not exist', async () => {
      // Prepare
      harness.seedVariableGroup(ref, { variables: keyVariables() });

      // Act
      const read = await harness.port.readVariableGroup(ref, 9999).catch((e: unknown) => e);
      const update = await harness.port.updateCredential(ref, 9999, NEW).catch((e: unknown) => e);

      // Assess
      expect(read).toBeInstanceOf(VariableGroupGoneError);
      expect(update).toBeInstanceOf(VariableGroupGoneError);
    });

    it('lists the groups of a project with variable names and secret flags, never a value', async () => {
      // Prepare
      const id = harness.seedVariableGroup(ref, { variables: { ...keyVariables(), REGION: { value: 'eu-west-1' } } });
      harness.seedVariableGroup({ ...ref, project: 'Elsewhere' }, { variables: keyVariables() });

      // Act
      const groups = await harness.port.listVariableGroups({
        organizationUrl: ref.organizationUrl,
        project: 'Web',
        credentialParameter: ref.credentialParameter,
      });

      // Assess
      expect(groups).toEqual([
        {
          id,
          name: 'aws-deploy',
          type: 'Vsts',
          variables: [
            { name: 'AWS_ACCESS_KEY_ID', isSecret: false },
            { name: 'AWS_SECRET_ACCESS_KEY', isSecret: true },
            { name: 'REGION', isSecret: false },
          ],
        },
      ]);
      expect(JSON.stringify(groups)).not.toContain(OLD.secretAccessKey);
    });
  });
}
