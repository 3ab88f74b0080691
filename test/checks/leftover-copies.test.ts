/** What a check killed by SIGKILL leaves (its copy's folder, its server running) is removed by the next run; another live run's is not. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { removeLeftoverCopies } from '../../src/checks/leftover-copies';
import { check } from '../../src/commands/check';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { up } from '../../src/commands/up';
import { testContext } from '../support/context';
import { adminUrl, createTestDatabase } from '../support/test-database';

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
  const left = path.join(tmp, `konstruct-check-${await deadPid()}-deadbeef`);
  // A stand-in for the orphaned postmaster: a process that runs until it is signalled, its folder on its command line.
  const server = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', left]);
  const serverExit = new Promise<NodeJS.Signals | null>((resolve) => server.on('exit', (_code, signal) => resolve(signal)));
  const live = path.join(tmp, `konstruct-check-${process.pid}-cafebabe`);
  const template = path.join(tmp, 'konstruct-check-template-15.18');
  for (const dir of [left, live, template]) mkdirSync(dir);
  writeFileSync(path.join(left, 'postmaster.pid'), `${server.pid}\n${left}\n`);

  expect(await removeLeftoverCopies(tmp)).toEqual([left]);
  expect(await serverExit).toBe('SIGQUIT');
  expect([existsSync(left), existsSync(live), existsSync(template)]).toEqual([false, true, true]);
});

it("deletes the folder but stops no process whose command line does not name it: the pid was given to another since", async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'konstruct-leftovers-'));
  const left = path.join(tmp, `konstruct-check-${await deadPid()}-feedface`);
  const other = spawn('sleep', ['60']);
  try {
    mkdirSync(left);
    writeFileSync(path.join(left, 'postmaster.pid'), `${other.pid}\n${left}\n`);
    const exited = new Promise((resolve) => other.on('exit', () => resolve('signalled')));
    expect(await removeLeftoverCopies(tmp)).toEqual([left]);
    // A stop would have waited for it to end: given a moment more, it still runs.
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 300))])).toBe('still running');
    expect(existsSync(left)).toBe(false);
  } finally {
    other.kill();
  }
});

it('is removed by the next up, down, complete or check, also with nothing to check (found by review: only a check that built a copy did)', async () => {
  const db = await createTestDatabase('leftover_next');
  const ctx = await testContext(db.url);
  const left = path.join(os.tmpdir(), `konstruct-check-${await deadPid()}-${randomBytes(4).toString('hex')}`);
  try {
    await up(ctx);
    const commands = [() => up(ctx), () => complete(ctx).catch(() => undefined), () => check(ctx, { serverUrl: adminUrl() }), () => down(ctx, { yes: true })];
    for (const command of commands) {
      mkdirSync(left);
      await command();
      expect(existsSync(left)).toBe(false);
    }
  } finally {
    rmSync(left, { recursive: true, force: true });
    await ctx.close();
    await db.drop();
  }
});
