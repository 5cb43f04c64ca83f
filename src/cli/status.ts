import type { DescribeTarget, TargetStatus } from '../domain/use-cases/describe-target.js';
import { TOKENS } from '../ports/tokens.js';
import { iamWiring } from '../wiring/aws-iam.wiring.js';
import { secretsWiring } from '../wiring/aws-secrets.wiring.js';
import { azureDevOpsWiring } from '../wiring/azure-devops.wiring.js';
import { type CommandIo, context, type GlobalOptions, selectTargets } from './context.js';
import { EXIT } from './exit-codes.js';
import { formatStatus } from './format.js';

/**
 * `status` reads IAM, the secret and the connection (its credential from SSM): only those slices,
 * so the built CLI loads no STS, Slack or metrics code for it.
 */
const STATUS_WIRING = [iamWiring, secretsWiring, azureDevOpsWiring];

/** `status`: each target's keys, the key its connection holds, whether the secret matches. */
export async function showStatus(target: string | undefined, opts: GlobalOptions, io: CommandIo): Promise<number> {
  const { config, json, container } = context(opts, io, STATUS_WIRING);
  const describe = container.get<DescribeTarget>(TOKENS.DescribeTarget);
  const statuses: TargetStatus[] = [];
  for (const name of selectTargets(config, target, opts.config)) statuses.push(await describe.execute(name));
  io.stdout(json ? `${JSON.stringify(statuses, null, 2)}\n` : formatStatus(statuses));
  return statuses.some((s) => s.attention.length > 0) ? EXIT.partialFailure : EXIT.ok;
}
