/**
 * Revising an applied migration (docs/production-safety.md#revising-an-applied-migration):
 * a database that applied, or part-applied, an earlier revision whose checksum
 * the committed record (migrations/superseded-checksums.json) names is not
 * "changed": `status`, `up`, `verify`, `complete` and `down` go on without
 * --allow-changed. A checksum the record does not name is still refused.
 * 006 was revised (#25 item 4): a database expanded by its earlier text (the
 * one trigger, no column-list triggers) completes and goes down exactly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { complete } from '../../src/commands/complete';
import { down } from '../../src/commands/down';
import { status } from '../../src/commands/status';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { HistoryMismatchError } from '../../src/errors';
import { checksumOf } from '../../src/history/migration-checksums';
import { listLocalMigrations } from '../../src/history/local-migrations';
import { PHASE_TABLE, readPhaseStates } from '../../src/history/phase-state';
import { SUPERSEDED_CHECKSUMS } from '../../src/history/superseded-checksums';
import { runCli } from '../support/cli';
import { SOURCE_MIGRATIONS_DIR, testContext } from '../support/context';
import { standAt } from '../support/phased-position';
import { expectedCatalog, REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations } from '../support/temp-migrations';

/** 006 as it read before the revision of 2026-12-07 (computed with checksumOf before the file was edited). */
const EARLIER_006 = '526f4b53fb3d033ede7d0df3ab096c2ddef04ae31a78d2d99a8e037bc64baf7b';
/** A checksum no revision of 006 ever had. */
const NEVER_006 = 'f'.repeat(64);
const the006 = () => listLocalMigrations(SOURCE_MIGRATIONS_DIR).find((m) => m.name === '006_rbac_roles')!;

describe('the record', () => {
  it("names 006's earlier text with its reason, and 006 is no longer that text", () => {
    const record = JSON.parse(readFileSync(path.join(SOURCE_MIGRATIONS_DIR, SUPERSEDED_CHECKSUMS), 'utf8'));
    expect(record['006_rbac_roles']).toEqual([{ checksum: EARLIER_006, why: expect.stringContaining('#25 item 4'), until: '2026-12-07' }]);
    expect(the006().checksum).not.toBe(EARLIER_006);
    expect(the006().earlierChecksums).toEqual([EARLIER_006]);
  });

  it('is not taken for a migration, and the build copies it beside the compiled migrations', () => {
    expect(listLocalMigrations(SOURCE_MIGRATIONS_DIR).map((m) => m.name)).toEqual(['005_baseline', '006_rbac_roles']);
    const compiled = listLocalMigrations(path.join(REPO_ROOT, 'dist', 'migrations'));
    expect(compiled.map((m) => [m.name, m.earlierChecksums])).toEqual(listLocalMigrations(SOURCE_MIGRATIONS_DIR).map((m) => [m.name, m.earlierChecksums]));
  });

  it('in a folder of its own: a revised migration is accepted as applied; a malformed record, or one naming no migration, is refused (exit 2)', async () => {
    const original = sqlMigration('CREATE TABLE widgets (id int)', 'DROP TABLE widgets');
    const dir = tempMigrations({ '001_widgets': original });
    const db = await createTestDatabase('superseded_folder');
    const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: dir.dir } });
    const record = (value: unknown) => writeFileSync(path.join(dir.dir, SUPERSEDED_CHECKSUMS), JSON.stringify(value));
    try {
      expect((await cli('up')).code).toBe(0);
      dir.write('001_widgets', `${original}\n// revised: the same end state\n`);
      expect((await cli('status')).stdout).toMatch(/\n001_widgets\s+changed\s/);
      record({ '001_widgets': [{ checksum: checksumOf(original), why: 'a fix with the same end state', until: '2026-12-07' }] });
      const accepted = await cli('status', '--check');
      expect(accepted.code, accepted.stdout).toBe(0);
      expect(accepted.stdout).toMatch(/\n001_widgets\s+applied \(earlier revision\)\s+\d{4}-/);

      record({ '001_widgets': [{ checksum: checksumOf(original), until: '2026-12-07' }] });
      const malformed = await cli('status');
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toMatch(/superseded-checksums\.json is malformed at 001_widgets\.0\.why/);
      record({ '002_gadgets': [{ checksum: checksumOf(original), why: 'a typo', until: '2026-12-07' }] });
      const unknown = await cli('up');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/superseded-checksums\.json names no migration of this folder: 002_gadgets/);
    } finally {
      await db.drop();
      dir.remove();
    }
  });
});

