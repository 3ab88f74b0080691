/** What `check` runs (its definition: ../commands/check.ts): the library function in src/commands/check.ts. */
import type { Command, OptionValues } from 'commander';
import { check, type CheckResult } from '../../commands/check';
import { recordSizes } from '../../checks/record-sizes';
import { checkServerUrl } from '../../checks/scratch-server';
import { blocking } from '../../checks/judge';
import { ExitCode } from '../../exit-codes';
import { outputOptions } from '../output/output-options';
import { formatCheck, formatGithub } from '../print-check';
import { runWithContext, type Io } from '../run-command';

export async function runCheck(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  if (opts.recordSizes) {
    await runWithContext(globals, io, (ctx) => recordSizes(ctx, opts.recordSizes), (r, out) => void (output.quiet || out.out(`Recorded ${r.tables} table sizes and ${r.applied} applied migrations in ${r.file}.`)), { command: 'check' });
    return;
  }
  await runWithContext(
    globals,
    io,
    (ctx) => check(ctx, { to: opts.to, thresholdRows: opts.threshold, recordedSizes: opts.recorded, serverUrl: checkServerUrl() }),
    (r: CheckResult, out) => {
      if (opts.format === 'github') out.outLines(formatGithub(r));
      else if (!output.quiet) out.outLines(formatCheck(r));
      return blocking(r.findings).length > 0 ? ExitCode.UnsafeMigration : ExitCode.Ok;
    },
    { command: 'check' },
  );
}
