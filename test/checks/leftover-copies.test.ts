/** What a check killed by SIGKILL leaves (its copy's folder, its server running) is removed by the next check; another live run's is not. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeLeftoverCopies } from '../../src/checks/leftover-copies';

let tmp: string | undefined;
afterEach(() => tmp && rmSync(tmp, { recursive: true, force: true }));

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

it('stops the server of a run that is gone and deletes its folder; leaves a live run\'s and the template', async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'konstruct-leftovers-'));
  // A stand-in for the orphaned postmaster: a process that runs until it is signalled.
  const server = spawn('sleep', ['60']);
  const serverExit = new Promise<NodeJS.Signals | null>((resolve) => server.on('exit', (_code, signal) => resolve(signal)));
  const left = path.join(tmp, `konstruct-check-${await deadPid()}-deadbeef`);
  const live = path.join(tmp, `konstruct-check-${process.pid}-cafebabe`);
  const template = path.join(tmp, 'konstruct-check-template-15.18');
  for (const dir of [left, live, template]) mkdirSync(dir);
  writeFileSync(path.join(left, 'postmaster.pid'), `${server.pid}\n${left}\n`);

  expect(await removeLeftoverCopies(tmp)).toEqual([left]);
  expect(await serverExit).toBe('SIGQUIT');
  expect([existsSync(left), existsSync(live), existsSync(template)]).toEqual([false, true, true]);
});
