import type { Command } from 'commander';
import type { Container } from 'inversify';
import { writeConfigFile } from '../adapters/config/config-file-edit.js';
import { ConfigurationError } from '../domain/errors.js';
import { configFromDiscovery, DiscoverConnections, type DiscoveryResult } from '../domain/keyless/discover.js';
import { TOKENS } from '../ports/tokens.js';

export interface DiscoverCliContext {
  write: (text: string) => void;
  setExit: (code: number) => void;
  /** A container without a rotation configuration: discovery needs none. */
  container: () => Promise<{ json: boolean; container: Container }>;
}

interface DiscoverFlags {
  organization: string;
  credentialParameter: string;
  project: string[];
  aws: boolean;
  configOut?: string;
}

/** `discover`: every AWS service connection of an organization, and a draft configuration for those holding keys. */
export function registerDiscover(program: Command, cli: DiscoverCliContext): void {
  program
    .command('discover')
    .description(
      'list every AWS service connection of an organization: projects, how it authenticates, the key it holds ' +
        'and (with AWS credentials) its IAM user, age and last use; read-only',
    )
    .requiredOption(
      '--organization <url>',
      'https://dev.azure.com/{organization} (or an Azure DevOps Server collection URL)',
    )
    .requiredOption(
      '--credential-parameter <name>',
      'SSM SecureString holding the Azure DevOps PAT or service principal (as in the configuration)',
    )
    .option(
      '-p, --project <name>',
      'only this project (repeatable); default: every project',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .option('--no-aws', 'do not ask IAM who owns each key')
    .option(
      '--config-out <file>',
      'write a rotation configuration for the connections that hold keys (validated; an existing file is not ' +
        'overwritten)',
    )
    .action(async (flags: DiscoverFlags) => {
      const { json, container } = await cli.container();
      const discover = new DiscoverConnections({
        inventory: container.get(TOKENS.AzureDevOpsInventory),
        identity: container.get(TOKENS.IamIdentity),
        iam: container.get(TOKENS.IamAccessKeys),
        clock: container.get(TOKENS.Clock),
        variableGroups: container.get(TOKENS.VariableGroups),
      });
      const result = await discover.execute({
        organizationUrl: flags.organization,
        credentialParameter: flags.credentialParameter,
        projects: flags.project,
        withAws: flags.aws,
      });
      if (flags.configOut) {
        const config = configFromDiscovery(result, flags.credentialParameter);
        if ((config.targets as unknown[]).length === 0) {
          throw new ConfigurationError(
            'no connection holds a key whose IAM user is known (run with AWS credentials for the account): ' +
              'nothing to write',
            { context: { field: '--config-out' } },
          );
        }
        writeConfigFile(flags.configOut, config);
        result.warnings.push(
          `wrote ${(config.targets as unknown[]).length} target(s) to ${flags.configOut}: review it, then deploy`,
        );
      }
      cli.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatDiscovery(result));
      cli.setExit(0);
    });
}

export function formatDiscovery(r: DiscoveryResult): string {
  const header = ['connection', 'id', 'projects', 'auth', 'key', 'IAM user', 'age', 'last used'];
  const rows = r.rows.map(({ connection: c, owner, ownerProblem }) => [
    c.name,
    c.id,
    c.projects.join(','),
    c.externalId ? `${c.auth} (externalId)` : c.auth,
    c.heldAccessKeyId ?? '-',
    owner?.userName ?? (ownerProblem ? '? (see below)' : '-'),
    owner?.keyAgeDays === null || owner?.keyAgeDays === undefined
      ? '-'
      : `${owner.keyAgeDays}d${owner.keyStatus === 'Inactive' ? ' inactive' : ''}`,
    owner?.lastUsedAt
      ? `${owner.lastUsedAt.slice(0, 10)}${owner.lastUsedService ? ` ${owner.lastUsedService}` : ''}`
      : owner
        ? 'never'
        : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [
    `${r.organizationUrl} (id ${r.organizationId}${r.hosted ? '' : ', Azure DevOps Server'}): ${r.rows.length} ` +
      `AWS connection(s) in ${r.projects.length} project(s)`,
    line(header),
    ...rows.map(line),
  ];
  const keyed = r.rows.filter((row) => row.connection.auth === 'keys');
  if (keyed.length > 0 && r.hosted)
    out.push(
      `${keyed.length} hold(s) an access key and could move to OIDC: ado-key-rotator migrate-to-oidc --target NAME`,
    );
  for (const row of r.rows.filter((x) => x.ownerProblem)) out.push(`? ${row.connection.name}: ${row.ownerProblem}`);
  if (r.variableGroups === null) out.push('variable groups: not listed');
  else
    for (const g of r.variableGroups)
      out.push(
        `variable group "${g.groupName}" (${g.groupId}) in ${g.project} looks like it holds an AWS key: ` +
          `${g.variables.join(', ')}`,
      );
  for (const warning of r.warnings) out.push(`⚠ ${warning}`);
  return `${out.join('\n')}\n`;
}
