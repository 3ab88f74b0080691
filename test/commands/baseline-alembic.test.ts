/**
 * Adopting databases that Alembic manages today. A database built with the
 * project's baseline, brought to 006 by the seed's SQL and stamped
 * alembic_version = '006', with no knex tables, is adopted by
 * `baseline --from-alembic`; from then on konstruct-migrate runs it. The same at 005.
 */
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '../../src/commands/status';
import { KonstructMigrationSource } from '../../src/engine/knex-migration-source';
import { createAlembicDatabase, databaseState } from '../support/alembic-database';
import { runCli } from '../support/cli';
import { SOURCE_MIGRATIONS_DIR, testContext } from '../support/context';
import type { TestDatabase } from '../support/test-database';

const statusOf = async (url: string) => {
  const ctx = await testContext(url);
  return status(ctx).finally(() => ctx.close());
};

describe('an Alembic database at 006', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createAlembicDatabase('006');
    env = { DATABASE_URL: db.url };
    await db.knex.raw(`INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme')`);
    await db.knex.raw(`
      INSERT INTO portal_users (email, hashed_password, name, role)
      VALUES ('admin@acme.test', 'x', 'Admin', 'platform_admin'), ('user@acme.test', 'x', 'User', 'customer_admin')`);
  });
  afterAll(async () => db?.drop());

  it('--dry-run shows what would be recorded and changes nothing', async () => {
    const before = await databaseState(db.knex);
    const run = await runCli(['baseline', '--from-alembic', '--dry-run'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run: would record 2 migration(s) as applied (batch 1, from alembic_version 006)');
    expect(run.stdout).toMatch(/✓ 005_baseline\n\s+✓ 006_rbac_roles/);
    expect(run.stdout).toContain('Nothing was changed.');
    expect(await databaseState(db.knex)).toEqual(before);
    expect(before.knexMigrations).toBeNull();
  });

  it('is adopted: 005 and 006 recorded in one batch, with a note, alembic_version kept', async () => {
    const serverNow = async (): Promise<Date> => (await db.knex.raw('SELECT clock_timestamp() AS now')).rows[0].now;
    const startedAt = await serverNow();
    const run = await runCli(['baseline', '--from-alembic'], { env });
    const endedAt = await serverNow();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Recorded 2 migration(s) as applied (batch 1, from alembic_version 006), without running them:');
    expect(run.stdout).toContain('The schema matches what 006_rbac_roles produces.');
    expect(run.stdout).toContain('alembic_version is left as it is');

    const rows = await db.knex('knex_migrations').orderBy('id').select('name', 'batch', 'note', 'migration_time');
    expect(rows.map((r) => [r.name, r.batch, r.note])).toEqual([
      ['005_baseline', 1, 'baseline --from-alembic (alembic_version 006)'],
      ['006_rbac_roles', 1, 'baseline --from-alembic (alembic_version 006)'],
    ]);
    // Recorded by this run, on the server's clock: between the moments taken before and after it.
    const recordedDuringTheRun = (at: Date) => at.getTime() >= startedAt.getTime() && at.getTime() <= endedAt.getTime();
    expect(rows.map((r) => recordedDuringTheRun(r.migration_time))).toEqual([true, true]);
    expect(await db.knex('alembic_version').pluck('version_num')).toEqual(['006']);
  });

  it('then status shows it up to date, for konstruct-migrate and for the stock knex migrator', async () => {
    const result = await statusOf(db.url);
    expect([result.applied, result.pending, result.unknown]).toEqual([2, 0, []]);
    const run = await runCli(['status', '--check'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2 applied, 0 pending: up to date\./);

    const knex = knexFactory({ client: 'pg', connection: db.url, migrations: { migrationSource: new KonstructMigrationSource(SOURCE_MIGRATIONS_DIR) } });
    try {
      const [completed, pending] = await knex.migrate.list();
      expect(completed.map((m: { name: string }) => m.name)).toEqual(['005_baseline', '006_rbac_roles']);
      expect(pending).toEqual([]);
    } finally {
      await knex.destroy();
    }
  });

  it('then verify exits 0', async () => {
    const run = await runCli(['verify'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('The schema matches what 006_rbac_roles produces.\n');
  });

  it('then down and up work, keeping the data, and the schema still verifies', async () => {
    const down = await runCli(['down'], { env });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/↓ 006_rbac_roles/);
    expect(await db.knex('portal_users').orderBy('email').pluck('is_admin')).toEqual([true, false]);
    expect((await runCli(['verify'], { env })).code).toBe(0);

    const up = await runCli(['up'], { env });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/↑ 006_rbac_roles/);
    expect(await db.knex('portal_users').orderBy('email').pluck('role')).toEqual(['platform_admin', 'customer_admin']);
    expect((await runCli(['verify'], { env })).stdout).toBe('The schema matches what 006_rbac_roles produces.\n');
  });

  it('a second baseline is refused: the history is no longer empty', async () => {
    const run = await runCli(['baseline', '--from-alembic'], { env });
    expect(run.code).toBe(8);
    expect(run.stderr).toMatch(/^error: the history already has 2 applied migration\(s\)/);
  });
});

describe('an Alembic database at 005', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createAlembicDatabase('005');
    env = { DATABASE_URL: db.url };
    await db.knex.raw(`
      INSERT INTO portal_users (email, hashed_password, name, is_admin)
      VALUES ('admin@acme.test', 'x', 'Admin', true), ('user@acme.test', 'x', 'User', false)`);
  });
  afterAll(async () => db?.drop());

  it('is adopted at 005, leaving 006 pending, which up then applies', async () => {
    const run = await runCli(['baseline', '--from-alembic'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Recorded 1 migration(s) as applied (batch 1, from alembic_version 005)');
    expect((await statusOf(db.url)).migrations.map((m) => [m.name, m.state])).toEqual([
      ['005_baseline', 'applied'],
      ['006_rbac_roles', 'pending'],
    ]);
    expect((await runCli(['verify'], { env })).stdout).toBe('The schema matches what 005_baseline produces.\n');
    expect((await runCli(['status', '--check'], { env })).code).toBe(3);

    const up = await runCli(['up'], { env });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Applied 1 migration in batch 2/);
    expect(await db.knex('portal_users').orderBy('email').pluck('role')).toEqual(['platform_admin', 'customer_admin']);
    expect((await statusOf(db.url)).pending).toBe(0);
    expect((await runCli(['status', '--check'], { env })).code).toBe(0);
    expect((await runCli(['verify'], { env })).code).toBe(0);
  });
});

