/**
 * CLI definition of `check`; what it runs is in ../actions/check.ts, loaded when it runs, and the
 * work is done by the library function in src/commands/check.ts.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_SIZES_FILE, DEFAULT_THRESHOLD_ROWS } from '../../checks/check-defaults';
import type { Io } from '../io';
import { parseCount } from '../run-options';
import { jsonOption, migrationOption } from '../shared-options';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('run each pending migration on a throwaway copy of the schema and judge the locks, rewrites and scans it causes on existing tables')
    .addOption(migrationOption('--to <migration>', 'check the pending migrations up to this one'))
    .addOption(new Option('--threshold <rows>', 'findings on tables with this many rows or more are unsafe (exit 10); smaller ones warn').argParser(parseCount).default(DEFAULT_THRESHOLD_ROWS))
    .addOption(new Option('--recorded [file]', 'judge by the sizes and history recorded in the repository, without reading the target').preset(DEFAULT_SIZES_FILE))
    .addOption(new Option('--record-sizes [file]', `write the target's table sizes and applied migrations to the repository file, then stop`).preset(DEFAULT_SIZES_FILE))
    .addOption(new Option('--format <format>', 'text, or github: annotations for a GitHub Actions step').argParser(parseFormat).default('text'))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe copy is built on a private embedded PostgreSQL, or on KONSTRUCT_CHECK_SERVER_URL (an admin URL; use the production major).\n' +
        '\nExamples:\n  konstruct-migrate check\n  konstruct-migrate check --recorded --format github      # in CI, without production access\n' +
        '  konstruct-migrate check --record-sizes --url "$PRODUCTION_READONLY_URL"',
    )
    .action(async (opts, cmd: Command) => (await import('../actions/check.js')).runCheck(opts, cmd, io));
}

function parseFormat(value: string): 'text' | 'github' {
  if (value !== 'text' && value !== 'github') throw new InvalidArgumentError('expected text or github.');
  return value;
}
