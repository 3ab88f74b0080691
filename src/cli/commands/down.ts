/**
 * `down` on the command line: its definition, and the action that runs the
 * library function in src/commands/down.ts. What only a run needs is imported
 * inside the action, with import(), so that --help loads none of it
 * (scripts/bundle-cli.ts).
 */
import type { Command, OptionValues } from 'commander';
import type { Io } from '../io';
import { addRunOptions, runOptionsFrom } from '../run-options';
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
    .action((opts, cmd: Command) => runDown(opts, cmd, io));
}

async function runDown(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ down }, { checkDown }, { terminalConfirmation }, { downJson }, { outputOptions }, { withStepProgress }, { formatDryRun }, { dataLossLines, downSummary }, { runWithContext }, { backfillEpisodes }] =
    await Promise.all([
      import('../../commands/down.js'),
      import('../../commands/preflight.js'),
      import('../confirm-data-loss.js'),
      import('../json-output.js'),
      import('../output/output-options.js'),
      import('../output/step-progress.js'),
      import('../print-dry-run.js'),
      import('../print-results.js'),
      import('../run-command.js'),
      import('../backfill-episodes.js'),
    ]);
  const globals = cmd.optsWithGlobals();
  const output = outputOptions(globals);
  const options = { to: opts.to, all: opts.all, yes: opts.yes, toExpanded: opts.toExpanded, confirmDataLoss: terminalConfirmation(), ...runOptionsFrom(opts) };
  const episodes = backfillEpisodes();
  await runWithContext(
    globals,
    io,
    (ctx, live) => withStepProgress(live, output, (onStep) => down(ctx, { ...options, onStep: episodes.listen(onStep) })),
    (r, out) => {
      if (output.quiet) return;
      if (r.dryRun) out.outLines(formatDryRun('down', r.dryRun));
      else out.out(downSummary(r, output.style));
      out.outLines(dataLossLines(r));
    },
    { command: 'down', document: (r) => episodes.addTo(downJson(r)) },
    (config) => checkDown(config, options),
  );
}
