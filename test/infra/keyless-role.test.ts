import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { AdoOidcRole } from '../../infra/keyless-role.js';
import { trustPolicy } from '../../src/domain/keyless/oidc.js';

const ORG_ID = '5e0a4b4c-0000-4000-8000-00000000c0de';
const props = { organizationId: ORG_ID, organization: 'contoso', project: 'payments', connectionName: 'aws-web' };

describe('Construct: AdoOidcRole', () => {
  it('creates the OIDC provider and a role trusted for exactly this connection, as migrate-to-oidc does', () => {
    // Prepare
    const stack = new Stack(new App(), 'Keyless', { env: { account: '123456789012', region: 'eu-west-1' } });
    // Act
    const keyless = new AdoOidcRole(stack, 'Web', {
      ...props,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess')],
    });
    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: `https://vstoken.dev.azure.com/${ORG_ID}`,
      ClientIdList: ['api://AzureADTokenExchange'],
    });
    const roles = template.findResources('AWS::IAM::Role');
    const [role] = Object.values(roles) as Array<{
      Properties: { RoleName: string; AssumeRolePolicyDocument: { Statement: Array<Record<string, unknown>> } };
    }>;
    expect(role?.Properties.RoleName).toBe('ado-oidc-payments-aws-web');
    const statement = role?.Properties.AssumeRolePolicyDocument.Statement[0];
    // The CLI's trust policy (src/domain/keyless/oidc.ts), with the provider as a reference.
    const cli = JSON.parse(trustPolicy('PROVIDER', keyless.issuer, 'api://AzureADTokenExchange', keyless.subject))
      .Statement[0];
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: cli.Condition,
    });
    expect(keyless.subject).toBe('sc://contoso/payments/aws-web');
  });

  it('reuses a given provider and takes other issuer and subject formats', () => {
    const stack = new Stack(new App(), 'Keyless');
    const provider = iam.OidcProviderNative.fromOidcProviderArn(
      stack,
      'Existing',
      'arn:aws:iam::123456789012:oidc-provider/login.microsoftonline.com/tenant-1/v2.0',
    );
    const keyless = new AdoOidcRole(stack, 'Web', {
      ...props,
      connectionId: 'c0ffee00-0000-4000-8000-000000000001',
      tenantId: 'tenant-1',
      provider,
      oidc: {
        issuerTemplate: 'https://login.microsoftonline.com/{tenantId}/v2.0',
        subjectTemplate: 'sc/{organizationId}/{connectionId}',
      },
    });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::IAM::OIDCProvider'))).toEqual([]);
    expect(keyless.issuer).toBe('https://login.microsoftonline.com/tenant-1/v2.0');
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).toContain(
      `"login.microsoftonline.com/tenant-1/v2.0:sub":"sc/${ORG_ID}/c0ffee00-0000-4000-8000-000000000001"`,
    );
  });

  it('refuses a template naming a value it was not given', () => {
    const stack = new Stack(new App(), 'Keyless');
    expect(
      () =>
        new AdoOidcRole(stack, 'Web', {
          ...props,
          oidc: { issuerTemplate: 'https://login.microsoftonline.com/{tenantId}/v2.0' },
        }),
    ).toThrow(/names \{tenantId\}, which has no value/);
  });
});
