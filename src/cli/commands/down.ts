/** CLI definition of `down`; the work is done by the library function in src/commands/down.ts. */
import type { Command } from 'commander';
import { down } from '../../commands/down';
import { terminalConfirmation } from '../confirm-data-loss';
import { downJson } from '../json-output';
import { formatDown } from '../print-results';
import { runWithContext, type Io } from '../run-command';
import { addRunOptions, runOptionsFrom } from '../run-options';

export function registerDown(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('down')
      .description('revert the last applied migration (one step)')
      .option('--to <migration>', 'revert down to, but not including, this migration')
      .option('--all', 'revert every applied migration')
      .option('--yes', 'revert even when it destroys data (otherwise refused, or asked on a terminal)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate down\n  konstruct-migrate down --dry-run\n  konstruct-migrate down --to 005 --yes\n  konstruct-migrate down --all',
    )
    .action(async (opts, cmd: Command) => {
      await runWithContext(
        cmd.optsWithGlobals(),
        io,
        (ctx) => down(ctx, { to: opts.to, all: opts.all, yes: opts.yes, confirmDataLoss: terminalConfirmation(), ...runOptionsFrom(opts) }),
        (r, out) => out.outLines(formatDown(r)),
        { command: 'down', document: downJson },
      );
    });
}
