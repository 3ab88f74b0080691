/**
 * `konstruct-migrate check` as a spawned process: 005 and 006 give no finding
 * (from scratch, and 006 on top of 005 with every table counted as large);
 * a dangerous migration gives exit 10 in text, --json and --format github;
 * --record-sizes writes the repository file that --recorded then judges by.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { SOURCE_MIGRATIONS_DIR } from '../support/context';
import { adminUrl, createTestDatabase, type TestDatabase } from '../support/test-database';
import { sqlMigration, tempMigrations, type TempMigrations } from '../support/temp-migrations';

let real: TestDatabase;
let small: TestDatabase;
let folder: TempMigrations;
let sizesDir: string;

beforeAll(async () => {
  [real, small] = await Promise.all([createTestDatabase('check_real'), createTestDatabase('check_small')]);
  folder = tempMigrations({ '001_accounts': sqlMigration('CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL)', 'DROP TABLE accounts') });
  sizesDir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-sizes-'));
});
afterAll(async () => {
  folder?.remove();
  rmSync(sizesDir, { recursive: true, force: true });
  await Promise.all([real?.drop(), small?.drop()]);
});

const realEnv = () => ({ DATABASE_URL: real.url, KONSTRUCT_MIGRATIONS_DIR: SOURCE_MIGRATIONS_DIR, KONSTRUCT_CHECK_SERVER_URL: adminUrl() });
const smallEnv = () => ({ DATABASE_URL: small.url, KONSTRUCT_MIGRATIONS_DIR: folder.dir, KONSTRUCT_CHECK_SERVER_URL: adminUrl() });

describe('check on the real migrations', () => {
  it('finds nothing in 005 and 006 on an empty database', async () => {
    const run = await runCli(['check', '--threshold', '0'], { env: realEnv() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Checked 005_baseline, 006_rbac_roles on a throwaway copy \(target catalog; sizes from the target's statistics\) in \d+ ms\.\n\nNo unsafe finding\.\n$/);
  });

  it('finds nothing in 006 on top of 005, even with every table counted as large', async () => {
    expect((await runCli(['up', '--to', '005'], { env: realEnv() })).code).toBe(0);
    const run = await runCli(['check', '--threshold', '0', '--json'], { env: realEnv() });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.result.pending).toEqual(['006_rbac_roles']);
    expect(doc.result.findings).toEqual([]);
  });
});

describe('check on a dangerous migration', () => {
  beforeAll(async () => {
    expect((await runCli(['up'], { env: smallEnv() })).code).toBe(0);
    folder.write('002_index_email', sqlMigration('CREATE INDEX ix_accounts_email ON accounts (email)', 'DROP INDEX ix_accounts_email'));
  });

  it('exits 10 and says what, where, the lock, why and the safe way', async () => {
    const run = await runCli(['check', '--threshold', '0'], { env: smallEnv() });
    expect(run.code).toBe(10);
    expect(run.stdout.split('\n').slice(1)).toEqual([
      '',
      'unsafe: index-build on accounts (0 rows) in 002_index_email',
      '  building ix_accounts_email read all of accounts while holding ShareLock',
      '  ShareLock blocks writes (index build, about 0 s)',
      '  statement: CREATE INDEX ix_accounts_email ON accounts (email)',
      '  safe way: CREATE INDEX CONCURRENTLY in a migration with `export const config = { transaction: false }` (for a unique constraint: a unique index built concurrently, then ADD CONSTRAINT ... USING INDEX)',
      '',
      '1 unsafe finding(s) on tables of 0 rows or more: write them the safe way, or accept them in the migration (acceptFindings; see docs/checking-migrations.md).',
      '',
    ]);
    expect(await small.knex.raw(`SELECT to_regclass('ix_accounts_email') AS i`).then((r) => r.rows[0].i)).toBeNull();
  });

  it('puts the findings under result in the --json envelope, with exit code 10', async () => {
    const run = await runCli(['check', '--threshold', '0', '--json'], { env: smallEnv() });
    const doc = JSON.parse(run.stdout);
    expect([run.code, doc.ok, doc.exitCode, doc.result.findings.length]).toEqual([10, true, 10, 1]);
    expect(doc.result.findings[0]).toMatchObject({
      rule: 'index-build', migration: '002_index_email', table: 'accounts', lock: 'ShareLock', blocks: 'writes', why: 'index build', rows: 0, refuses: true, acceptedBecause: null,
    });
  });

  it('prints a GitHub annotation on the migration file with --format github', async () => {
    const run = await runCli(['check', '--threshold', '0', '--format', 'github'], { env: smallEnv(), cwd: folder.dir });
    expect(run.code).toBe(10);
    expect(run.stdout).toMatch(/^::error file=002_index_email\.js,title=index-build on accounts::building ix_accounts_email read all of accounts while holding ShareLock; ShareLock blocks writes \(0 rows, about 0 s\)\. Safe way: CREATE INDEX CONCURRENTLY/);
  });

  it('warns only, exit 0, below the threshold', async () => {
    const run = await runCli(['check'], { env: smallEnv() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\nwarning: index-build on accounts (0 rows) in 002_index_email\n');
  });

  it('records the sizes and applied migrations, and judges by them with --recorded', async () => {
    const file = path.join(sizesDir, 'table-sizes.json');
    const record = await runCli(['check', '--record-sizes', file], { env: smallEnv() });
    expect(record.code).toBe(0);
    const recorded = JSON.parse(readFileSync(file, 'utf8'));
    expect([recorded.applied, Object.keys(recorded.tables)]).toEqual([['001_accounts'], ['accounts']]);
    const run = await runCli(['check', '--recorded', file, '--threshold', '0'], { env: smallEnv() });
    expect(run.code).toBe(10);
    expect(run.stdout).toContain('(migrations; sizes from ');
  });
});

describe('check on a migration that fails', () => {
  let failing: TestDatabase;
  let failingFolder: TempMigrations;
  beforeAll(async () => {
    failing = await createTestDatabase('check_failing');
    failingFolder = tempMigrations({
      '001_accounts': sqlMigration('CREATE TABLE accounts (id int PRIMARY KEY)', 'DROP TABLE accounts'),
      '002_insert': `exports.up = async (knex) => { await knex('accounts').insert({ id: 1, no_such_column: 'x' }); };\nexports.down = async () => {};\n`,
    });
  });
  afterAll(async () => {
    failingFolder?.remove();
    await failing?.drop();
  });

  it("says what PostgreSQL said, as up does, without the statement in front (it is in --verbose)", async () => {
    const env = { DATABASE_URL: failing.url, KONSTRUCT_MIGRATIONS_DIR: failingFolder.dir, KONSTRUCT_CHECK_SERVER_URL: adminUrl() };
    const said = 'column "no_such_column" of relation "accounts" does not exist [SQLSTATE 42703]';
    const check = await runCli(['check'], { env });
    const up = await runCli(['up'], { env });
    // check ran it on its copy, up on the target: each says where (found by review).
    expect([check.code, check.stderr.split('\n')[0]]).toEqual([6, `error: migration 002_insert (up) failed on check's throwaway copy of the schema, so nothing ran on the target: ${said}`]);
    expect([up.code, up.stderr.split('\n')[0]]).toEqual([6, `error: migration 002_insert (up) failed and was rolled back: ${said}`]);
    const verbose = await runCli(['check', '--verbose'], { env });
    expect(verbose.stderr).toContain('insert into "accounts" ("id", "no_such_column") values ($1, $2)');
  });
});
