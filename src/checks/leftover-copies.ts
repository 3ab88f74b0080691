/**
 * A run killed while it checked (SIGKILL leaves it no time to clean up) leaves its throwaway cluster behind: a
 * folder of ~40 MB in the temp folder, named after the run's pid, and its server still running (PostgreSQL
 * does not stop when the process that started it dies). The next check, up, down or complete removes what runs that are
 * gone left, whether or not it checks anything (found by review: only a check that built a copy did):
 * it stops such a server (SIGQUIT, PostgreSQL's immediate shutdown: nothing in it is worth keeping) and deletes
 * the folder. A folder whose run is alive is another check's, and is left alone.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The copy's folder: konstruct-check-<pid of the run>-<random>. */
export const COPY_FOLDER = /^konstruct-check-(\d+)-[0-9a-f]{8}$/;

const STOP_WAIT_MS = 5_000;

export async function removeLeftoverCopies(tmp = os.tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(tmp).catch(() => [] as string[])) {
    const run = COPY_FOLDER.exec(entry)?.[1];
    if (run === undefined || isAlive(Number(run))) continue;
    const dir = path.join(tmp, entry);
    const postmaster = Number((await readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (postmaster > 0 && isAlive(postmaster) && (await serves(postmaster, dir))) await stop(postmaster);
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/**
 * Whether `pid` is the server of `dir` (its command line names the folder, `-D <dir>`): the pid a dead run's
 * postmaster.pid holds may since have been given to another process, which must not be stopped; now that every up,
 * down and complete looks, that matters more. Without /proc (not Linux) the file is taken at its word.
 */
async function serves(pid: number, dir: string): Promise<boolean> {
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return commandLine === undefined || commandLine.split('\0').includes(dir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stop(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return; // gone meanwhile, or not ours to stop: its folder goes anyway
  }
  const until = Date.now() + STOP_WAIT_MS;
  while (isAlive(pid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
}
