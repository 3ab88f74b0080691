/**
 * CLI definition of `new` (alias `make`); what it runs is in ../actions/new.ts, loaded when it
 * runs, and the work is done by src/commands/new-migration.ts. No database is opened.
 */
import { Option, type Command } from 'commander';
import { withLiveDefault } from '../help-layout';
import type { Io } from '../io';
import { jsonOption } from '../shared-options';

export function registerNew(program: Command, io: Io): void {
  program
    .command('new')
    .alias('make')
    .argument('<name>', 'what the migration does, e.g. add_portal_users_nickname')
    .description('create the next migration file from a typed template (no database needed)')
    .addOption(withLiveDefault(new Option('--dir <folder>', 'the source migrations folder'), dirDefault))
    .option('--operations', 'a list of declarative online operations (add, rename, alter, drop a column; indexes; ...); see docs/online-migrations.md')
    .addOption(jsonOption())
    .option('--phased', 'a migration in phases (expand, backfill, contract) for live, large tables; see docs/online-migrations.md')
    .addHelpText(
      'after',
      [
        '',
        'Writes <folder>/<next number>_<snake_name>.ts. Edit it, then `konstruct-migrate up`:',
        'migrations run as written, no build needed (`npm run build` compiles them for the package).',
        '',
        'Examples:',
        '  konstruct-migrate new add_portal_users_nickname',
        '  konstruct-migrate make "index invitations by email"',
        '  konstruct-migrate new rename_portal_users_name --operations',
        '  konstruct-migrate new split_portal_users_name --phased',
        '  konstruct-migrate new add_audit_log --dir ./migrations',
      ].join('\n'),
    )
    .action(async (name: string, opts: { dir?: string; phased?: boolean; operations?: boolean }, cmd: Command) =>
      (await import('../actions/new.js')).runNew(name, opts, cmd, io),
    );
}

/** What --dir falls back to, as ../actions/new.ts picks it. */
function dirDefault(): string {
  const fromEnv = process.env.KONSTRUCT_MIGRATIONS_DIR?.trim();
  return fromEnv ? `${fromEnv}, from KONSTRUCT_MIGRATIONS_DIR` : 'migrations/ of the project root';
}
