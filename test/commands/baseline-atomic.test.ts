/**
 * `baseline` records all or nothing, and two runs at once adopt a database once.
 */
import { describe, expect, it } from 'vitest';
import { createAlembicDatabase, databaseState } from '../support/alembic-database';
import { runCli } from '../support/cli';

describe('baseline', () => {
  it('rolls everything back when a step fails: no knex tables, alembic_version intact (exit 6)', async () => {
    const db = await createAlembicDatabase('006', 'atomic');
    try {
      // A view on alembic_version makes the final DROP TABLE fail, after the rows were inserted. It is in a
      // schema of its own: in public, it would be drift, which baseline refuses before it starts.
      await db.knex.raw('CREATE SCHEMA reports; CREATE VIEW reports.alembic_head AS SELECT version_num FROM public.alembic_version');
      const before = await databaseState(db.knex);
      const run = await runCli(['baseline', '--from-alembic', '--drop-alembic-version'], { env: { DATABASE_URL: db.url } });
      expect(run.code).toBe(6);
      expect(run.stderr).toMatch(/^error: baseline failed and was rolled back, nothing was recorded: .*cannot drop table alembic_version because other objects depend on it \[SQLSTATE 2BP01\]/);
      expect(run.stderr).toMatch(/view reports\.alembic_head depends on table alembic_version/);
      expect(await databaseState(db.knex)).toEqual(before);
      expect(before.knexMigrations).toBeNull();
    } finally {
      await db.drop();
    }
  });

  it('run twice at the same time adopts the database once: one records, the other finds the history (exit 8)', async () => {
    const db = await createAlembicDatabase('006', 'concurrent');
    try {
      const env = { DATABASE_URL: db.url };
      const runs = await Promise.all([1, 2, 3].map(() => runCli(['baseline', '--from-alembic'], { env })));
      expect(runs.map((r) => r.code).sort()).toEqual([0, 8, 8]);
      for (const r of runs.filter((r) => r.code === 8)) expect(r.stderr).toMatch(/^error: the history already has 2 applied migration/);
      expect(await db.knex('knex_migrations').orderBy('id').pluck('name')).toEqual(['005_baseline', '006_rbac_roles']);
    } finally {
      await db.drop();
    }
  });
});
