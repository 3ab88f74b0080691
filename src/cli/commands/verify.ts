/**
 * CLI definition of `verify`; what it runs is in ../actions/verify.ts, loaded when it runs, and
 * the work is done by the library function in src/commands/verify.ts.
 */
import type { Command } from 'commander';
import type { Io } from '../io';
import { jsonOption, migrationOption } from '../shared-options';

export function registerVerify(program: Command, io: Io): void {
  program
    .command('verify')
    .description('compare the live schema with what the applied migrations produce (exit 9 on drift)')
    .addOption(migrationOption('--against <migration>', "compare with this migration's schema instead of the newest applied one's"))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nCompared: tables, columns (type, nullability, default), constraints, indexes, comments, grants,\n' +
        'functions, triggers, views, materialized views, sequences, types, domains, extensions, policies\n' +
        'and row level security. Not compared: owners and column positions.\n' +
        '\nExamples:\n  konstruct-migrate verify\n  konstruct-migrate verify --against 006 --json',
    )
    .action(async (opts, cmd: Command) => (await import('../actions/verify.js')).runVerify(opts, cmd, io));
}
