/**
 * CLI definition of `baseline`; what it runs is in ../actions/baseline.ts, loaded when it runs,
 * and the work is done by the library function in src/commands/baseline.ts.
 */
import type { Command } from 'commander';
import type { Io } from '../io';
import { jsonOption, migrationOption } from '../shared-options';

export function registerBaseline(program: Command, io: Io): void {
  program
    .command('baseline')
    .description('adopt an existing schema: record its migration and all before it as applied, without running them')
    .option('--from-alembic', "take the migration from Alembic's alembic_version (005 or 006)")
    .addOption(migrationOption('--to <migration>', 'the migration the schema is at, for a database without Alembic'))
    .option('--dry-run', 'show what would be recorded; change nothing')
    .option('--force', 'record even if the history has entries or the schema differs from the migration')
    .option('--drop-alembic-version', 'also drop alembic_version (kept by default, so Alembic can take over again)')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe live schema is checked first (as `verify --against <migration>` does); on any difference\n' +
        'nothing is recorded and the differences are listed. Everything is recorded in one transaction.\n' +
        '\nExamples:\n  konstruct-migrate baseline --from-alembic --dry-run\n  konstruct-migrate baseline --from-alembic\n' +
        '  konstruct-migrate baseline --to 005\n' +
        '\nRefusals: 8 the history already has entries, or alembic_version is missing, empty, has several\n' +
        '  heads or an unknown revision; 9 the schema differs from the migration; 2 bad flags.',
    )
    .action(async (opts, cmd: Command) => (await import('../actions/baseline.js')).runBaseline(opts, cmd, io));
}
