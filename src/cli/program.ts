/**
 * The command-line surface: commander definitions only. Each action calls a
 * library command and prints its result; errors and exit codes are handled in
 * run-command.ts.
 */
import { Command, Option } from 'commander';
import { down } from '../commands/down';
import { status } from '../commands/status';
import { up } from '../commands/up';
import { EXIT_CODE_HELP } from '../exit-codes';
import { formatDown, formatStatus, formatUp } from './print-results';
import { processIo, runWithContext, type GlobalOptions, type Io } from './run-command';


export function buildProgram(io: Io = processIo): Command {
  const program = new Command('konstruct-migrate')
    .description("Applies and reverts the Konstruct platform's PostgreSQL schema migrations.")
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('--url <url>', 'database URL (overrides DATABASE_URL and .env)'))
    .option('--verbose', 'print stack traces and details of errors')
    .addHelpText('after', `\n${EXIT_CODE_HELP}`)
    .showHelpAfterError('(run konstruct-migrate --help for usage)')
    // Parse errors throw instead of exiting, in every subcommand too (settings are inherited at .command()).
    .exitOverride();

  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals();
  const print = (lines: string[]) => lines.forEach((l) => io.out(l));

  program
    .command('up')
    .description('apply all pending migrations, each in its own transaction')
    .option('--to <migration>', 'stop after this migration (name or number, e.g. 005)')
    .addHelpText('after', '\nExamples:\n  konstruct-migrate up\n  konstruct-migrate up --to 005')
    .action(async (opts, cmd: Command) => {
      await runWithContext(globals(cmd), io, (ctx) => up(ctx, { to: opts.to }), (r) => print(formatUp(r)));
    });

  program
    .command('down')
    .description('revert the last applied migration (one step)')
    .option('--to <migration>', 'revert down to, but not including, this migration')
    .option('--all', 'revert every applied migration')
    .addHelpText('after', '\nExamples:\n  konstruct-migrate down\n  konstruct-migrate down --to 005\n  konstruct-migrate down --all')
    .action(async (opts, cmd: Command) => {
      await runWithContext(globals(cmd), io, (ctx) => down(ctx, { to: opts.to, all: opts.all }), (r) => print(formatDown(r)));
    });

  program
    .command('status')
    .description('list every migration as applied or pending')
    .addHelpText('after', '\nExamples:\n  konstruct-migrate status')
    .action(async (_opts, cmd: Command) => {
      await runWithContext(globals(cmd), io, (ctx) => status(ctx), (r) => print(formatStatus(r)));
    });

  return program;
}

function packageVersion(): string {
  // Read lazily from package.json, two folders above dist/src/cli or src/cli.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      return require(rel).version as string;
    } catch {
      /* try the next layout */
    }
  }
  return '0.0.0';
}