describe('a database that applied the earlier 006', () => {
  let db: TestDatabase;
  const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: db.url } });
  beforeAll(async () => {
    db = await createTestDatabase('superseded_applied');
    expect((await cli('up')).code).toBe(0);
  });
  afterAll(() => db?.drop());

  it('status, up and verify go on without --allow-changed; status says it is the earlier revision', async () => {
    await db.knex('knex_migrations').where({ name: '006_rbac_roles' }).update({ checksum: EARLIER_006 });
    const shown = await cli('status', '--check');
    expect(shown.code, shown.stdout).toBe(0);
    expect(shown.stdout).toMatch(/\n006_rbac_roles\s+applied \(earlier revision\)\s+\d{4}-/);
    expect(shown.stdout).toMatch(/2 applied, 0 pending: up to date\./);
    const json = JSON.parse((await cli('status', '--json')).stdout);
    expect(json.result.changed).toEqual([]);
    expect(json.result.migrations.map((m: { name: string; earlierRevision: boolean }) => [m.name, m.earlierRevision])).toEqual([
      ['005_baseline', false],
      ['006_rbac_roles', true],
    ]);
    const upRun = await cli('up');
    expect(upRun.code, upRun.stderr).toBe(0);
    expect(upRun.stderr).not.toMatch(/changed/);
    const verifyRun = await cli('verify');
    expect(verifyRun.code, verifyRun.stderr).toBe(0);
    // The history keeps what was applied.
    expect(await db.knex('knex_migrations').where({ name: '006_rbac_roles' }).first('checksum')).toEqual({ checksum: EARLIER_006 });
  });

  it('a checksum the record does not name is still a changed migration: status flags it, up refuses (exit 8)', async () => {
    await db.knex('knex_migrations').where({ name: '006_rbac_roles' }).update({ checksum: NEVER_006 });
    const shown = await cli('status', '--check');
    expect(shown.code).toBe(8);
    expect(shown.stdout).toMatch(/\n006_rbac_roles\s+changed\s/);
    const refused = await cli('up');
    expect(refused.code).toBe(8);
    expect(refused.stderr).toMatch(/applied migrations were changed since they were applied: 006_rbac_roles/);
  });
});

describe('a database expanded by the earlier 006 (its one trigger; its checksum in the phase row)', () => {
  let db: TestDatabase;
  let ctx: MigrationContext;
  beforeAll(async () => {
    db = await createTestDatabase('superseded_expanded');
    ctx = await testContext(db.url);
  });
  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
  });

  /** At 005 with users, then expanded as the earlier text left it: without the two column-list triggers. */
  async function expandedByTheEarlier006(): Promise<void> {
    const applied = await db.knex.schema.hasTable('knex_migrations') ? await db.knex('knex_migrations').pluck('name') : [];
    if ((await readPhaseStates(db.knex)).length > 0 || applied.includes('006_rbac_roles')) await down(ctx, { yes: true, to: '005' });
    await up(ctx, { to: '005' });
    await db.knex.raw(`DELETE FROM portal_users`);
    await db.knex.raw(`INSERT INTO portal_users (email, hashed_password, name, is_admin) SELECT 'user' || i || '@x', 'h', 'U', i % 7 = 0 FROM generate_series(1, 300) AS i`);
    await standAt(ctx, 2);
    for (const name of ['portal_users_sync_1_role_written', 'portal_users_sync_2_is_admin_written']) {
      await db.knex.raw(`DROP TRIGGER ${name} ON portal_users`);
      await db.knex.raw(`DROP FUNCTION ${name}()`);
    }
    await db.knex(PHASE_TABLE).where({ name: '006_rbac_roles' }).update({ checksum: EARLIER_006 });
    const triggers = await db.knex.raw(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'portal_users'::regclass AND NOT tgisinternal AND tgname LIKE 'portal_users_sync%'`);
    expect(triggers.rows.map((r: { tgname: string }) => r.tgname)).toEqual(['portal_users_sync_role_is_admin']);
  }

  const roles = async () => (await db.knex('portal_users').select('email', 'role').orderBy('email')) as Array<{ email: string; role: string }>;
  const expectedRole = (email: string) => (Number(/\d+/.exec(email)![0]) % 7 === 0 ? 'platform_admin' : 'customer_admin');

  it('status shows it expanded from the earlier revision, and complete finishes it at the target catalog exactly', async () => {
    await expandedByTheEarlier006();
    const shown = (await status(ctx)).migrations.find((m) => m.name === '006_rbac_roles')!;
    expect([shown.state, shown.earlierRevision, shown.changed]).toEqual(['expanded', true, false]);
    const done = await complete(ctx, { drainWindow: 0 });
    expect(done.applied.map((s) => s.name)).toEqual(['006_rbac_roles']);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'target-catalog-after-006.sql'));
    expect((await roles()).filter((r) => r.role !== expectedRole(r.email))).toEqual([]);
    // Finished by the revised file: the history records the revised text.
    expect(await db.knex('knex_migrations').where({ name: '006_rbac_roles' }).first('checksum')).toEqual({ checksum: the006().checksum });
  });

  it('goes down to 005 exactly', async () => {
    await expandedByTheEarlier006();
    await down(ctx, { yes: true });
    expect(await db.knex('knex_migrations').pluck('name')).toEqual(['005_baseline']);
    expect(await dumpCatalog(db.knex)).toBe(await expectedCatalog(db.knex, 'catalog-after-005.sql'));
    const admins = (await db.knex('portal_users').select('email', 'is_admin')) as Array<{ email: string; is_admin: boolean }>;
    expect(admins.filter((r) => r.is_admin !== (expectedRole(r.email) === 'platform_admin'))).toEqual([]);
  });

  it('expanded with a checksum the record does not name: complete refuses, nothing changed', async () => {
    await expandedByTheEarlier006();
    await db.knex(PHASE_TABLE).where({ name: '006_rbac_roles' }).update({ checksum: NEVER_006 });
    await expect(complete(ctx, { drainWindow: 0 })).rejects.toThrow(HistoryMismatchError);
    await expect(complete(ctx, { drainWindow: 0 })).rejects.toThrow(/part-way migrations were changed since their first step ran: 006_rbac_roles/);
    expect((await db.knex(PHASE_TABLE).first('steps_done')).steps_done).toBe(2);
  });
});
