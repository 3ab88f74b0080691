/** What `new` runs (its definition: ../commands/new.ts): src/commands/new-migration.ts. No database is opened. */
import path from 'node:path';
import type { Command } from 'commander';
import { newMigration } from '../../commands/new-migration';
import { migrationsDirFromEnv } from '../../config/config';
import { findProjectRoot } from '../../config/project-root';
import { DEFAULT_MIGRATIONS_DIR } from '../../history/migrations-folder';
import { ExitCode } from '../../exit-codes';
import type { Io } from '../io';
import { errorDocument, jsonText, resultDocument } from '../json-output';
import { reportError } from '../run-command';

export function runNew(name: string, opts: { dir?: string; phased?: boolean; operations?: boolean }, cmd: Command, io: Io): void {
  const cwd = process.cwd();
  const dir = opts.dir ?? migrationsDirFromEnv(process.env, cwd) ?? path.join(findProjectRoot(cwd) ?? cwd, 'migrations');
  const globals = cmd.optsWithGlobals();
  // With --json, the one document goes to stdout and the notes for people to stderr (run-command.ts).
  const human = globals.json ? { ...io, out: io.err } : io;
  try {
    const created = newMigration({ name, dir, phased: opts.phased, operations: opts.operations });
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

/** `up` runs the package's migrations unless told otherwise: name the folder when it is another one. */
function upCommandFor(dir: string, cwd: string): string {
  if (path.resolve(dir) === DEFAULT_MIGRATIONS_DIR || migrationsDirFromEnv(process.env, cwd)) return '`konstruct-migrate up`';
  const relative = path.relative(cwd, dir) || '.';
  return `\`KONSTRUCT_MIGRATIONS_DIR=${relative.startsWith('..') ? dir : relative} konstruct-migrate up\``;
}
