/** CLI definition of `status`; the work is done by the library function in src/commands/status.ts. */
import type { Command } from 'commander';
import { status, type StatusResult } from '../../commands/status';
import { ExitCode } from '../../exit-codes';
import { statusJson } from '../json-output';
import { outputOptions } from '../output/output-options';
import { formatStatus } from '../print-results';
import { runWithContext, type Io } from '../run-command';

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('list every migration as applied, pending or part-way (expanded), with when and in which batch; flag changed or unknown ones')
    .option('--check', 'exit 3 when migrations are pending or part-way, 8 when applied ones changed or are unknown to this code')
    .option('--json', 'print one JSON document on stdout (the result or the error); human text goes to stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate status\n  konstruct-migrate status --no-color | grep pending\n  konstruct-migrate status --check --json',
    )
    .action(async (opts, cmd: Command) => {
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
        { command: 'status', document: statusJson },
      );
    });
}

/** For pipelines: a history that does not match the code is worse than pending work. */
function checkExitCode(result: StatusResult): ExitCode {
  if (result.changed.length > 0 || result.unknown.length > 0) return ExitCode.HistoryMismatch;
  return result.pending > 0 || result.partWay.length > 0 ? ExitCode.Pending : ExitCode.Ok;
}
