import { buildTargetReport, type RunSummary, type TargetReport } from '../src/domain/report.js';
import type { RotationState } from '../src/domain/rotation-state.js';

/**
 * Run summaries for the Slack message tests and for scripts/render-slack-examples.ts.
 * Built with the domain's own `buildTargetReport`, so the sentences are the ones a run writes.
 */

export const STARTED_AT = '2025-06-02T03:00:00.000Z';
export const FINISHED_AT = '2025-06-02T03:02:41.500Z';
export const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:ado-key-rotator:weekly-2025-06-02';
export const EXECUTION_CONSOLE_URL =
  `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/` + `${EXECUTION_ARN}`;
export const ORG_URL = 'https://dev.azure.com/contoso';

export const OLD_KEY = 'AKIAOLDKEY000000ABCD';
export const NEW_KEY = 'AKIANEWKEY000000WXYZ';

const ROTATION_ID = '0f8e5b7a-3c1d-4e2f-9a6b-1c2d3e4f5a6b';

function finished(afterMs: number): Date {
  return new Date(Date.parse(STARTED_AT) + afterMs);
}

function state(targetName: string, partial: Partial<RotationState>): RotationState {
  return {
    rotationId: ROTATION_ID,
    targetName,
    mode: 'rotate',
    startedAt: STARTED_AT,
    completed: [],
    warnings: [],
    ...partial,
  };
}

function describe(name: string, project = 'payments') {
  return { connectionName: `aws-${name}`, project, organizationUrl: ORG_URL };
}

export function rotatedReport(
  name = 'app-prod',
  options: { warnings?: string[]; oldKey?: string; newKey?: string } = {},
): TargetReport {
  const oldKey = options.oldKey ?? OLD_KEY;
  const newKey = options.newKey ?? NEW_KEY;
  return buildTargetReport(
    state(name, {
      plan: {
        action: 'rotate',
        reason: `key ${oldKey} is 9 days old (rotated from 6 days)`,
        cleanup: [],
        heldKeyAgeDays: 9,
      },
      connectionId: '6f1c2d3e-0000-4000-8000-00000000c0de',
      oldAccessKeyId: oldKey,
      oldVersionId: 'v-old-0001',
      newAccessKeyId: newKey,
      pendingVersionId: ROTATION_ID,
      oldKeyStatus: 'Inactive',
      completed: ['plan', 'cleanup', 'create', 'verify-key', 'publish', 'verify-publish', 'promote', 'revoke'],
      warnings: options.warnings ?? [],
    }),
    describe(name),
    finished(42_300),
  );
}

/** A failed `publish`, rolled back to a consistent state. */
export function rolledBackReport(name = 'app-staging'): TargetReport {
  return buildTargetReport(
    state(name, {
      plan: {
        action: 'rotate',
        reason: `key ${OLD_KEY} is 8 days old (rotated from 6 days)`,
        cleanup: [],
        heldKeyAgeDays: 8,
      },
      connectionId: '6f1c2d3e-0000-4000-8000-00000000beef',
      oldAccessKeyId: OLD_KEY,
      oldVersionId: 'v-old-0002',
      newAccessKeyId: NEW_KEY,
      pendingVersionId: ROTATION_ID,
      completed: ['plan', 'cleanup', 'create', 'verify-key'],
      failure: {
        step: 'publish',
        name: 'AzureDevOpsRequestError',
        message:
          'Azure DevOps answered 400 (VS402870: the endpoint data is not valid) updating connection ' +
          'aws-app-staging in project payments',
      },
      rollback: {
        actions: [`dropped the pending secret version ${ROTATION_ID}`, `deleted the new key ${NEW_KEY}`],
        consistent: true,
      },
    }),
    describe(name),
    finished(18_900),
  );
}

