/** CLI definition of `down`; the work is done by the library function in src/commands/down.ts. */
import type { Command } from 'commander';
import { down } from '../../commands/down';
import { checkDown } from '../../commands/preflight';
import { terminalConfirmation } from '../confirm-data-loss';
import { downJson } from '../json-output';
import { outputOptions } from '../output/output-options';
import { withStepProgress } from '../output/step-progress';
import { formatDryRun } from '../print-dry-run';
import { dataLossLines, downSummary } from '../print-results';
import { runWithContext, type Io } from '../run-command';
import { addRunOptions, runOptionsFrom } from '../run-options';
import { throttleEpisodes } from '../throttle-episodes';
import { migrationOption } from '../shared-options';

export function registerDown(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('down')
      .description('revert the last applied migration (one step)')
      .addOption(migrationOption('--to <migration>', 'revert down to, but not including, this migration'))
      .option('--all', 'revert every applied migration')
      .option('--yes', 'revert even when it destroys data (otherwise refused, or asked on a terminal)')
      .option('--to-expanded', 'revert only the contract of the newest (phased) migration: both app versions served again; roll the app back, then `down` again'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate down\n  konstruct-migrate down --dry-run\n  konstruct-migrate down --to-expanded     # rolling back a rolling deploy: contract reverted first\n  konstruct-migrate down --to 005 --yes\n  konstruct-migrate down --all',
    )
    .action(async (opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals();
      const output = outputOptions(globals);
      const options = { to: opts.to, all: opts.all, yes: opts.yes, toExpanded: opts.toExpanded, confirmDataLoss: terminalConfirmation(), ...runOptionsFrom(opts) };
      const throttled = throttleEpisodes();
      await runWithContext(
        globals,
        io,
        (ctx, live) => withStepProgress(live, output, (onStep) => down(ctx, { ...options, onStep: throttled.listen(onStep) })),
        (r, out) => {
          if (output.quiet) return;
          if (r.dryRun) out.outLines(formatDryRun('down', r.dryRun));
          else out.out(downSummary(r, output.style));
          out.outLines(dataLossLines(r));
        },
        { command: 'down', document: (r) => throttled.addTo(downJson(r)) },
        (config) => checkDown(config, options),
      );
    });
}