describe('other ways in', () => {
  it('--drop-alembic-version removes alembic_version in the same run', async () => {
    const db = await createAlembicDatabase('006', 'alembic_drop');
    try {
      const run = await runCli(['baseline', '--from-alembic', '--drop-alembic-version'], { env: { DATABASE_URL: db.url } });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('alembic_version was dropped.');
      expect(await db.knex.schema.hasTable('alembic_version')).toBe(false);
      expect(await db.knex('knex_migrations').pluck('name')).toEqual(['005_baseline', '006_rbac_roles']);
    } finally {
      await db.drop();
    }
  });

  it('--to adopts a schema that has no Alembic table (e.g. restored from a dump), --json gives the result as data', async () => {
    const db = await createAlembicDatabase('006', 'restored');
    try {
      await db.knex.schema.dropTable('alembic_version');
      const run = await runCli(['baseline', '--to', '006', '--json'], { env: { DATABASE_URL: db.url } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^Recorded 2 migration\(s\) as applied/); // text for people moves to stderr
      const { result, ...envelope } = JSON.parse(run.stdout);
      expect(envelope).toEqual({ command: 'baseline', ok: true, exitCode: 0, error: null });
      expect(result).toEqual({
        migration: '006_rbac_roles',
        alembicRevision: null,
        recorded: ['005_baseline', '006_rbac_roles'],
        alreadyRecorded: [],
        batch: 1,
        note: 'baseline --to 006_rbac_roles',
        ignoredDifferences: [],
        alembicVersionDropped: false,
        dryRun: false,
      });
      expect((await statusOf(db.url)).pending).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
