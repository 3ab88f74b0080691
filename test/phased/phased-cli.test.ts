/**
 * The commands around a phased migration, as a deploy pipeline runs them:
 * `up --expand`, `status` (text, --json, --check), `verify`, `complete`,
 * `down --to-expanded`; the lock budget; backfill progress on a terminal only.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, cleanEnv, runCli } from '../support/cli';
import { databaseState, historyNames } from '../support/database-state';
import { WITHIN_PROBE } from '../support/probe-messages';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { skipWithoutScript } from '../support/required-tool';

let db: TestDatabase;
const env = () => ({ DATABASE_URL: db.url });
const cli = (...args: string[]) => runCli(args, { env: env() });

beforeAll(async () => {
  db = await createTestDatabase('phasedcli');
  expect((await cli('up', '--to', '005')).code).toBe(0);
  await db.knex.raw(`
    INSERT INTO portal_users (email, hashed_password, name, is_admin)
    SELECT 'user' || i || '@x', 'h', 'U', i % 7 = 0 FROM generate_series(1, 2000) AS i`);
});
afterAll(async () => {
  await db?.drop();
});

describe('a rolling deploy: up --expand, then complete', () => {
  it('up --expand stops expanded and held, and says what to do next', async () => {
    const run = await cli('up', '--expand');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {4}· expand: .*\n {4}· backfill: admins get role platform_admin \(.*\d+ batch(es)?, [\d,]+ rows\)\n/);
    expect(run.stdout).toMatch(/006_rbac_roles is expanded and held: both application versions are served\. Deploy the new version everywhere, then run `konstruct-migrate complete`\.\n$/);
    expect(run.stdout).not.toMatch(/contract/);
    expect(await historyNames(db.knex)).toEqual(['005_baseline']); // part-way: knex_migrations has no row for it
  });

  it('status shows it expanded, held, with the next step; --json has the state; --check exits 3', async () => {
    const text = await cli('status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\n006_rbac_roles\s+expanded\s+-\s+-\n/);
    expect(text.stdout).toMatch(/006_rbac_roles stands part-way, expanded: both application versions are served \(2 of 6 steps done, held by .*\)\.\n {2}Next step: contract: add ck_portal_users_role NOT VALID\.\n {2}Old version: no old-shape write or read seen\.\n {2}Not seen: reads are not seen \(pg_stat_statements is not installed and preloaded\)\.\n {2}Run `konstruct-migrate complete --wait`/);
    expect(text.stdout).toMatch(/1 applied, 0 pending, 1 part-way \(006_rbac_roles\)\.\n$/);

    const json = await cli('status', '--json', '--check');
    expect(json.code).toBe(3);
    const { result: doc, ...envelope } = JSON.parse(json.stdout);
    expect(envelope).toMatchObject({ command: 'status', ok: true, exitCode: 3 });
    expect(doc).toMatchObject({ applied: 1, pending: 0, partWay: ['006_rbac_roles'] });
    expect(doc.migrations[1]).toMatchObject({
      name: '006_rbac_roles',
      state: 'expanded',
      partWay: { stepsDone: 2, steps: 6, phase: 'contract', expanded: true, held: true, direction: 'up', backfill: null },
    });
  });

  it('verify refuses a part-way schema with one clear line (exit 3); up --expand again changes nothing', async () => {
    const verify = await cli('verify');
    expect(verify.code).toBe(3);
    expect(verify.stderr).toMatch(/^error: 006_rbac_roles stands part-way: there is no reference schema for a migration between its phases\n {2}Run `konstruct-migrate complete`/);
    const before = await databaseState(db.knex);
    const again = await cli('up', '--expand');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^006_rbac_roles is expanded and held/);
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('complete runs the contract; then there is nothing to complete (exit 0); status --check exits 0', async () => {
    const run = await cli('complete');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/· contract: add ck_portal_users_role NOT VALID[\s\S]*· contract: drop the triggers, is_admin and the default of role .*\n {2}↑ 006_rbac_roles .*\nCompleted 006_rbac_roles in batch 2/);
    const again = await cli('complete');
    expect(again).toMatchObject({ code: 0, stdout: 'Nothing to complete: no migration stands part-way.\n', stderr: '' });
    expect((await cli('status', '--check')).code).toBe(0);
    expect((await cli('verify')).code).toBe(0);
  });

  it('down --to-expanded reverts the contract only and holds it; plain up then refuses; complete contracts again', async () => {
    const run = await cli('down', '--to-expanded');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/· reverted contract: drop the triggers[\s\S]*006_rbac_roles is back to expanded and held/);
    expect(run.stdout).not.toMatch(/reverted (expand|backfill)/);
    expect(await db.knex('portal_users').where({ is_admin: true }).count({ n: '*' })).toEqual([{ n: String(Math.floor(2000 / 7)) }]);
    const plain = await cli('up');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/is held expanded/);
    const misuse = await cli('down', '--to-expanded', '--all');
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toMatch(/^error: --to-expanded .* cannot be combined with --to or --all\n/);
    expect((await cli('complete')).code).toBe(0);
    expect(await historyNames(db.knex)).toEqual(['005_baseline', '006_rbac_roles']);
  });
});

describe('a migration file changed while it stands part-way', () => {
  it('is refused by complete, up and down (exit 8) unless --allow-changed', async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'konstruct-changed-'));
    try {
      cpSync(path.join(REPO_ROOT, 'dist', 'migrations'), copy, { recursive: true });
      const inCopy = (...args: string[]) => runCli(args, { env: { ...env(), KONSTRUCT_MIGRATIONS_DIR: copy } });
      expect((await inCopy('down', '--yes')).code).toBe(0);
      expect((await inCopy('up', '--expand')).code).toBe(0);
      // As a rebuild after editing 006 would leave it: another checksum in the build's manifest.
      const manifest = path.join(copy, 'checksums.json');
      const sums = JSON.parse(readFileSync(manifest, 'utf8'));
      writeFileSync(manifest, JSON.stringify({ ...sums, '006_rbac_roles': 'f'.repeat(64) }));
      for (const command of [['complete'], ['up', '--expand'], ['down', '--yes']]) {
        const run = await inCopy(...command);
        expect(run.code, command.join(' ')).toBe(8);
        expect(run.stderr).toMatch(/^error: part-way migrations were changed since their first step ran: 006_rbac_roles\n/);
      }
      expect((await inCopy('complete', '--allow-changed')).code).toBe(0);
      // Back to the migrations as built, for the tests below.
      expect((await inCopy('down', '--yes', '--allow-changed')).code).toBe(0);
      expect((await cli('up')).code).toBe(0);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('--lock-budget', () => {
  it('bounds the retries: exit 5 naming the blocker, nothing applied', async () => {
    expect((await cli('down', '--yes')).code).toBe(0);
    const reader: Knex.Transaction = await db.knex.transaction();
    try {
      await reader.raw('LOCK TABLE portal_users IN ACCESS SHARE MODE');
      const before = await databaseState(db.knex);
      const run = await cli('up', '--lock-budget', '1');
      expect(run.code).toBe(5);
      // The budget is spent waiting outside the lock queue after a probe (or, when no probe's wait was seen, a later full attempt).
      expect(run.stderr).toMatch(
        new RegExp(String.raw`^error: 006_rbac_roles \[expand: [^\]]+\] \(up\) could not get AccessExclusiveLock on portal_users (?:${WITHIN_PROBE}|within 0\.5 s \(lock_timeout); \d+ attempt\(s\) in --lock-budget 1 s, each rolled back\)`, 'm'),
      );
      expect(run.stderr).toMatch(/allow more retries with --lock-budget/);
      await reader.rollback();
      expect(await databaseState(db.knex)).toEqual(before);
    } finally {
      await reader.rollback().catch(() => {});
    }
  });
});

const withoutScript = skipWithoutScript();

describe('backfill progress', () => {
  it.skipIf(withoutScript)('on a terminal: rows done / estimated, rate and time left, erased when done', () => {
    const command = [process.execPath, CLI_PATH, 'up', '--expand', '--batch-size', '1', '--batch-pause', '50'].map((a) => `'${a}'`).join(' ');
    const output = execFileSync('script', ['-qfec', command, '/dev/null'], { env: cleanEnv({ ...env(), TERM: 'xterm' }), encoding: 'utf8' });
    expect(output).toMatch(/applying 006_rbac_roles {2}[\d.]+ m?s {2}admins get role platform_admin: [\d,]+ \/ ~[\d,]+ rows \(\d+%\), [\d,]+ rows\/s, ~[\d.]+ m?s left/);
    expect(output).toContain('\r\u001b[2K');
    expect(output).toMatch(/· backfill: admins get role platform_admin/);
  });

  it('not in a pipe, nor with --json or -q', async () => {
    expect((await cli('down', '--yes')).code).toBe(0);
    const piped = await cli('up', '--expand', '--batch-size', '1', '--batch-pause', '5');
    expect(piped.code).toBe(0);
    expect(`${piped.stdout}${piped.stderr}`).not.toMatch(/\r|\u001b|rows\/s/);
    expect((await cli('down', '--yes')).code).toBe(0);
    const quiet = await cli('-q', 'up', '--expand', '--batch-size', '50');
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const json = await cli('complete', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ command: 'complete', ok: true, result: { expanded: [], migrations: [{ name: '006_rbac_roles', direction: 'up' }] } });
  });
});
