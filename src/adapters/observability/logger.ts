import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one Logger every module uses (Powertools, structured JSON to CloudWatch).
 *
 * Secrets cannot reach it by accident: they are `SecretValue`s, which serialise as `[REDACTED]`,
 * and errors carry only safe context and a reduced cause. The handlers' middleware adds the
 * Lambda context and the correlation keys (`rotationId`, `target`) to every line.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ado-key-rotator',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | 'DEBUG' | 'WARN' | 'ERROR' | undefined) ?? 'INFO',
});
