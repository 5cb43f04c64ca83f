import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULT_OIDC_SETTINGS, fill, issuerHost, type OidcSettings, roleNameFor } from '../src/domain/keyless/oidc.js';

export interface AdoOidcRoleProps {
  /** The organization's id (`ado-key-rotator discover` prints it; connectionData's `instanceId`). */
  readonly organizationId: string;
  /** The organization's name, as in https://dev.azure.com/{organization}. */
  readonly organization: string;
  readonly project: string;
  /** The service connection's name in that project. */
  readonly connectionName: string;
  /** For templates that name them. */
  readonly connectionId?: string;
  readonly tenantId?: string;
  /**
   * Issuer, subject and audience templates. Default: what the AWS Toolkit presents today (src/domain/keyless/oidc.ts).
   */
  readonly oidc?: Partial<OidcSettings>;
  /** An identity provider for the issuer that exists already (one per issuer and account): reused, not created. */
  readonly provider?: iam.IOidcProvider;
  /** Name of the role. Default: `ado-oidc-{project}-{connection}`. */
  readonly roleName?: string;
  /** What the pipelines may do (the IAM user's policies today). */
  readonly managedPolicies?: iam.IManagedPolicy[];
  readonly inlinePolicies?: Record<string, iam.PolicyDocument>;
}

/**
 * For teams that manage IAM as code: the same IAM OIDC identity provider and role that
 * `ado-key-rotator migrate-to-oidc` creates, as a construct. The role trusts
 * `sts:AssumeRoleWithWebIdentity` from the provider only, for exactly this audience and this
 * connection's subject. Point the connection at `role.roleArn` with `useOIDC` (or run
 * `migrate-to-oidc --role <arn>`, which then only switches the connection).
 */
export class AdoOidcRole extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly role: iam.Role;
  readonly issuer: string;
  readonly subject: string;

  constructor(scope: Construct, id: string, props: AdoOidcRoleProps) {
    super(scope, id);
    const oidc = { ...DEFAULT_OIDC_SETTINGS, ...props.oidc };
    const values = {
      organizationId: props.organizationId,
      organization: props.organization,
      project: props.project,
      connection: props.connectionName,
      connectionId: props.connectionId ?? '',
      ...(props.tenantId ? { tenantId: props.tenantId } : {}),
    };
    this.issuer = fill(oidc.issuerTemplate, values);
    this.subject = fill(oidc.subjectTemplate, values);
    const host = issuerHost(this.issuer);
    // AWS::IAM::OIDCProvider natively (no custom-resource Lambda); no thumbprint: IAM no longer needs one.
    this.provider =
      props.provider ??
      new iam.OidcProviderNative(this, 'Provider', { url: `https://${host}`, clientIds: [oidc.audience] });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? roleNameFor(`${props.project}-${props.connectionName}`),
      description:
        `Keyless access for Azure DevOps service connection ${props.organization}/${props.project}/` +
        `${props.connectionName}`,
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: { [`${host}:aud`]: oidc.audience, [`${host}:sub`]: this.subject },
      }),
      managedPolicies: props.managedPolicies ?? [],
      inlinePolicies: props.inlinePolicies ?? {},
    });
  }
}
