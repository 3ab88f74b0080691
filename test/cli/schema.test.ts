/**
 * --schema / KONSTRUCT_SCHEMA: the whole migration history, tables and
 * bookkeeping, lives in that schema; `public` is untouched and keeps its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpCatalog } from '../../src/catalog/dump-catalog';
import { runCli } from '../support/cli';
import { expectedCatalog } from '../support/spec-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('schema');
  await db.knex.raw('CREATE SCHEMA tenant_a');
  env = { DATABASE_URL: db.url };
});
afterAll(async () => {
  await db?.drop();
});

const tablesIn = async (schema: string) =>
  (await db.knex('pg_tables').where({ schemaname: schema }).orderBy('tablename').pluck('tablename')) as string[];

describe('--schema', () => {
  it('applies the migrations and records their history in that schema only, exactly as in public', async () => {
    const up = await runCli(['up', '--schema', 'tenant_a'], { env });
    expect(up.code).toBe(0);
    expect(await tablesIn('tenant_a')).toEqual([
      'knex_migrations',
      'knex_migrations_lock',
      'portal_invitations',
      'portal_users',
      'tenants',
      'user_tenant_roles',
    ]);
    expect(await tablesIn('public')).toEqual([]);
    const expected = (await expectedCatalog(db.knex, 'target-catalog-after-006.sql')).replace(/\bpublic\./g, 'tenant_a.');
    expect(await dumpCatalog(db.knex, { schema: 'tenant_a' })).toBe(expected);
  });

  it('status reads the history of the schema it is given (flag, then KONSTRUCT_SCHEMA)', async () => {
    expect((await runCli(['status', '--schema', 'tenant_a'], { env })).stdout).toMatch(/2 applied, 0 pending/);
    expect((await runCli(['status'], { env: { ...env, KONSTRUCT_SCHEMA: 'tenant_a' } })).stdout).toMatch(/2 applied, 0 pending/);
    expect((await runCli(['status'], { env })).stdout).toMatch(/0 applied, 2 pending/);
  });

  it('down reverts in that schema only', async () => {
    const down = await runCli(['down', '--all'], { env: { ...env, KONSTRUCT_SCHEMA: 'tenant_a' } });
    expect(down.code).toBe(0);
    expect(await tablesIn('tenant_a')).toEqual(['knex_migrations', 'knex_migrations_lock']);
  });

  it('refuses a schema that does not exist, and a name that is not a plain identifier (exit 2, nothing created)', async () => {
    const missing = await runCli(['up', '--schema', 'tenant_b'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'error: schema "tenant_b" does not exist in this database.\n' +
        '  Create it first: CREATE SCHEMA "tenant_b"; GRANT USAGE ON SCHEMA "tenant_b" TO konstruct_app;\n',
    );
    const bad = await runCli(['up'], { env: { ...env, KONSTRUCT_SCHEMA: 'a;drop' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: KONSTRUCT_SCHEMA "a;drop" is not a plain identifier/);
    expect(await tablesIn('public')).toEqual([]);
  });

  it('verify and baseline, which compare with snapshots of public, refuse another schema (exit 2)', async () => {
    for (const args of [['verify'], ['baseline', '--to', '006']]) {
      const run = await runCli([...args, '--schema', 'tenant_a'], { env });
      expect(run.code, args[0]).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error: ${args[0]} checks the public schema only, not "tenant_a"\\.`));
    }
  });
});
