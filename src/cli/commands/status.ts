/** CLI definition of `status`; the work is done by the library function in src/commands/status.ts. */
import type { Command } from 'commander';
import { status } from '../../commands/status';
import { formatStatus } from '../print-results';
import { runWithContext, type Io } from '../run-command';

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('list every migration as applied or pending')
    .addHelpText('after', '\nExamples:\n  konstruct-migrate status')
    .action(async (_opts, cmd: Command) => {
      await runWithContext(cmd.optsWithGlobals(), io, (ctx) => status(ctx), (r, out) => out.outLines(formatStatus(r)));
    });
}
