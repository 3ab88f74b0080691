/**
 * `new`: the next migration from a typed template, which `up` and `down` run as
 * written and once filled in; names that collide or sort too early are refused.
 * Also: a non-transactional migration with CREATE INDEX CONCURRENTLY.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { down } from '../../src/commands/down';
import { newMigration, toSnakeCase } from '../../src/commands/new-migration';
import { up } from '../../src/commands/up';
import type { MigrationContext } from '../../src/context';
import { KonstructError } from '../../src/errors';
import { ExitCode } from '../../src/exit-codes';
import { SOURCE_MIGRATIONS_DIR, testContext } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let dir: string;
let ctx: MigrationContext;
const copies: string[] = [];

/** A fresh copy of the source migrations for each test: `new` writes into it. */
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'konstruct-new-'));
  copies.push(dir);
  cpSync(SOURCE_MIGRATIONS_DIR, dir, { recursive: true });
});
beforeAll(async () => {
  db = await createTestDatabase('new_migration');
});
afterAll(async () => {
  await db?.drop();
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

/** For tests that run migrations: a context over this test's copy, reverted and closed after it. */
function withContextOverCopy() {
  beforeEach(async () => {
    ctx = await testContext(db.url, dir);
  });
  afterEach(async () => {
    await down(ctx, { all: true }).catch(() => {});
    await ctx.close();
  });
}

const historyNames = async () => (await db.knex('knex_migrations').orderBy('id').pluck('name')) as string[];
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as KonstructError;
  }
  throw new Error('expected a refusal');
};

describe('new', () => {
  it('turns a description into snake_case', () => {
    expect(toSnakeCase('Add widgets-table')).toBe('add_widgets_table');
    expect(toSnakeCase('AddPortalUsersNickname')).toBe('add_portal_users_nickname');
    expect(toSnakeCase('  index invitations by e-mail! ')).toBe('index_invitations_by_e_mail');
  });

  it('writes <next number, 3 digits>_<snake_name>.ts from the typed template', () => {
    const created = newMigration({ name: 'Add widgets', dir });
    expect(created.name).toBe('007_add_widgets');
    expect(created.file).toBe(path.join(dir, '007_add_widgets.ts'));
    const text = readFileSync(created.file, 'utf8');
    expect(text).toMatch(/import type \{ Knex \} from 'knex';/);
    expect(text).toMatch(/export async function up\(knex: Knex\): Promise<void>/);
    expect(text).toMatch(/export async function down\(knex: Knex\): Promise<void>/);
    expect(text).toMatch(/lock_timeout/);
    expect(text).toMatch(/\/\/ export const config = \{ transaction: false \};/);
    expect(newMigration({ name: 'add gadgets', dir }).name).toBe('008_add_gadgets');
    // A number may be chosen (e.g. to leave a gap); the next one follows it.
    expect(newMigration({ name: '010_leave_a_gap', dir }).name).toBe('010_leave_a_gap');
    expect(newMigration({ name: 'after the gap', dir }).name).toBe('011_after_the_gap');
  });

  it('refuses a repeated name, a taken number, an out-of-order number and a nameless name, writing nothing', () => {
    const before = readdirSync(dir);
    const cases: Array<[string, RegExp]> = [
      ['rbac_roles', /a migration named rbac_roles exists already: 006_rbac_roles/],
      ['006_other', /number 006 is taken by 006_rbac_roles/],
      ['004_early', /004_early would sort before 006_rbac_roles/],
      ['2024_q1_cleanup', /2024 has 4 digits, but the migrations are numbered with 3/],
      ['--- ---', /has no letters or digits/],
    ];
    for (const [name, message] of cases) {
      const error = refusal(() => newMigration({ name, dir }));
      expect(error).toBeInstanceOf(KonstructError);
      expect(error.exitCode).toBe(ExitCode.Usage);
      expect(error.message).toMatch(message);
    }
    expect(readdirSync(dir)).toEqual(before);
  });

  it('refuses a number that would sort before 999 once the numbers outgrow three digits', () => {
    writeFileSync(path.join(dir, '999_last_of_three.ts'), '');
    expect(refusal(() => newMigration({ name: 'overflow', dir })).message).toMatch(/1000_overflow would sort before 999_last_of_three/);
  });

  it('refuses a missing folder, and a folder of compiled migrations', () => {
    expect(refusal(() => newMigration({ name: 'x', dir: path.join(dir, 'nope') })).message).toMatch(/there is no migrations folder/);
    // The hint fits who named the folder (found by review: a --dir that did not exist was told to pass --dir).
    const hints = (['option', 'environment', 'project'] as const).map((dirFrom) => (refusal(() => newMigration({ name: 'x', dir: path.join(dir, 'nope'), dirFrom })) as { hint?: string }).hint);
    expect(hints).toEqual([
      'Check the folder given with --dir, or create it first.',
      'Check KONSTRUCT_MIGRATIONS_DIR, or create the folder first.',
      'Run this in the project root (where migrations/ is), or pass --dir <folder>.',
    ]);
    const compiled = mkdtempSync(path.join(os.tmpdir(), 'konstruct-compiled-'));
    writeFileSync(path.join(compiled, '005_baseline.js'), '');
    writeFileSync(path.join(compiled, '005_baseline.d.ts'), '');
    expect(refusal(() => newMigration({ name: 'x', dir: compiled })).message).toMatch(/holds compiled migrations/);
    rmSync(compiled, { recursive: true });
  });
});

