/**
 * CLI definition of `down`; what it runs is in ../actions/down.ts, loaded when it runs, and the
 * work is done by the library function in src/commands/down.ts.
 */
import type { Command } from 'commander';
import type { Io } from '../io';
import { addRunOptions } from '../run-options';
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
    .action(async (opts, cmd: Command) => (await import('../actions/down.js')).runDown(opts, cmd, io));
}
