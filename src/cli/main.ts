import { Command, CommanderError, Option } from 'commander';
import { RotationError } from '../domain/errors.js';
import type { CommandIo, GlobalOptions } from './context.js';
import { registerDiscover } from './discover.js';
import { EXIT } from './exit-codes.js';
import { registerMigrate } from './migrate.js';

export { EXIT, exitCodeOf } from './exit-codes.js';

export type CliIo = CommandIo;

const BAD_INPUT_ERRORS = new Set(['ConfigurationError', 'UnknownTargetError', 'InvalidStepInputError']);

/**
 * The operator CLI: `plan`, `rotate`, `status`, `discover`, `migrate-to-oidc` against real AWS (standard credential
 * chain,
 * `AWS_ENDPOINT_URL_*` honoured) and real Azure DevOps, with the same configuration file as the
 * infrastructure and the same use cases as the Lambdas, run in-process.
 *
 * Start-up matters to a person at a terminal: this module parses arguments only; what a command
 * does (the SDK, the composition root, the configuration) is loaded by the command (commands.ts).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name('ado-key-rotator')
    .description('Rotate the AWS access keys behind Azure DevOps AWS service connections, in place.')
    .option('-c, --config <path>', 'rotation configuration file', 'rotation.config.json')
    .option('--json', 'print JSON for scripts instead of text')
    .option('-v, --verbose', 'log JSON lines to stderr (LOG_LEVEL=DEBUG|INFO|WARN|ERROR does too, at that level)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const globals = () => program.opts<GlobalOptions>();
  const commands = () => import('./commands.js');

  program
    .command('plan')
    .description('dry run: what a rotation would do for each target, changing nothing')
    .option('-t, --target <name>', 'only this target')
    .action(async (opts: { target?: string }) => {
      exitCode = await (await commands()).runRotation('dry-run', opts.target, globals(), io);
    });

  program
    .command('rotate')
    .description('rotate now, with the same steps, checks and rollbacks as the state machine')
    .option('-t, --target <name>', 'only this target')
    .addOption(new Option('--emergency', 'rotate even a young key and delete the old key at once (a leaked key)'))
    .action(async (opts: { target?: string; emergency?: boolean }) => {
      exitCode = await (await commands()).runRotation(
        opts.emergency ? 'emergency' : 'rotate',
        opts.target,
        globals(),
        io,
      );
    });

  program
    .command('status')
    .description("each target's keys (age, status, last use), the key its connection holds, whether the secret matches")
    .option('-t, --target <name>', 'only this target')
    .action(async (opts: { target?: string }) => {
      exitCode = await (await import('./status.js')).showStatus(opts.target, globals(), io);
    });

  // Going keyless (src/cli/discover.ts, src/cli/migrate.ts); their ports are built on use (keyless-commands.ts).
  const setExit = (code: number) => {
    exitCode = code;
  };
  const keyless = () => import('./keyless-commands.js');
  registerMigrate(program, {
    write: io.stdout,
    setExit,
    context: async () => (await keyless()).keylessContext(globals(), io),
  });
  registerDiscover(program, {
    write: io.stdout,
    setExit,
    container: async () => (await keyless()).discoveryContext(globals(), io),
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`✖ ${name}: ${message}\n`);
    if (BAD_INPUT_ERRORS.has(name)) return EXIT.badInput;
    return error instanceof RotationError && error.kind === 'refusal' ? EXIT.badInput : EXIT.unexpected;
  }
}
