/**
 * CLI definition of `up`; what it runs is in ../actions/up.ts, loaded when it runs, and the work
 * is done by the library function in src/commands/up.ts.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_THRESHOLD_ROWS } from '../../checks/check-defaults';
import type { Io } from '../io';
import { addRunOptions, parseCount } from '../run-options';
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
    .action(async (opts, cmd: Command) => (await import('../actions/up.js')).runUp(opts, cmd, io));
}
