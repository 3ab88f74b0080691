/** CLI definition of `complete`; the work is done by the library function in src/commands/complete.ts. */
import type { Command } from 'commander';
import { complete } from '../../commands/complete';
import { runApplyCommand } from '../apply-action';
import { completeSummary } from '../print-results';
import type { Io } from '../run-command';
import { addRunOptions, runOptionsFrom } from '../run-options';

export function registerComplete(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('complete')
      .description('finish phased migrations that stand part-way: the contract after `up --expand`, or what an interrupted run left'),
  )
    .addHelpText(
      'after',
      '\nRolling deploy: `up --expand`, deploy the new application version everywhere, then `complete`.\n' +
        'With nothing part-way it says so and exits 0.\n' +
        '\nExamples:\n  konstruct-migrate complete\n  konstruct-migrate complete --dry-run\n  konstruct-migrate complete --json',
    )
    .action((opts, cmd: Command) =>
      runApplyCommand(cmd, io, {
        command: 'complete',
        apply: (ctx, onStep) => complete(ctx, { onStep, ...runOptionsFrom(opts) }),
        summary: completeSummary,
      }),
    );
}