/** A failed `promote` whose rollback could not finish: a human must act. */
export function failedReport(name = 'data-prod'): TargetReport {
  return buildTargetReport(
    state(name, {
      plan: {
        action: 'rotate',
        reason: `key ${OLD_KEY} is 12 days old (rotated from 6 days)`,
        cleanup: [],
        heldKeyAgeDays: 12,
      },
      connectionId: '6f1c2d3e-0000-4000-8000-00000000dead',
      oldAccessKeyId: OLD_KEY,
      oldVersionId: 'v-old-0003',
      newAccessKeyId: NEW_KEY,
      pendingVersionId: ROTATION_ID,
      completed: ['plan', 'cleanup', 'create', 'verify-key', 'publish', 'verify-publish'],
      failure: {
        step: 'promote',
        name: 'AwsAccessDeniedError',
        message: 'secretsmanager:UpdateSecretVersionStage was denied on secret rotator/data-prod',
      },
      rollback: {
        actions: [
          `restored the connection to the old key ${OLD_KEY}`,
          'stopped: secretsmanager:UpdateSecretVersionStage was denied',
        ],
        consistent: false,
      },
    }),
    describe(name, 'data'),
    finished(61_000),
  );
}

export function refusedReport(name = 'legacy-app'): TargetReport {
  return buildTargetReport(
    state(name, {
      plan: {
        action: 'refuse',
        reason:
          'service connection aws-legacy-app uses OIDC (workload identity federation): it holds no access key, ' +
          'so there is nothing to rotate; remove the target from the configuration',
        code: 'ConnectionUsesOidcError',
        cleanup: [],
      },
    }),
    describe(name, 'legacy'),
    finished(1_200),
  );
}

export function skippedReport(name = 'tools'): TargetReport {
  return buildTargetReport(
    state(name, {
      plan: {
        action: 'skip',
        reason: `key ${OLD_KEY} is 3 days old; it is rotated from 6 days`,
        cleanup: [],
        heldKeyAgeDays: 3,
      },
      oldAccessKeyId: OLD_KEY,
    }),
    describe(name, 'platform'),
    finished(900),
  );
}

export function summaryOf(targets: TargetReport[], overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    executionId: EXECUTION_ARN,
    executionUrl: null,
    mode: 'rotate',
    startedAt: STARTED_AT,
    finishedAt: FINISHED_AT,
    targets,
    ...overrides,
  };
}

export const successSummary = (): RunSummary => summaryOf([rotatedReport()]);
export const failureSummary = (): RunSummary => summaryOf([rolledBackReport()]);
export const multiTargetSummary = (): RunSummary =>
  summaryOf([
    rotatedReport('app-prod'),
    skippedReport('tools'),
    refusedReport('legacy-app'),
    rolledBackReport('app-staging'),
    failedReport('data-prod'),
    rotatedReport('web-prod', {
      warnings: ['the old key was used 2 hours ago; it stays inactive for 6 days before it is deleted'],
    }),
  ]);

/** An access key id per index, AWS-shaped (20 characters). */
export function keyIdFor(i: number, prefix = 'AKIA'): string {
  return `${prefix}${i.toString(36).toUpperCase().padStart(16, '0')}`;
}

/** `n` targets: 90% rotated, then skipped, refused, rolled back and failed ones. */
export function largeSummary(
  n: number,
  mix: { failed?: number; rolledBack?: number; refused?: number; skipped?: number } = {},
): RunSummary {
  const failed = mix.failed ?? Math.ceil(n * 0.005);
  const rolledBack = mix.rolledBack ?? Math.ceil(n * 0.015);
  const refused = mix.refused ?? Math.ceil(n * 0.03);
  const skipped = mix.skipped ?? Math.ceil(n * 0.05);
  const targets: TargetReport[] = [];
  for (let i = 0; i < n; i++) {
    const name = `target-${String(i + 1).padStart(4, '0')}`;
    const keys = { oldKey: keyIdFor(2 * i), newKey: keyIdFor(2 * i + 1) };
    if (i < failed) targets.push(failedReport(name));
    else if (i < failed + rolledBack) targets.push(rolledBackReport(name));
    else if (i < failed + rolledBack + refused) targets.push(refusedReport(name));
    else if (i < failed + rolledBack + refused + skipped) targets.push(skippedReport(name));
    else targets.push(rotatedReport(name, keys));
  }
  return summaryOf(targets);
}
