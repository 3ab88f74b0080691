/** CLI definition of `complete`; the work is done by the library function in src/commands/complete.ts. */
import type { Command } from 'commander';
import { complete } from '../../commands/complete';
import { upJson } from '../json-output';
import { outputOptions } from '../output/output-options';
import { withStepProgress } from '../output/step-progress';
import { formatDryRun } from '../print-dry-run';
import { completeSummary } from '../print-results';
import { runWithContext, type Io } from '../run-command';
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
    .action(async (opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals();
      const output = outputOptions(globals);
      await runWithContext(
        globals,
        io,
        (ctx, live) => withStepProgress(live, output, (onStep) => complete(ctx, { onStep, ...runOptionsFrom(opts) })),
        (r, out) => {
          if (output.quiet) return;
          if (r.dryRun) out.outLines(formatDryRun('up', r.dryRun));
          else out.out(completeSummary(r, output.style));
        },
        { command: 'complete', document: upJson },
      );
    });
}
