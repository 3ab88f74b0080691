/**
 * Every way `baseline` refuses: one clear line naming the problem (plus what to
 * do), a documented exit code, no stack trace, and the database exactly as it was.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../../src/commands/up';
import { createAlembicDatabase, databaseState } from '../support/alembic-database';
import { runCli, type CliResult } from '../support/cli';
import { testContext } from '../support/context';
import { REPO_ROOT } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let before: Awaited<ReturnType<typeof databaseState>>;

const baseline = (...args: string[]) => runCli(['baseline', ...args], { env: { DATABASE_URL: db.url } });

/** A refusal: the exit code, an `error:` first line matching `message`, a hint, no stack, nothing changed. */
async function expectRefused(run: CliResult, code: number, message: RegExp) {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(await databaseState(db.knex)).toEqual(before);
}

describe('baseline --from-alembic refuses', () => {
  beforeAll(async () => {
    db = await createAlembicDatabase('006', 'refusals');
  });
  afterAll(async () => db?.drop());
  afterEach(async () => {
    await db.knex('alembic_version').delete();
    await db.knex('alembic_version').insert({ version_num: '006' });
  });
  const stamp = async (...revisions: string[]) => {
    await db.knex('alembic_version').delete();
    if (revisions.length) await db.knex('alembic_version').insert(revisions.map((version_num) => ({ version_num })));
    before = await databaseState(db.knex);
  };

  it('when alembic_version holds several heads (exit 8)', async () => {
    await stamp('006', '006a');
    const run = await baseline('--from-alembic');
    await expectRefused(run, 8, /alembic_version holds several heads \(006, 006a\)/);
    expect(run.stderr).toMatch(/alembic merge/);
  });

  it('when alembic_version holds a revision this code does not know (exit 8)', async () => {
    await stamp('004');
    await expectRefused(await baseline('--from-alembic'), 8, /revision "004", which this code does not know \(known: 005, 006\)/);
  });

  it('when alembic_version is empty (exit 8)', async () => {
    await stamp();
    await expectRefused(await baseline('--from-alembic'), 8, /alembic_version is empty/);
  });

  it('when the schema is not what the revision produces, listing each difference (exit 9)', async () => {
    await stamp('005'); // the schema is at 006: Alembic's stamp is wrong
    const run = await baseline('--from-alembic');
    await expectRefused(run, 9, /the schema is not what 005_baseline produces \(5 difference\(s\)\); nothing was recorded:/);
    expect(run.stderr).toContain('  missing column portal_users.is_admin: boolean NOT NULL');
    expect(run.stderr).toContain('  extra table user_tenant_roles');
    expect(run.stderr).toMatch(/--force to record the history anyway/);
  });

  it('when one foreign key is missing, naming it (exit 9); --dry-run refuses alike', async () => {
    await db.knex.raw('ALTER TABLE portal_invitations DROP CONSTRAINT portal_invitations_invited_by_fkey');
    try {
      await stamp('006');
      for (const args of [['--from-alembic'], ['--from-alembic', '--dry-run']]) {
        const run = await baseline(...args);
        await expectRefused(run, 9, /the schema is not what 006_rbac_roles produces \(1 difference\(s\)\)/);
        expect(run.stderr).toContain(
          'missing constraint portal_invitations_invited_by_fkey on portal_invitations: FOREIGN KEY (invited_by) REFERENCES public.portal_users(id)',
        );
      }
    } finally {
      await db.knex.raw('ALTER TABLE portal_invitations ADD CONSTRAINT portal_invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES portal_users(id)');
    }
  });

  it('when there is no alembic_version table (exit 8), pointing to --to', async () => {
    await db.knex.schema.renameTable('alembic_version', 'alembic_version_moved');
    try {
      before = await databaseState(db.knex);
      const run = await baseline('--from-alembic');
      await expectRefused(run, 8, /there is no alembic_version table/);
      expect(run.stderr).toContain('baseline --to <migration>');
    } finally {
      await db.knex.schema.renameTable('alembic_version_moved', 'alembic_version');
    }
  });

  it('bad flag combinations and unknown targets are usage errors (exit 2)', async () => {
    before = await databaseState(db.knex);
    await expectRefused(await baseline(), 2, /exactly one of --from-alembic or --to/);
    await expectRefused(await baseline('--from-alembic', '--to', '006'), 2, /exactly one of --from-alembic or --to/);
    await expectRefused(await baseline('--to', '006', '--drop-alembic-version'), 2, /--drop-alembic-version goes with --from-alembic only/);
    await expectRefused(await baseline('--to', '042'), 2, /unknown migration "042"/);
  });
});

describe('baseline with --force', () => {
  beforeAll(async () => {
    db = await createAlembicDatabase('006', 'forced');
  });
  afterAll(async () => db?.drop());

  it('records despite a difference, and says which it ignored', async () => {
    await db.knex.raw('COMMENT ON COLUMN portal_invitations.status IS NULL');
    const run = await baseline('--from-alembic', '--force');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Recorded 2 migration(s)');
    expect(run.stdout).toContain('The schema differs from what 006_rbac_roles produces (ignored, --force):');
    expect(run.stdout).toContain("  missing comment on column portal_invitations.status: 'pending | accepted | revoked'");
  });
});

describe('baseline on a database konstruct-migrate already manages', () => {
  // History says 005; someone brought the schema to 006 by hand with the seed's SQL.
  beforeAll(async () => {
    db = await createTestDatabase('managed');
    const ctx = await testContext(db.url);
    await up(ctx, { to: '005' }).finally(() => ctx.close());
    await db.knex.transaction((trx) => trx.raw(readFileSync(path.join(REPO_ROOT, 'spec', 'alembic-006-upgrade.sql'), 'utf8')));
  });
  afterAll(async () => db?.drop());

  it('refuses: the history already has entries (exit 8)', async () => {
    before = await databaseState(db.knex);
    const run = await baseline('--to', '006');
    await expectRefused(run, 8, /the history already has 1 applied migration\(s\) \(005_baseline\); nothing was recorded/);
    expect(run.stderr).toContain('konstruct-migrate status');
  });

  it('with --force records only what is missing, in a new batch, and leaves the rest', async () => {
    const [first] = await db.knex('knex_migrations').select();
    const run = await baseline('--to', '006', '--force');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Recorded 1 migration(s) as applied (batch 2, from --to 006_rbac_roles)');
    expect(run.stdout).toContain('Already in the history, left as they were: 005_baseline.');
    const rows = await db.knex('knex_migrations').orderBy('id').select();
    expect(rows[0]).toEqual(first);
    expect(rows.map((r) => [r.name, r.batch])).toEqual([['005_baseline', 1], ['006_rbac_roles', 2]]);
  });

  it('with --force again finds nothing left to record', async () => {
    const run = await baseline('--to', '006', '--force');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing to record: the history already has every migration up to 006_rbac_roles.');
  });
});
