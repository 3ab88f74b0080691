/**
 * What `status` runs (its definition: ../commands/status.ts): the library function in src/commands/status.ts.
 * Like the other actions, it spells out its action frame (global and output options, then
 * runWithContext with what to run and what to print). Those few lines are what the files share;
 * a helper taking both callbacks would save them but hide which options each command reads.
 */
import type { Command, OptionValues } from 'commander';
import { status, type StatusResult } from '../../commands/status';
import { ExitCode } from '../../exit-codes';
import { outputOptions } from '../output/output-options';
import { formatStatus } from '../print-results';
import { runWithContext, type Io } from '../run-command';

export async function runStatus(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
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
  return result.pending > 0 || result.partWay.length > 0 ? ExitCode.Pending : ExitCode.Ok;
}
