/**
 * `status` on the command line: its definition, and the action that runs the
 * library function in src/commands/status.ts. The action imports what only a
 * run needs with import(), so that --help, --version and usage errors load
 * none of it (the help bundle leaves every import() out: scripts/bundle-cli.ts).
 * Like the other commands, the action spells out its frame (global and output
 * options, then runWithContext with what to run and what to print): a helper
 * taking both callbacks would save those lines but hide which options each
 * command reads.
 */
import type { Command, OptionValues } from 'commander';
import type { StatusResult } from '../../commands/status';
import { ExitCode } from '../../exit-codes';
import type { Io } from '../io';
import { jsonOption } from '../shared-options';

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('list every migration as applied, pending or part-way (expanding, backfilling, expanded, contracting), with when and in which batch; flag changed or unknown ones')
    .option('--check', 'exit 3 when migrations are pending or part-way, 8 when applied ones changed or are unknown to this code, or a part-way one compiles into other steps, 5 when knex\'s lock is left set')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate status\n  konstruct-migrate status --no-color | grep pending\n  konstruct-migrate status --check --json',
    )
    .action((opts, cmd: Command) => runStatus(opts, cmd, io));
}

async function runStatus(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ status }, { outputOptions }, { formatStatus }, { runWithContext }] = await Promise.all([
    import('../../commands/status.js'),
    import('../output/output-options.js'),
    import('../print-results.js'),
    import('../run-command.js'),
  ]);
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  await runWithContext(
    globals,
    io,
    (ctx) => status(ctx),
    (r, out) => {
      if (!output.quiet) out.outLines(formatStatus(r, output.style));
      return opts.check ? checkExitCode(r) : ExitCode.Ok;
    },
    { command: 'status' },
  );
}

/** For pipelines: a history that does not match the code is worse than pending work. */
function checkExitCode(result: StatusResult): ExitCode {
  if (result.changed.length > 0 || result.unknown.length > 0 || result.planChanged.length > 0) return ExitCode.HistoryMismatch;
  // The code `up` would exit with: nothing can be applied or reverted until it is cleared.
  if (result.knexLocked) return ExitCode.LockTimeout;
  return result.pending > 0 || result.partWay.length > 0 ? ExitCode.Pending : ExitCode.Ok;
}
