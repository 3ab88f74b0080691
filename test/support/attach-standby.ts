/**
 * A streaming hot standby of a primary that is already running on this
 * machine: a base backup taken with Debian's `pg_basebackup` of the same major
 * (postgresql-client-15), made a standby with `standby.signal` and
 * `primary_conninfo`, and started with the embedded package's own `postgres`.
 * Used by the tests' primary-and-standby pair (streaming-standby.ts) and by the
 * benchmark's replica-lag scenario (bench/standby/), which attaches it to the
 * benchmark's own server. Nothing leaves the machine: it listens on 127.0.0.1
 * only. As root, like the embedded server, it runs as OS user `postgres`, with
 * its data directly under the system temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { freePort } from '../../src/db/embedded-server';
import { EMBEDDED_BIN, serverUser } from './server-process';
import { waitUntil } from './wait-until';

/** The primary to copy: a superuser URL on 127.0.0.1, and its data folder when pg_hba.conf may need a replication line. */
export interface StandbyPrimary {
  url: string;
  dataDir?: string;
}

export interface Standby {
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
  /** Stops the standby and removes its data folder (the primary is the caller's). */
  stop(): Promise<void>;
}


function majorOf(binary: string): number | undefined {
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const match = /\(PostgreSQL\) (\d+)/.exec(run.stdout ?? '');
  return run.status === 0 && match ? Number(match[1]) : undefined;
}

const embeddedMajor = () => majorOf(path.join(EMBEDDED_BIN, 'postgres'));
const basebackupOf = (major: number) => `/usr/lib/postgresql/${major}/bin/pg_basebackup`;

/** What is missing to start a standby (for skipWithout, or the benchmark's note), or undefined when nothing is. */
export function standbyToolsMissing(): string | undefined {
  const major = embeddedMajor();
  if (major === undefined) return `the embedded PostgreSQL's postgres binary does not run (${EMBEDDED_BIN})`;
  const tool = basebackupOf(major);
  if (!existsSync(tool)) return `${tool} is not installed (Debian package postgresql-client-${major})`;
  const toolMajor = majorOf(tool);
  if (toolMajor !== major) return `${tool} is PostgreSQL ${toolMajor ?? 'unknown'}, the embedded server ${major}: a base backup needs the same major`;
  return undefined;
}


export const connectKnex = (url: string): Knex => knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });

/**
 * Copies `primary`, starts the copy as its standby, and resolves once it streams and accepts connections.
 * `settings` go on the standby's command line, over the defaults (fsync off: the tests' speed).
 */
export async function attachStandby(primary: StandbyPrimary, label: string, settings: Record<string, string> = {}): Promise<Standby> {
  const missing = standbyToolsMissing();
  if (missing) throw new Error(`cannot start a streaming standby: ${missing}`);
  const standbyDir = path.join(os.tmpdir(), `konstruct-${label}-standby-${process.pid}-${randomBytes(4).toString('hex')}`);
  const applicationName = `konstruct-standby-${randomBytes(3).toString('hex')}`;
  let server: ChildProcess | undefined;
  const stopServer = () => stopStandbyServer(server);
  const primaryKnex = connectKnex(primary.url);
  let standby: Knex | undefined;
  const removeAll = async () => {
    await standby?.destroy();
    await stopServer();
    rmSync(standbyDir, { recursive: true, force: true });
  };
  try {
    await allowLocalReplication(primaryKnex, primary);
    await baseBackup(primary.url, standbyDir);
    makeStandby(primary.url, standbyDir, applicationName);
    const port = await freePort();
    const started = startStandbyServer(standbyDir, port, settings);
    server = started.child;
    process.once('exit', () => server?.kill('SIGINT')); // a process that dies does not leave it running
    const standbyUrl = withPort(primary.url, port);
    await waitUntil(async () => {
      if (started.child.exitCode !== null) throw new Error(`the standby exited (${started.child.exitCode}): ${started.log()}`);
      return (await streamingState(primaryKnex, applicationName)) === 'streaming';
    }, `standby ${applicationName} to stream from the primary`);
    const ready = (standby = connectKnex(standbyUrl));
    await waitUntil(() => ready.raw('SELECT 1').then(() => true, () => false), 'the standby to accept connections');
    return {
      standbyUrl,
      applicationName,
      pauseReplay: async () => {
        await ready.raw('SELECT pg_wal_replay_pause()');
        await waitUntil(async () => (await ready.raw('SELECT pg_get_wal_replay_pause_state() AS s')).rows[0].s === 'paused', 'replay to pause');
      },
      resumeReplay: async () => {
        await ready.raw('SELECT pg_wal_replay_resume()');
      },
      replayLsn: async () => (await ready.raw('SELECT pg_last_wal_replay_lsn()::text AS lsn')).rows[0].lsn,
      stop: removeAll,
    };
  } catch (error) {
    await removeAll();
    throw error;
  } finally {
    await primaryKnex.destroy();
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
async function allowLocalReplication(knex: Knex, primary: StandbyPrimary): Promise<void> {
  const { rows } = await knex.raw(`SELECT 1 FROM pg_hba_file_rules WHERE type = 'host' AND 'replication' = ANY(database) AND address = '127.0.0.1'`);
  if (rows.length === 0) {
    if (!primary.dataDir) throw new Error(`the primary's pg_hba.conf allows no replication connection from 127.0.0.1`);
    appendFileSync(path.join(primary.dataDir, 'pg_hba.conf'), '\nhost replication all 127.0.0.1/32 scram-sha-256\n');
  }
  await knex.raw('SELECT pg_reload_conf()'); // also for settings the caller set with ALTER SYSTEM
}

async function baseBackup(primaryUrl: string, standbyDir: string): Promise<void> {
  const url = new URL(primaryUrl);
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
function makeStandby(primaryUrl: string, standbyDir: string, applicationName: string): void {
  const url = new URL(primaryUrl);
  const conninfo = `host=127.0.0.1 port=${url.port} user=${decodeURIComponent(url.username)} password=${decodeURIComponent(url.password)} application_name=${applicationName}`;
  appendFileSync(path.join(standbyDir, 'postgresql.auto.conf'), `\nprimary_conninfo = '${conninfo}'\n`);
  const signal = path.join(standbyDir, 'standby.signal');
  writeFileSync(signal, '');
  const user = serverUser();
  if (user) chownSync(signal, user.uid, user.gid);
}

/** The standby's server process, and the end of its log (for a failure to start). */
function startStandbyServer(dataDir: string, port: number, overrides: Record<string, string>): { child: ChildProcess; log: () => string } {
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', hot_standby: 'on', fsync: 'off', ...overrides };
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
