/**
 * A real PgBouncer (Debian's package) in front of the test run's PostgreSQL,
 * started by the test that needs it: its own config in a temp folder, its own
 * port, one pool mode. Tests that need it skip, saying why (fail under CI), when the binary is
 * missing (`.ci/run` installs it where it can: root with apt-get).
 *
 * The server's users log in with a password; PgBouncer learns it from its
 * auth_file (plain text, so it can answer whatever the server asks: cleartext,
 * md5 or SCRAM) and asks clients for it with SCRAM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/embedded-server';
import { waitUntil } from './wait-until';

export type PoolMode = 'transaction' | 'session' | 'statement';

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];

/** The pgbouncer binary (PGBOUNCER_BINARY, else Debian's), or why there is none (the reason tests print when they skip). */
export function findPgBouncer(): { binary: string } | { missing: string } {
  const chosen = process.env.PGBOUNCER_BINARY;
  if (chosen) return existsSync(chosen) ? { binary: chosen } : { missing: `PGBOUNCER_BINARY=${chosen} does not exist` };
  const binary = CANDIDATES.find((p) => existsSync(p));
  if (binary) return { binary };
  return { missing: `pgbouncer is not installed (looked in ${CANDIDATES.join(', ')}); install it with \`apt-get install -y pgbouncer\` (.ci/run does when it runs as root)` };
}

export interface PgBouncer {
  port: number;
  mode: PoolMode;
  /** `serverUrl` (any database on the test server) as seen through this PgBouncer. */
  urlFor(serverUrl: string): string;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  mode: PoolMode;
  /** Server connections per database and user (default 2: small, so runs compete for them). */
  poolSize?: number;
  /** More [pgbouncer] settings, e.g. { query_wait_timeout: '5' }. */
  settings?: Record<string, string>;
}

/** Starts PgBouncer in front of the server of `adminUrl` (whose user and password it logs in with). */
export async function startPgBouncer(adminUrl: string, options: PgBouncerOptions): Promise<PgBouncer> {
  const found = findPgBouncer();
  if ('missing' in found) throw new Error(found.missing);
  const server = new URL(adminUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const port = await freePort();

  // As root, PgBouncer must be told to drop to another user (it refuses to run as root), who must read this folder.
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-pgbouncer-'));
  chmodSync(dir, 0o777);
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  writeFileSync(path.join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`);
  const ini = [
    '[databases]',
    `* = host=${server.hostname} port=${server.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    `unix_socket_dir =`,
    'auth_type = scram-sha-256',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    `pool_mode = ${options.mode}`,
    `default_pool_size = ${options.poolSize ?? 2}`,
    'max_client_conn = 200',
    `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    ...Object.entries(options.settings ?? {}).map(([name, value]) => `${name} = ${value}`),
  ].join('\n');
  writeFileSync(path.join(dir, 'pgbouncer.ini'), `${ini}\n`);
  for (const f of ['userlist.txt', 'pgbouncer.ini']) chmodSync(path.join(dir, f), 0o644);

  const child: ChildProcess = spawn(found.binary, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  const log = () => {
    const file = path.join(dir, 'pgbouncer.log');
    return `${stderr}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`.slice(-2000);
  };
  try {
    await waitUntil(() => {
      if (exited) throw new Error(`pgbouncer exited at start:\n${log()}`);
      return /process up|listening on/.test(log());
    }, 'pgbouncer to listen', 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    mode: options.mode,
    urlFor: (serverUrl) => {
      const u = new URL(serverUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    stop: async () => {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
