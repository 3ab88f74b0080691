/**
 * `up` checks the pending migrations first: a finding on a table at or above
 * --check-threshold refuses with exit 10 before anything is applied; on a
 * smaller table it warns and applies; a migration that accepts the finding
 * (acceptFindings) is applied, with its reason shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';

let db: TestDatabase;
let folder: TempMigrations;
let env: Record<string, string>;

const indexOn = (table: string) => sqlMigration(`CREATE INDEX ix_${table}_email ON ${table} (email)`, `DROP INDEX ix_${table}_email`);
const indexExists = async (name: string) => (await db.knex.raw('SELECT to_regclass(?) IS NOT NULL AS e', [name])).rows[0].e;

beforeAll(async () => {
  db = await createTestDatabase('up_refusal');
  folder = tempMigrations({
    '001_accounts': sqlMigration(
      `CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL);
       CREATE TABLE audit_notes (id int PRIMARY KEY, email text NOT NULL)`,
      'DROP TABLE accounts; DROP TABLE audit_notes',
    ),
  });
  env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir, KONSTRUCT_CHECK_SERVER_URL: adminUrl() };
  expect((await runCli(['up'], { env })).code).toBe(0);
  // accounts: 50 rows; audit_notes: 3 rows (ANALYZE: the statistics `up` reads).
  await db.knex.raw(`INSERT INTO accounts SELECT i, 'user' || i || '@konstruct.example' FROM generate_series(1, 50) i`);
  await db.knex.raw(`INSERT INTO audit_notes SELECT i, 'note' || i FROM generate_series(1, 3) i`);
  await db.knex.raw('ANALYZE accounts; ANALYZE audit_notes');
});
afterAll(async () => {
  folder?.remove();
  await db?.drop();
});

describe('up checks first', () => {
  it('refuses an index build on a table at the threshold: exit 10, one line naming it and the way out, nothing applied', async () => {
    folder.write('002_index_accounts', indexOn('accounts'));
    const run = await runCli(['up', '--check-threshold', '50'], { env });
    expect(run.code).toBe(10);
    expect(run.stderr).toContain('error: unsafe migration refused: 002_index_accounts: index-build on accounts (50 rows): building ix_accounts_email read all of accounts while holding ShareLock\n');
    expect(run.stderr).toContain("Or accept it in the migration: export const acceptFindings = [{ rule: 'index-build', table: 'accounts', reason: '...' }]. Nothing was applied.");
    expect(run.stderr).not.toContain('    at ');
    expect(await indexExists('ix_accounts_email')).toBe(false);
    expect((await runCli(['status', '--check'], { env })).code).toBe(3);
  });

  it('applies it without a throwaway run when no table reaches the threshold', async () => {
    const run = await runCli(['up', '--check-threshold', '51', '--to', '002'], { env: { ...env } });
    // No table reaches 51 rows: the throwaway run is skipped altogether.
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await indexExists('ix_accounts_email')).toBe(true);
  });

  it('warns about a smaller table while a bigger one makes the check run', async () => {
    folder.write('003_index_audit_notes', indexOn('audit_notes'));
    const run = await runCli(['up', '--check-threshold', '50'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: 003_index_audit_notes: index-build on audit_notes: building ix_audit_notes_email read all of audit_notes while holding ShareLock\n');
    expect(await indexExists('ix_audit_notes_email')).toBe(true);
  });

  it('applies a finding the migration accepts, showing its reason', async () => {
    folder.write(
      '004_email_lower',
      sqlMigration(
        'ALTER TABLE accounts ADD CONSTRAINT ck_accounts_email_lower CHECK (email = lower(email))',
        'ALTER TABLE accounts DROP CONSTRAINT ck_accounts_email_lower',
        "exports.acceptFindings = [{ rule: 'constraint-validation', table: 'accounts', reason: 'accounts is written by one nightly job' }];",
      ),
    );
    const run = await runCli(['up', '--check-threshold', '50'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('accepted: 004_email_lower: constraint-validation on accounts: check ck_accounts_email_lower was checked against every row of accounts while holding AccessExclusiveLock (accounts is written by one nightly job)\n');
  });
});
