/**
 * `new` (alias `make`) on the command line: its definition, and the action that
 * runs src/commands/new-migration.ts. No database is opened. What only a run
 * needs is imported inside the action, with import(), so that --help loads
 * none of it (scripts/bundle-cli.ts).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode } from '../../exit-codes';
import { withLiveDefault } from '../help-layout';
import type { Io } from '../io';
import { jsonOption } from '../shared-options';

type NewOptions = { dir?: string; phased?: boolean; operations?: boolean };

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
    .action((name: string, opts: NewOptions, cmd: Command) => runNew(name, opts, cmd, io));
}

/** What --dir falls back to, as runNew picks it. */
function dirDefault(): string {
  const fromEnv = process.env.KONSTRUCT_MIGRATIONS_DIR?.trim();
  return fromEnv ? `${fromEnv}, from KONSTRUCT_MIGRATIONS_DIR` : 'migrations/ of the project root';
}

async function runNew(name: string, opts: NewOptions, cmd: Command, io: Io): Promise<void> {
  const [{ newMigration }, { migrationsDirFromEnv }, { findProjectRoot }, { DEFAULT_MIGRATIONS_DIR }, { errorDocument, jsonText, resultDocument }, { reportError }] = await Promise.all([
    import('../../commands/new-migration.js'),
    import('../../config/config.js'),
    import('../../config/project-root.js'),
    import('../../history/migrations-folder.js'),
    import('../json-output.js'),
    import('../run-command.js'),
  ]);
  /** `up` runs the package's migrations unless told otherwise: name the folder when it is another one. */
  const upCommandFor = (dir: string, cwd: string): string => {
    if (path.resolve(dir) === DEFAULT_MIGRATIONS_DIR || migrationsDirFromEnv(process.env, cwd)) return '`konstruct-migrate up`';
    const relative = path.relative(cwd, dir) || '.';
    return `\`KONSTRUCT_MIGRATIONS_DIR=${relative.startsWith('..') ? dir : relative} konstruct-migrate up\``;
  };
  const cwd = process.cwd();
  const fromEnv = opts.dir === undefined ? migrationsDirFromEnv(process.env, cwd) : undefined;
  const dir = opts.dir ?? fromEnv ?? path.join(findProjectRoot(cwd) ?? cwd, 'migrations');
  const dirFrom = opts.dir !== undefined ? 'option' : fromEnv !== undefined ? 'environment' : 'project';
  const globals = cmd.optsWithGlobals();
  // With --json, the one document goes to stdout and the notes for people to stderr (run-command.ts).
  const human = globals.json ? { ...io, out: io.err } : io;
  try {
    const created = newMigration({ name, dir, dirFrom, phased: opts.phased, operations: opts.operations });
    const shown = path.relative(cwd, created.file) || created.file;
    if (!globals.quiet) {
      human.out(`Created ${shown.startsWith('..') ? created.file : shown}`);
      const online = opts.phased || opts.operations;
      const then = online ? ' (or `up --expand`, then `complete`)' : '';
      human.err(`Next: write ${opts.operations ? 'its operations' : opts.phased ? 'its steps' : 'up() and down()'}, then ${upCommandFor(dir, cwd)}${then} (no build needed).`);
    }
    process.exitCode = ExitCode.Ok;
    if (globals.json) io.out(jsonText(resultDocument('new', ExitCode.Ok, created)));
  } catch (error) {
    process.exitCode = reportError(error, globals.verbose ?? false, io, 'new');
    if (globals.json) io.out(jsonText(errorDocument('new', process.exitCode, error)));
  }
}
