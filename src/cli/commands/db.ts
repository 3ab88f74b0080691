/**
 * CLI definition of `db`: the embedded PostgreSQL for a person, to load test data
 * and look around. Other commands start it for themselves and stop it after;
 * `db` keeps it running and prints its URL until Ctrl-C, or opens psql on it
 * (`--psql`) and stops it when psql exits. A server already running on the data
 * folder (another `db`) is used and left running.
 *
 * The URL is printed whole, password included, on purpose: it is the fixed
 * password of a throwaway server that listens on 127.0.0.1 only
 * (db/embedded-server.ts), and a URL without it is of no use to psql.
 */
import type { Command } from 'commander';
import type { Io } from '../io';

export function registerDb(program: Command, io: Io): void {
  program
    .command('db')
    .description('keep the embedded PostgreSQL running and print its URL (Ctrl-C stops it), or open psql on it; no --json')
    .option('--psql', 'open psql on it instead; the server stops when psql exits')
    .argument('[psql-args...]', 'given to psql, after --')
    .addHelpText(
      'after',
      [
        '',
        'Only for the embedded server (no DATABASE_URL, --url or PG* variables); see docs/connecting.md.',
        '',
        'Examples:',
        '  konstruct-migrate db                       # prints postgres://...; load data with it, Ctrl-C when done',
        '  konstruct-migrate db --psql',
        '  konstruct-migrate db --psql -- -c "select count(*) from portal_users"',
      ].join('\n'),
    )
    .action(async (psqlArgs: string[], opts: { psql?: boolean }, cmd: Command) => (await import('../actions/db.js')).runDb(psqlArgs, opts, cmd, io));
}
