/**
 * The history must match the code: each applied migration's checksum is
 * stored; a migration changed since it was applied, or applied but unknown to
 * this code, is reported by `status` and stops `up`/`down` (exit 8).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import { checksumOf } from '../../src/history/migration-checksums';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { runCli } from '../support/cli';
import { SOURCE_MIGRATIONS_DIR, testContext } from '../support/context';
import { databaseState } from '../support/database-state';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';

const COMPILED_MIGRATIONS_DIR = path.join(REPO_ROOT, 'dist', 'migrations');

describe('checksums', () => {
  it('are the same for the TypeScript sources and the compiled migrations (build-time manifest)', () => {
    const fromSources = listLocalMigrations(SOURCE_MIGRATIONS_DIR).map((m) => [m.name, m.checksum]);
    const compiled = listLocalMigrations(COMPILED_MIGRATIONS_DIR).map((m) => [m.name, m.checksum]);
    expect(compiled).toEqual(fromSources);
    expect(fromSources[0]![1]).toBe(checksumOf(readFileSync(path.join(SOURCE_MIGRATIONS_DIR, '005_baseline.ts'), 'utf8')));
  });

  it('ignore line endings and a byte-order mark', () => {
    expect(checksumOf('\uFEFFa\r\nb\rc\n')).toBe(checksumOf('a\nb\nc\n'));
    expect(checksumOf('a\nb')).not.toBe(checksumOf('a\nc'));
  });

  it('applied in-process from .ts, the built CLI (.js) finds nothing changed', async () => {
    const db = await createTestDatabase('checksums');
    try {
      const ctx = await testContext(db.url);
      try {
        await up(ctx);
      } finally {
        await ctx.close();
      }
      const stored = await db.knex('knex_migrations').orderBy('id').pluck('checksum');
      expect(stored).toEqual(listLocalMigrations(SOURCE_MIGRATIONS_DIR).map((m) => m.checksum));
      const status = await runCli(['status', '--check'], { env: { DATABASE_URL: db.url } });
      expect(status.code, status.stdout).toBe(0);
      expect(status.stdout).not.toMatch(/CHANGED/);
    } finally {
      await db.drop();
    }
  });
});

describe('a history that does not match the code', () => {
  let db: TestDatabase;
  let dir: TempMigrations;
  const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
  const original = sqlMigration('CREATE TABLE widgets (id int)', 'DROP TABLE widgets');

  beforeAll(async () => {
    db = await createTestDatabase('integrity');
  });
  afterAll(async () => {
    await db?.drop();
    dir?.remove();
  });
  beforeEach(async () => {
    dir?.remove();
    dir = tempMigrations({ '001_widgets': original, '002_gadgets': sqlMigration('CREATE TABLE gadgets (id int)', 'DROP TABLE gadgets') });
    await db.knex.raw('DROP TABLE IF EXISTS widgets, gadgets, knex_migrations, knex_migrations_lock');
    expect((await cli('up', '--to', '001')).code).toBe(0);
  });

  it('a migration edited after it was applied: status flags it, up and down refuse (exit 8) unless --allow-changed', async () => {
    writeFileSync(path.join(dir.dir, '001_widgets.js'), `${original}\n// edited after it was applied\n`);
    const before = await databaseState(db.knex);

    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/\n001_widgets\s+changed\s+\d{4}-/);
    expect(status.stdout).toMatch(/1 applied, 1 pending, 1 changed since applied \(001_widgets\)\./);
    expect((await cli('status', '--check')).code).toBe(8);

    const refusedUp = await cli('up');
    expect(refusedUp.code).toBe(8);
    expect(refusedUp.stderr).toMatch(/error: applied migrations were changed since they were applied: 001_widgets\n.*--allow-changed/);
    const refusedDown = await cli('down');
    expect(refusedDown.code).toBe(8);
    expect(await databaseState(db.knex)).toEqual(before);

    const allowed = await cli('up', '--allow-changed');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/↑ 002_gadgets/);
    // The stored checksum stays what was applied: the change is still reported.
    expect((await cli('status')).stdout).toMatch(/\n001_widgets\s+changed\s+/);
  });

  it('a migration applied without a checksum (stock knex CLI) is not flagged, and `up` records its checksum', async () => {
    await db.knex('knex_migrations').update({ checksum: null });
    expect((await cli('status', '--check')).code).toBe(3);
    const run = await cli('up');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/recording the checksum of 001_widgets \(applied without one\)/);
    const stored = await db.knex('knex_migrations').orderBy('id').pluck('checksum');
    expect(stored).toEqual(listLocalMigrations(dir.dir).map((m) => m.checksum));
  });

  it('applied migrations this code does not know: status reports them, up and down refuse naming them (exit 8)', async () => {
    await db.knex('knex_migrations').insert({ name: '003_from_a_newer_release', batch: 9, migration_time: new Date() });
    const before = await databaseState(db.knex);

    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/\n003_from_a_newer_release\s+unknown\s+\d{4}-/);
    expect(status.stdout).toMatch(/1 unknown to this code \(003_from_a_newer_release\)/);
    const json = JSON.parse((await cli('status', '--json', '--check')).stdout);
    expect(json).toMatchObject({ ok: true, exitCode: 8, result: { unknown: ['003_from_a_newer_release'], pending: 1 } });

    for (const command of ['up', 'down']) {
      const run = await cli(command);
      expect(run.code).toBe(8);
      expect(run.stderr).toMatch(/error: the database has applied migrations this code does not know: 003_from_a_newer_release\n {2}Nothing was changed\. If the files were deleted or renamed here, restore them/);
    }
    expect(await databaseState(db.knex)).toEqual(before);
  });

  it('knex_migrations_lock set by the stock knex CLI: up refuses (exit 5) and leaves the flag alone', async () => {
    await db.knex('knex_migrations_lock').update({ is_locked: 1 });
    const before = await databaseState(db.knex);
    const run = await cli('up');
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/knex_migrations_lock\.is_locked is set: the stock knex CLI is migrating this database/);
    expect(run.stderr).toMatch(/knex migrate:unlock/);
    expect(await databaseState(db.knex)).toEqual(before);
    // status says so, not "up to date", and its --check fails as up would (found by review).
    const status = await cli('status', '--check');
    expect(status.code).toBe(5);
    expect(status.stdout).toContain('\nknex_migrations_lock.is_locked is set: the stock knex CLI is migrating this database, or a killed knex run left it set.\n');
    expect(status.stdout).not.toContain('up to date');
    await db.knex('knex_migrations_lock').update({ is_locked: 0 });
  });
});
