/** CLI definition of `down`; the work is done by the library function in src/commands/down.ts. */
import type { Command } from 'commander';
import { down } from '../../commands/down';
import { outputOptions } from '../output/output-options';
import { withStepProgress } from '../output/step-progress';
import { downSummary } from '../print-results';
import { runWithContext, type Io } from '../run-command';

export function registerDown(program: Command, io: Io): void {
  program
    .command('down')
    .description('revert the last applied migration (one step)')
    .option('--to <migration>', 'revert down to, but not including, this migration')
    .option('--all', 'revert every applied migration')
    .addHelpText('after', '\nExamples:\n  konstruct-migrate down\n  konstruct-migrate down --to 005\n  konstruct-migrate down --all')
    .action(async (opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals();
      const output = outputOptions(globals);
      await runWithContext(
        globals,
        io,
        (ctx, live) => withStepProgress(live, output, (onStep) => down(ctx, { to: opts.to, all: opts.all, onStep })),
        (r, out) => {
          if (!output.quiet) out.out(downSummary(r, output.style));
        },
      );
    });
}
