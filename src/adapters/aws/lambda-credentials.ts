/**
 * The credential provider of the deployed Lambdas: the function role's credentials, which Lambda
 * puts in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
 *
 * The bundler substitutes this module for `@aws-sdk/credential-provider-node` (see `alias` in
 * scripts/bundle.ts and infra/key-rotator.ts): the full chain's profile, SSO, web-identity and
 * instance-metadata providers, and the nested STS/SSO clients they load, are never used in Lambda
 * and made up a fifth of every bundle. The CLI and the tests keep the SDK's full chain.
 */
export interface LambdaCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const defaultProvider = (_init?: unknown) => async (): Promise<LambdaCredentials> => {
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = process.env;
  if (!accessKeyId || !secretAccessKey) {
    throw Object.assign(
      new Error(
        'no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): Lambda sets them ' +
          'from the function role',
      ),
      {
        name: 'CredentialsProviderError',
      },
    );
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
};
