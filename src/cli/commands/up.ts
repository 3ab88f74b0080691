/** CLI definition of `up`; the work is done by the library function in src/commands/up.ts. */
import type { Command } from 'commander';
import { up } from '../../commands/up';
import { upJson } from '../json-output';
import { formatUp } from '../print-results';
import { runWithContext, type Io } from '../run-command';
import { addRunOptions, runOptionsFrom } from '../run-options';

export function registerUp(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('up')
      .description('apply all pending migrations, each in its own transaction')
      .option('--to <migration>', 'stop after this migration (name or number, e.g. 005)'),
  )
    .addHelpText('after', '\nExamples:\n  konstruct-migrate up\n  konstruct-migrate up --to 005\n  konstruct-migrate up --dry-run\n  konstruct-migrate up --json --lock-wait 300')
    .action(async (opts, cmd: Command) => {
      await runWithContext(
        cmd.optsWithGlobals(),
        io,
        (ctx) => up(ctx, { to: opts.to, ...runOptionsFrom(opts) }),
        (r, out) => out.outLines(formatUp(r)),
        { command: 'up', document: upJson },
      );
    });
}
