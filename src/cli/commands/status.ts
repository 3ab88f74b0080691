/** CLI definition of `status`; the work is done by the library function in src/commands/status.ts. */
import type { Command } from 'commander';
import { status } from '../../commands/status';
import { outputOptions } from '../output/output-options';
import { formatStatus } from '../print-results';
import { runWithContext, type Io } from '../run-command';

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('list every migration as applied or pending, with when and in which batch')
    .addHelpText('after', '\nExamples:\n  konstruct-migrate status\n  konstruct-migrate status --no-color | grep pending')
    .action(async (_opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals();
      const output = outputOptions(globals);
      await runWithContext(
        globals,
        io,
        (ctx) => status(ctx),
        (r, out) => {
          if (!output.quiet) out.outLines(formatStatus(r, output.style));
        },
      );
    });
}
