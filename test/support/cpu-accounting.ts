/**
 * Where a test file's CPU goes, by process kind: the vitest worker itself, the processes it spawned
 * (the CLI apart from the rest), and the shared PostgreSQL server. Opt-in measurement, not a test:
 * with KONSTRUCT_TEST_CPU_LOG=<file> set, vitest.config.mts loads this as a setup file and each
 * test file appends one JSON line to <file> (issue #26 item 5: the suite is CPU-bound on 2 cores).
 *
 * workerBoot: the worker process before this file loaded (its start, vitest's set-up; without isolation,
 * every file it ran before too); worker: after.
 * Read from /proc in clock ticks (1/100 s): a process's own utime+stime, and cutime+cstime for the
 * children it has waited for. Backends that exited are in the postmaster's cutime; live ones (the
 * checkpointer, pooled sessions) are summed one by one. The server is shared, so a file's server
 * CPU is only its own when files run one at a time (VITEST_MAX_WORKERS=1).
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, expect, inject } from 'vitest';
import { spawnedCpu } from './spawn-accounting';

const TICKS_PER_SECOND = 100;

/** utime, stime, cutime, cstime and the parent of a process, or undefined once it is gone. */
function stat(pid: number | 'self'): { own: number; children: number; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after it are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    return { ppid: fields[1]!, own: fields[11]! + fields[12]!, children: fields[13]! + fields[14]! };
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** The postmaster listening on the test server's port: a `postgres` whose command line names it. */
function findPostmaster(): number | undefined {
  const port = new URL(inject('adminUrl')).port;
  for (const pid of pids()) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('/postgres') && argv.includes('-p') && argv[argv.indexOf('-p') + 1] === port) return pid;
    } catch {
      /* gone */
    }
  }
  return undefined;
}

/** Ticks the whole server has used so far: the postmaster, its exited children, and its live ones. */
function serverTicks(postmaster: number): number {
  const main = stat(postmaster);
  if (!main) return 0;
  let live = 0;
  for (const pid of pids()) {
    const s = stat(pid);
    if (s && s.ppid === postmaster) live += s.own;
  }
  return main.own + main.children + live;
}

const logFile = process.env.KONSTRUCT_TEST_CPU_LOG;
if (logFile) {
  // Taken as this setup file loads, before the test file is imported: its imports count too.
  // What the worker process used before that: its start and vitest's own set-up (a fork per file).
  const boot = process.cpuUsage();
  const postmaster = findPostmaster();
  const first = stat('self')!;
  const start = { self: first.own, children: first.children, server: postmaster ? serverTicks(postmaster) : 0, spawned: spawnedCpu() };
  // Registered first, so it runs after the file's own afterAll hooks (vitest runs them in reverse).
  afterAll(() => {
    const self = stat('self')!;
    const spawned = spawnedCpu();
    const seconds = (ticks: number) => Math.round(ticks) / TICKS_PER_SECOND;
    const childTicks = self.children - start.children;
    const cliTicks = spawned.cliTicks - start.spawned.cliTicks;
    const line = {
      file: expect.getState().testPath?.replace(`${process.cwd()}/`, ''),
      workerBoot: Math.round((boot.user + boot.system) / 1e4) / 100,
      worker: seconds(self.own - start.self),
      cli: seconds(cliTicks),
      cliSpawns: spawned.cliSpawns - start.spawned.cliSpawns,
      otherChildren: seconds(childTicks - cliTicks),
      server: postmaster ? seconds(serverTicks(postmaster) - start.server) : null,
    };
    appendFileSync(logFile, `${JSON.stringify(line)}\n`);
  });
}
