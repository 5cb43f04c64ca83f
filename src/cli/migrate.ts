import type { Command } from 'commander';
import type { Container } from 'inversify';
import { removeTargetFromConfigFile } from '../adapters/config/config-file-edit.js';
import type { RotationConfig } from '../domain/config.js';
import { ConfigurationError } from '../domain/errors.js';
import { MigrateToOidc, type MigrationOptions, type MigrationReport } from '../domain/keyless/migrate-to-oidc.js';
import { DEFAULT_OIDC_SETTINGS } from '../domain/keyless/oidc.js';
import { TOKENS } from '../ports/tokens.js';

export interface MigrateCliContext {
  write: (text: string) => void;
  /** The configuration, its file, whether to print JSON, and the container (ports bound). */
  context: () => Promise<{ config: RotationConfig; configPath: string; json: boolean; container: Container }>;
  setExit: (code: number) => void;
}

interface MigrateFlags {
  target?: string;
  all?: boolean;
  yes?: boolean;
  role?: string;
  canaryPipeline?: string;
  canaryBranch?: string;
  oidcIssuer: string;
  oidcSubject: string;
  oidcAudience: string;
  tenantId?: string;
  back?: boolean;
}

const MARK: Record<MigrationReport['outcome'], string> = {
  planned: '?',
  refused: '⚠',
  migrated: '✔',
  'rolled-back': '↺',
  failed: '✖',
  restored: '↩',
};

/** `migrate-to-oidc`: move connections from an access key to OIDC in place (a dry run unless --yes). */
export function registerMigrate(program: Command, cli: MigrateCliContext): void {
  program
    .command('migrate-to-oidc')
    .description(
      'move a connection from its access key to OIDC in place (AWS Toolkit 1.15+): IAM OIDC provider and role, ' +
        'connection updated and read back, canary, keys deactivated; a dry run unless --yes',
    )
    .option('-t, --target <name>', 'the target to move')
    .option('--all', 'every target, one at a time, stopping at the first failure')
    .option('--yes', 'change things (without it: print the plan only)')
    .option(
      '--role <arn>',
      "use this role as it is (its trust policy is yours) instead of creating one with the user's permissions",
    )
    .option(
      '--canary-pipeline <id>',
      'a pipeline using the connection, run after the switch; if it fails, the key is put back',
    )
    .option('--canary-branch <ref>', "the canary's branch (default: the pipeline's default branch)")
    .option(
      '--oidc-issuer <template>',
      'issuer, with {organizationId} {organization} {project} {connection} {connectionId} {tenantId}',
      DEFAULT_OIDC_SETTINGS.issuerTemplate,
    )
    .option(
      '--oidc-subject <template>',
      'subject the role trusts, same placeholders',
      DEFAULT_OIDC_SETTINGS.subjectTemplate,
    )
    .option('--oidc-audience <audience>', 'audience the role trusts', DEFAULT_OIDC_SETTINGS.audience)
    .option('--tenant-id <id>', 'Microsoft Entra tenant id, for an issuer template that names {tenantId}')
    .option(
      '--back',
      "the way back: reactivate the key the target's secret holds and put it back into the connection (the " +
        'target must be in the configuration)',
    )
    .action(async (flags: MigrateFlags) => {
      const { config, configPath, json, container } = await cli.context();
      if (Boolean(flags.target) === Boolean(flags.all)) {
        throw new ConfigurationError('migrate-to-oidc needs exactly one of --target NAME or --all', {
          context: { field: '--target' },
        });
      }
      const canaryPipelineId = flags.canaryPipeline === undefined ? undefined : Number(flags.canaryPipeline);
      if (canaryPipelineId !== undefined && (!Number.isInteger(canaryPipelineId) || canaryPipelineId <= 0)) {
        throw new ConfigurationError(
          `--canary-pipeline "${flags.canaryPipeline}" is not a pipeline id (a positive integer, as in ` +
            `_apis/pipelines/{id})`,
          { context: { field: '--canary-pipeline' } },
        );
      }
      if (flags.role !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(flags.role)) {
        throw new ConfigurationError(
          `--role "${flags.role}" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`,
          { context: { field: '--role' } },
        );
      }
      const names = flags.all ? config.targets.map((t) => t.name) : [flags.target as string];
      const options: MigrationOptions = {
        oidc: { issuerTemplate: flags.oidcIssuer, subjectTemplate: flags.oidcSubject, audience: flags.oidcAudience },
        apply: flags.yes === true,
        ...(flags.role ? { roleArn: flags.role } : {}),
        ...(canaryPipelineId !== undefined ? { canaryPipelineId } : {}),
        ...(flags.canaryBranch ? { canaryBranch: flags.canaryBranch } : {}),
        ...(flags.tenantId ? { tenantId: flags.tenantId } : {}),
      };
      const migrate = new MigrateToOidc({
        targets: container.get(TOKENS.Targets),
        iam: container.get(TOKENS.IamAccessKeys),
        identity: container.get(TOKENS.IamIdentity),
        secrets: container.get(TOKENS.SecretStore),
        azureDevOps: container.get(TOKENS.AzureDevOps),
        inventory: container.get(TOKENS.AzureDevOpsInventory),
        clock: container.get(TOKENS.Clock),
        pipelineRuns: container.get(TOKENS.PipelineRuns),
      });
      const reports: MigrationReport[] = [];
      for (const name of names) {
        if (!config.targets.some((t) => t.name === name)) {
          throw new ConfigurationError(
            `no target named "${name}" in ${configPath} (known: ${config.targets.map((t) => t.name).join(', ')})`,
            { context: { field: '--target' } },
          );
        }
        const report = flags.back
          ? await migrate.back(name, { apply: options.apply, ...(flags.role ? { roleArn: flags.role } : {}) })
          : await migrate.execute(name, options);
        if (report.outcome === 'migrated') report.actions.push(removeTargetFromConfigFile(configPath, name));
        reports.push(report);
        if (!json) cli.write(formatMigration(report));
        // One at a time: a failure stops the rest (a dry run shows every plan).
        if (options.apply && report.outcome !== 'migrated' && report.outcome !== 'restored') break;
      }
      if (json) cli.write(`${JSON.stringify(reports, null, 2)}\n`);
      cli.setExit(
        reports.every((r) => r.outcome === 'migrated' || r.outcome === 'planned' || r.outcome === 'restored') ? 0 : 1,
      );
    });
}

export function formatMigration(r: MigrationReport): string {
  const lines = [`${MARK[r.outcome]} ${r.targetName}: ${r.outcome}`];
  if (r.plan) lines.push(`  issuer ${r.plan.issuer}`, `  subject ${r.plan.subject}`);
  if (r.outcome === 'refused')
    for (const refusal of r.plan?.refusals ?? []) lines.push(`  ⚠ ${refusal.code}: ${refusal.reason}`);
  else if (r.outcome === 'planned') for (const step of r.steps) lines.push(`  would ${step}`);
  for (const action of r.actions) lines.push(`  · ${action}`);
  if (r.error) lines.push(`  ✖ ${r.error.name}: ${r.error.message}`);
  for (const warning of r.warnings) lines.push(`  ⚠ ${warning}`);
  lines.push(`  left: ${r.stateLeft}`);
  return `${lines.join('\n')}\n`;
}