describe('a migration made by new', () => {
  withContextOverCopy();

  it('runs up and down as generated', async () => {
    newMigration({ name: 'add widgets', dir });
    expect((await up(ctx)).applied.map((s) => s.name)).toEqual(['005_baseline', '006_rbac_roles', '007_add_widgets']);
    expect(await historyNames()).toEqual(['005_baseline', '006_rbac_roles', '007_add_widgets']);
    expect((await down(ctx)).reverted.map((s) => s.name)).toEqual(['007_add_widgets']);
  });

  it('runs up and down once filled in', async () => {
    // Another name than above: a module once imported stays cached in this process.
    const created = newMigration({ name: 'create widgets', dir });
    const filled = readFileSync(created.file, 'utf8')
      .replace(/(export async function up\(knex: Knex\): Promise<void> \{\n)/, "$1  await knex.schema.createTable('widgets', (t) => { t.increments('id'); });\n")
      .replace(/(export async function down\(knex: Knex\): Promise<void> \{\n)/, "$1  await knex.schema.dropTable('widgets');\n");
    expect(filled).toContain('createTable');
    writeFileSync(created.file, filled);
    await up(ctx);
    expect(await db.knex.schema.hasTable('widgets')).toBe(true);
    expect((await down(ctx)).reverted.map((s) => s.name)).toEqual(['007_create_widgets']);
    expect(await db.knex.schema.hasTable('widgets')).toBe(false);
  });
});

describe('CREATE INDEX CONCURRENTLY', () => {
  const INDEX_BODY = `
export async function up(knex: Knex): Promise<void> {
  // A failed concurrent build leaves an INVALID index behind: clear it before building again.
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS ix_portal_users_created_at');
  await knex.raw('CREATE INDEX CONCURRENTLY ix_portal_users_created_at ON portal_users (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS ix_portal_users_created_at');
}
`;
  const writeIndexMigration = (transactional: boolean) => {
    const created = newMigration({ name: 'index portal users created at', dir });
    const head = readFileSync(created.file, 'utf8').split('// export const config')[0]!;
    const config = transactional ? '' : 'export const config = { transaction: false };\n';
    writeFileSync(created.file, `${head}${config}${INDEX_BODY}`);
  };
  const indexIsValid = async () =>
    (
      await db.knex.raw(`SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_portal_users_created_at'`)
    ).rows.map((r: { indisvalid: boolean }) => r.indisvalid);

  withContextOverCopy();

  it('runs up and down in a migration marked { transaction: false }', async () => {
    writeIndexMigration(false);
    await up(ctx);
    expect(await indexIsValid()).toEqual([true]);
    expect(await historyNames()).toContain('007_index_portal_users_created_at');
    expect((await down(ctx)).reverted.map((s) => s.name)).toEqual(['007_index_portal_users_created_at']);
    expect(await indexIsValid()).toEqual([]);
  });

  it('is refused by PostgreSQL inside a transaction, and nothing of it is recorded', async () => {
    writeIndexMigration(true);
    const error = await up(ctx).catch((e) => e);
    expect(error).toBeInstanceOf(KonstructError);
    expect(error.exitCode).toBe(ExitCode.MigrationFailed);
    expect(error.message).toMatch(/CONCURRENTLY cannot run inside a transaction block/);
    expect(await historyNames()).toEqual(['005_baseline', '006_rbac_roles']);
    expect(await indexIsValid()).toEqual([]);
  });
});
