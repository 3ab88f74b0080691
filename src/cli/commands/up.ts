/**
 * `up` on the command line: its definition, and the action that runs the
 * library function in src/commands/up.ts (through apply-action.ts, shared with
 * `complete`). What only a run needs is imported inside the action, with
 * import(), so that --help loads none of it (scripts/bundle-cli.ts).
 */
import { Option, type Command, type OptionValues } from 'commander';
import { DEFAULT_THRESHOLD_ROWS } from '../../checks/check-defaults';
import type { Io } from '../io';
import { addRunOptions, parseCount, runOptionsFrom } from '../run-options';
import { migrationOption } from '../shared-options';

export function registerUp(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('up')
      .description('apply all pending migrations: each in its own transaction, a phased one step by step')
      .addOption(migrationOption('--to <migration>', 'stop after this migration'))
      .option('--expand', 'stop once a phased migration is expanded (old and new app versions both served); `complete` finishes it')
      .addOption(new Option('--check-threshold <rows>', 'refuse a pending migration that `check` finds unsafe on a table this big (smaller: warn)').argParser(parseCount).default(DEFAULT_THRESHOLD_ROWS))
      .option('--no-check', 'do not check the pending migrations on a throwaway copy first')
      .option('--allow-out-of-order', 'apply pending migrations even if one shares its number with another or sorts before an applied one'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  konstruct-migrate up\n  konstruct-migrate up --to 005\n  konstruct-migrate up --dry-run\n' +
        '  konstruct-migrate up --expand            # rolling deploy: expand, deploy the new version, then `complete`\n' +
        '  konstruct-migrate up --json --lock-wait 300\n  konstruct-migrate up --quiet --url "$DATABASE_URL"',
    )
    .action((opts, cmd: Command) => runUp(opts, cmd, io));
}

async function runUp(opts: OptionValues, cmd: Command, io: Io): Promise<void> {
  const [{ checkServerUrl }, { checkUp }, { up }, { runApplyCommand }, { upSummary }] = await Promise.all([
    import('../../checks/scratch-server.js'),
    import('../../commands/preflight.js'),
    import('../../commands/up.js'),
    import('../apply-action.js'),
    import('../print-results.js'),
  ]);
  await runApplyCommand(cmd, io, {
    command: 'up',
    apply: (ctx, onStep) => up(ctx, { to: opts.to, expand: opts.expand, onStep, allowOutOfOrder: Boolean(opts.allowOutOfOrder), ...runOptionsFrom(opts), check: opts.check && { thresholdRows: opts.checkThreshold, serverUrl: checkServerUrl() } }),
    summary: upSummary,
    preflight: (config) => checkUp(config, { to: opts.to }),
  });
}
