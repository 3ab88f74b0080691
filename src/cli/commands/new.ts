/** CLI definition of `new` (alias `make`); the work is done by src/commands/new-migration.ts. No database is opened. */
import path from 'node:path';
import type { Command } from 'commander';
import { newMigration } from '../../commands/new-migration';
import { migrationsDirFromEnv } from '../../context';
import { ExitCode } from '../../exit-codes';
import { reportError, type Io } from '../run-command';

export function registerNew(program: Command, io: Io): void {
  program
    .command('new')
    .alias('make')
    .argument('<name>', 'what the migration does, e.g. add_portal_users_nickname')
    .description('create the next migration file from a typed template (no database needed)')
    .option('--dir <folder>', 'the source migrations folder (default: ./migrations, or KONSTRUCT_MIGRATIONS_DIR)')
    .option('--phased', 'a migration in phases (expand, backfill, contract) for live, large tables; see docs/online-migrations.md')
    .addHelpText(
      'after',
      [
        '',
        'Writes <folder>/<next number>_<snake_name>.ts. Edit it, run `npm run build`',
        'to compile it into dist/migrations, then `konstruct-migrate up`.',
        '',
        'Examples:',
        '  konstruct-migrate new add_portal_users_nickname',
        '  konstruct-migrate make "index invitations by email"',
        '  konstruct-migrate new rename_portal_users_name --phased',
        '  konstruct-migrate new add_audit_log --dir ./migrations',
      ].join('\n'),
    )
    .action((name: string, opts: { dir?: string; phased?: boolean }, cmd: Command) => {
      const cwd = process.cwd();
      const dir = opts.dir ?? migrationsDirFromEnv(process.env, cwd) ?? path.join(cwd, 'migrations');
      try {
        const created = newMigration({ name, dir, phased: opts.phased });
        const shown = path.relative(cwd, created.file) || created.file;
        io.out(`Created ${shown.startsWith('..') ? created.file : shown}`);
        if (!cmd.optsWithGlobals().quiet) {
          io.err(`Next: write ${opts.phased ? 'its steps' : 'up() and down()'}, run \`npm run build\`, then \`konstruct-migrate up\`${opts.phased ? ' (or `up --expand`, then `complete`)' : ''}.`);
        }
        process.exitCode = ExitCode.Ok;
      } catch (error) {
        process.exitCode = reportError(error, cmd.optsWithGlobals().verbose ?? false, io);
      }
    });
}
