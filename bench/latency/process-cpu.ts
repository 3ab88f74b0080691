/**
 * CPU time of processes, read from /proc (Linux): the server's (the postmaster,
 * its live children, and the children it has reaped, whose time the kernel
 * adds to its own `cutime`/`cstime`), and this process's children by name (the
 * spawned CLI, pgbench). Seconds of CPU, user and system together; a reader
 * takes the difference between two readings. Elsewhere than Linux it reads 0,
 * and the report says the CPU was not measured.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, seconds. */
  cpu: number;
  /** cutime + cstime (children it has waited for), seconds. */
  reapedCpu: number;
}

const TICKS_PER_SECOND = ticksPerSecond();

function ticksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** One line of /proc/<pid>/stat; the name is in parentheses and may hold spaces. */
export function parseStat(line: string, ticks = TICKS_PER_SECOND): ProcessStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid: field(4),
    comm: line.slice(open + 1, close),
    cpu: (field(14) + field(15)) / ticks,
    reapedCpu: (field(16) + field(17)) / ticks,
  };
}

export function readProcesses(): ProcessStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const stats: ProcessStat[] = [];
  for (const name of names) {
    try {
      stats.push(parseStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // It ended between the listing and the read.
    }
  }
  return stats;
}

/** The server's CPU seconds so far: the postmaster, its children, and those it reaped. */
export function serverCpu(processes: ProcessStat[], postmasterPid: number): number {
  let seconds = 0;
  for (const p of processes) {
    if (p.pid === postmasterPid) seconds += p.cpu + p.reapedCpu;
    else if (p.ppid === postmasterPid) seconds += p.cpu;
  }
  return seconds;
}

/** CPU seconds of this process's live children, by name (e.g. `pgbench`; the CLI is `node`). */
export function childrenCpu(processes: ProcessStat[], parentPid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const p of processes) if (p.ppid === parentPid) byName.set(p.comm, (byName.get(p.comm) ?? 0) + p.cpu);
  return byName;
}
