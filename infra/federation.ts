import { CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  ASSERTION_LIFETIME_SECONDS,
  ENTRA_TOKEN_EXCHANGE_AUDIENCE,
} from '../src/adapters/azure-devops/federated-token.js';
import { SIGNING_ALGORITHM } from '../src/adapters/aws/sts-web-identity-token.adapter.js';
import type { RotationConfig } from '../src/domain/config.js';

/**
 * The AWS half of the "federated" Azure DevOps credential (AWS outbound identity federation).
 *
 * - Only the roles of steps that call Azure DevOps may call `sts:GetWebIdentityToken`, and only for
 *   Entra ID's token-exchange audience, RS256 and at most five minutes: the condition keys
 *   `sts:IdentityTokenAudience` (multivalued: `ForAllValues`, with a `Null` check so an empty list
 *   cannot pass), `sts:SigningAlgorithm` and `sts:DurationSeconds`. The action has no resource type,
 *   so the statement's resource is "*" and the conditions carry the restriction.
 * - Each such role is a subject the Entra app must trust (the token's `sub` is the role ARN): the
 *   construct outputs them, with the audience, for the one-time set-up the README walks through.
 */

export const usesFederation = (config: RotationConfig): boolean =>
  config.targets.some((t) => t.connection.federatedCredential !== undefined);

export function webIdentityTokenStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'FederatedAzureDevOpsToken',
    actions: ['sts:GetWebIdentityToken'],
    resources: ['*'],
    conditions: {
      'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': [ENTRA_TOKEN_EXCHANGE_AUDIENCE] },
      Null: { 'sts:IdentityTokenAudience': 'false' },
      StringEquals: { 'sts:SigningAlgorithm': SIGNING_ALGORITHM },
      NumericLessThanEquals: { 'sts:DurationSeconds': ASSERTION_LIFETIME_SECONDS },
    },
  });
}

/** The subjects (role ARNs) and the audience the Entra app's federated credentials must name. */
export class FederationOutputs extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { roles: Readonly<Record<string, iam.IRole>>; config: RotationConfig },
  ) {
    super(scope, id);
    const apps = [
      ...new Set(
        props.config.targets.flatMap((t) =>
          t.connection.federatedCredential ? [t.connection.federatedCredential.clientId] : [],
        ),
      ),
    ];
    // The issuer URL is the account's, known only once outbound federation is enabled: not at synth, and a
    // deploy-time lookup would fail the whole deployment of an account that has not enabled it yet.
    new CfnOutput(this, 'IssuerUrlCommand', {
      description:
        'Prints the issuer URL every federated credential of the Entra app names (after aws iam ' +
        'enable-outbound-web-identity-federation)',
      value: 'aws iam get-outbound-web-identity-federation-info --query IssuerIdentifier --output text',
    });
    new CfnOutput(this, 'Audience', {
      description:
        `Audience of every federated credential to add to the Entra app(s) ${apps.join(', ')} ` +
        `(issuer: aws iam get-outbound-web-identity-federation-info)`,
      value: ENTRA_TOKEN_EXCHANGE_AUDIENCE,
    });
    for (const [step, role] of Object.entries(props.roles)) {
      new CfnOutput(this, `Subject${step.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`, {
        description:
          `Subject of one federated credential on the Entra app: the role of the "${step}" step, ` +
          `which calls Azure DevOps`,
        value: role.roleArn,
      });
    }
  }
}
