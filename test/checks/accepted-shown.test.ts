/**
 * A finding a pending migration accepts on purpose (acceptFindings) is shown,
 * with its reason, by `status` and by `up --dry-run`, in text and --json; a
 * malformed list stops `check` with a usage error (exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';

let db: TestDatabase;
let folder: TempMigrations;
let env: Record<string, string>;

const ACCEPTS = "exports.acceptFindings = [{ rule: 'index-build', table: 'accounts', reason: 'accounts holds 12 rows' }];";

beforeAll(async () => {
  db = await createTestDatabase('accepted_shown');
  folder = tempMigrations({ '001_accounts': sqlMigration('CREATE TABLE accounts (id int PRIMARY KEY, email text)', 'DROP TABLE accounts') });
  env = { DATABASE_URL: db.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir, KONSTRUCT_CHECK_SERVER_URL: adminUrl() };
  expect((await runCli(['up'], { env })).code).toBe(0);
  folder.write('002_index_email', sqlMigration('CREATE INDEX ix_accounts_email ON accounts (email)', 'DROP INDEX ix_accounts_email', ACCEPTS));
});
afterAll(async () => {
  folder?.remove();
  await db?.drop();
});

describe('accepted findings', () => {
  it('status lists them under the table', async () => {
    const run = await runCli(['status'], { env });
    expect(run.stdout).toContain('\nAccepted findings of `check` (docs/checking-migrations.md):\n  002_index_email accepts index-build on accounts: accounts holds 12 rows\n');
    const doc = JSON.parse((await runCli(['status', '--json'], { env })).stdout);
    expect(doc.result.accepted).toEqual([{ migration: '002_index_email', rule: 'index-build', table: 'accounts', reason: 'accounts holds 12 rows' }]);
  });

  it('up --dry-run lists them after the statements', async () => {
    const run = await runCli(['up', '--dry-run'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nAccepted finding: 002_index_email accepts index-build on accounts: accounts holds 12 rows\n$/);
  });

  it('check shows it as accepted and exits 0 even at threshold 0', async () => {
    const run = await runCli(['check', '--threshold', '0'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\naccepted: index-build on accounts (0 rows) in 002_index_email\n');
    expect(run.stdout).toContain('\n  accepted: accounts holds 12 rows\n');
  });

  it('check refuses a list without a reason: exit 2, one line', async () => {
    folder.write('003_no_reason', sqlMigration('SELECT 1', 'SELECT 1', "exports.acceptFindings = [{ rule: 'index-build', table: 'accounts' }];"));
    const run = await runCli(['check'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: 003_no_reason: acceptFindings must list { rule, table, reason } with a reason\n' +
        '  Rules: table-rewrite, index-build, constraint-validation, not-null-scan, every-row-update, breaking-change. See docs/checking-migrations.md.\n',
    );
  });
});
