/**
 * A second, independent client for the same application load: Debian's
 * pgbench (C, libpq) sends each version's reads and updates (pgbench-scripts.ts)
 * at a fixed rate beside the Node load, against the same migration. If the
 * two disagree on a window's latency, the difference is the load generator's,
 * not the database's. Both versions' pgbench start before the clock; the new
 * one's scripts wait for the rollout (pgbench-scripts.ts), and what it sent
 * before it is not counted.
 *
 * pgbench runs until stopped. It is stopped by terminating its backends: each
 * client aborts on its next statement, and when all have, pgbench exits on its
 * own and flushes its per-transaction log (a signal would lose the log's
 * buffered tail). Its password goes through PGPASSWORD, never the command line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withClient } from '../databases';
import { APP_VERSIONS, type AppVersion } from './app-versions';
import { epochMs, type LoadSettings, type RequestRecord } from './load-generator';
import { pgbenchRecords } from './pgbench-log';
import { PGBENCH_VARIABLES, pgbenchRate, pgbenchScripts } from './pgbench-scripts';

/** Where Debian's postgresql-15 puts it, then the wrapper on PATH (postgresql-client-common). */
const CANDIDATES = ['/usr/lib/postgresql/15/bin/pgbench', '/usr/bin/pgbench'];
export const PGBENCH_MISSING = "pgbench not found: the second client is left out (install Debian's postgresql-15 as root: apt-get install postgresql-15)";

export function findPgbench(): string | null {
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

export interface PgbenchRecord {
  requests: RequestRecord[];
  /** pgbench clients that ended on an error of their own (not the stop), per version: e.g. the old version's once contract drops is_admin. */
  abortedClients: Record<AppVersion, number>;
  /** A pgbench process that could not run (bad option, cannot connect): its last stderr line. */
  failure: string | null;
}

export interface PgbenchLoad {
  /** Backend pids of pgbench's connections known so far (lock sampling leaves them out). */
  pids(): number[];
  /** Stops both; `rolledOutAt` (epochMs, null: never) is when the new version was rolled out: what it sent before is left out. */
  stop(rolledOutAt: number | null): Promise<PgbenchRecord>;
}

interface Running {
  version: AppVersion;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
}

const appName = (version: AppVersion) => `kbench pgbench (${version} version)`;
const STOP_GRACE_MS = 10_000;

/** Starts each version's pgbench; resolves once all their clients are connected. */
export async function startPgbenchLoad(pgbench: string, url: string, rows: number, settings: LoadSettings): Promise<PgbenchLoad> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbench-pgbench-'));
  const running: Running[] = [];
  const pids = new Set<number>();
  const target = new URL(url);
  const password = decodeURIComponent(target.password);
  target.password = '';

  const launch = (version: AppVersion) => {
    const args = ['-n', '-M', 'extended', '-c', String(settings.connectionsPerVersion), '-j', '1'];
    args.push('-R', String(pgbenchRate(settings.ratePerVersion)), '-T', '86400', '-l', `--log-prefix=${path.join(dir, version)}`);
    for (const variable of PGBENCH_VARIABLES[version]) args.push('-D', variable);
    for (const script of pgbenchScripts(version, rows)) {
      const file = path.join(dir, script.name);
      writeFileSync(file, script.text);
      args.push('-f', `${file}@${script.weight}`);
    }
    args.push(target.toString());
    const env = { ...process.env, PGPASSWORD: password, PGAPPNAME: appName(version), PGOPTIONS: `-c statement_timeout=${settings.statementTimeoutMs}` };
    const child = spawn(pgbench, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(...chunk.split('\n').filter(Boolean)));
    const exited = new Promise<number | null>((resolve) => {
      child.on('error', (error) => {
        stderr.push(error.message);
        resolve(null);
      });
      child.on('exit', (code) => resolve(code));
    });
    running.push({ version, child, exited, stderr });
    return running.at(-1)!;
  };

  const learnPids = async (run: Running) => {
    await withClient(url, async (client) => {
      let done = false;
      void run.exited.then(() => (done = true));
      while (!done) {
        const { rows: found } = await client.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [appName(run.version)]);
        for (const r of found) pids.add(r.pid);
        if (found.length >= settings.connectionsPerVersion) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
  };

  await Promise.all(APP_VERSIONS.map((version) => learnPids(launch(version))));

  return {
    pids: () => [...pids],
    stop: async (rolledOutAt) => {
      const stoppedAt = epochMs();
      await withClient(url, (client) =>
        client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ANY($1)`, [running.map((r) => appName(r.version))]),
      );
      const clockOffsetMs = epochMs() - Date.now();
      const record: PgbenchRecord = { requests: [], abortedClients: { old: 0, new: 0 }, failure: null };
      for (const run of running) {
        const timeout = setTimeout(() => run.child.kill('SIGKILL'), STOP_GRACE_MS);
        const code = await run.exited;
        clearTimeout(timeout);
        if (code !== 0 && code !== 2) record.failure ??= `pgbench (${run.version} version) exited with ${code}: ${run.stderr.at(-1) ?? ''}`;
        record.abortedClients[run.version] = abortedBeforeStop(run.stderr);
        for (const file of readdirSync(dir).filter((f) => f.startsWith(`${run.version}.`))) {
          const sentFrom = run.version === 'new' ? (rolledOutAt ?? Infinity) : -Infinity;
          const records = pgbenchRecords(readFileSync(path.join(dir, file), 'utf8'), run.version, clockOffsetMs);
          record.requests.push(...records.filter((r) => r.dueAt >= sentFrom && r.dueAt < stoppedAt));
        }
      }
      rmSync(dir, { recursive: true, force: true });
      record.requests.sort((a, b) => a.dueAt - b.dueAt);
      return record;
    },
  };
}

/** pgbench says "client N script M aborted in command K query Q: <error>"; the stop's own terminations say "terminating connection". */
export function abortedBeforeStop(stderr: string[]): number {
  return stderr.filter((line) => /client \d+ .*aborted/.test(line) && !/terminat/i.test(line)).length;
}
