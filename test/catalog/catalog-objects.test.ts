/**
 * The objects besides tables that `pg_dump -s` prints for the schema, each made
 * by hand on a migrated database: `verify` reports each as drift, the catalog
 * reads them as pg_dump spells them, and reads back from its own text the same.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog, splitStatements } from '../../src/catalog/parse-catalog';
import { readCatalog } from '../../src/catalog/read-catalog';
import { renderCatalog } from '../../src/catalog/render-catalog';
import { up } from '../../src/commands/up';
import { verify } from '../../src/commands/verify';
import type { MigrationContext } from '../../src/context';
import { testContext } from '../support/context';
import { skipOrFailUnderCi } from '../support/required-tool';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let ctx: MigrationContext;

/** One object of each kind, with what `verify` says about it. */
const BY_HAND: Array<[string, string, string[]]> = [
  ['an extension', `CREATE EXTENSION citext WITH SCHEMA public`, [
    'extra extension citext: CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public',
    "extra comment on extension citext: COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings'",
  ]],
  ['an enum type', `CREATE TYPE mood AS ENUM ('calm', 'it''s fine')`, [
    "extra type mood: CREATE TYPE public.mood AS ENUM ( 'calm', 'it''s fine' )",
  ]],
  ['a composite type', `CREATE TYPE pair AS (a integer, "B" text)`, [
    'extra type pair: CREATE TYPE public.pair AS ( a integer, "B" text )',
  ]],
  ['a range type', `CREATE TYPE score_range AS RANGE (subtype = integer)`, [
    'extra type score_range: CREATE TYPE public.score_range AS RANGE ( subtype = integer, multirange_type_name = public.score_multirange )',
  ]],
  ['a domain', `CREATE DOMAIN positive AS integer NOT NULL DEFAULT 1 CONSTRAINT positive_check CHECK (VALUE > 0)`, [
    'extra domain positive: CREATE DOMAIN public.positive AS integer NOT NULL DEFAULT 1 CONSTRAINT positive_check CHECK ((VALUE > 0))',
  ]],
  ['a sequence owned by a column', `CREATE SEQUENCE tenant_numbers AS integer START 5 INCREMENT 2 MAXVALUE 1000 CACHE 3 CYCLE OWNED BY tenants.id`, [
    'extra sequence tenant_numbers: CREATE SEQUENCE public.tenant_numbers AS integer START WITH 5 INCREMENT BY 2 NO MINVALUE MAXVALUE 1000 CACHE 3 CYCLE',
    'extra sequence owned by tenant_numbers on tenants: ALTER SEQUENCE public.tenant_numbers OWNED BY public.tenants.id',
  ]],
  ['a view, with a comment', `CREATE VIEW admins AS SELECT id, email FROM portal_users WHERE role = 'platform_admin'; COMMENT ON VIEW admins IS 'who runs the platform'`, [
    "extra view admins: CREATE VIEW public.admins AS SELECT portal_users.id, portal_users.email FROM public.portal_users WHERE (portal_users.role = 'platform_admin'::text)",
    "extra comment on view admins: COMMENT ON VIEW public.admins IS 'who runs the platform'",
  ]],
  ['a materialized view', `CREATE MATERIALIZED VIEW tenant_count AS SELECT count(*) AS n FROM tenants`, [
    'extra materialized view tenant_count: CREATE MATERIALIZED VIEW public.tenant_count AS SELECT count(*) AS n FROM public.tenants WITH NO DATA',
  ]],
  // Found by review: a collation other than the type's went unseen (it changes how values compare and sort).
  ['a column collation', `ALTER TABLE tenants ALTER COLUMN name TYPE varchar(255) COLLATE "C"`, [
    'different column tenants.name: COLLATE pg_catalog."C", expected the collation of its type',
  ]],
  ['a table comment', `COMMENT ON TABLE tenants IS 'one per customer'`, [
    "extra comment on table tenants: COMMENT ON TABLE public.tenants IS 'one per customer'",
  ]],
  ['row level security, enabled and forced', `ALTER TABLE portal_users ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY`, [
    'extra row level security enabled on portal_users: ALTER TABLE public.portal_users ENABLE ROW LEVEL SECURITY',
    'extra row level security forced on portal_users: ALTER TABLE ONLY public.portal_users FORCE ROW LEVEL SECURITY',
  ]],
  ['a policy', `CREATE POLICY own_tenant ON user_tenant_roles AS RESTRICTIVE FOR UPDATE TO konstruct_app USING (tenant_id IS NOT NULL) WITH CHECK (role <> '')`, [
    "extra policy own_tenant on user_tenant_roles: CREATE POLICY own_tenant ON public.user_tenant_roles AS RESTRICTIVE FOR UPDATE TO konstruct_app USING ((tenant_id IS NOT NULL)) WITH CHECK ((role <> ''::text))",
  ]],
];

beforeAll(async () => {
  db = await createTestDatabase('catalog_objects');
  ctx = await testContext(db.url);
  await up(ctx);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('made by hand on a migrated database', () => {
  it.each(BY_HAND)('%s: verify reports it, and no drift once it is gone', async (_what, sql, messages) => {
    const trx = await db.knex.transaction();
    try {
      await trx.raw(sql);
      const result = await verify({ ...ctx, knex: trx });
      expect(result.differences.map((d) => d.message)).toEqual(messages);
    } finally {
      await trx.rollback();
    }
    expect((await verify(ctx)).differences).toEqual([]);
  });
});

describe('all of them at once', () => {
  beforeAll(async () => {
    for (const [, sql] of BY_HAND) await db.knex.raw(sql);
  });

  it('reads back from its own text exactly what it read from the server, owners included', async () => {
    const read = await readCatalog(db.knex);
    // Every message stands for one object, but a column's (the collation is the column's type).
    expect(read.objects.length).toBe(BY_HAND.flatMap(([, , messages]) => messages).filter((m) => !m.startsWith('different column')).length);
    expect(parseCatalog(renderCatalog(read))).toEqual(read);
  });

  it('spells every statement as pg_dump does (always checked under CI)', async (t) => {
    const dumped = pgDumpStatements(db.url);
    if (dumped === undefined) return skipOrFailUnderCi(t, 'no pg_dump 15 (Debian package postgresql-client-15)');
    const ours = statements(renderCatalog(await readCatalog(db.knex)));
    // The same statements; only the order of sequences and views among the tables differs (render-catalog.ts).
    expect(ours.sort()).toEqual(dumped.sort());
  });
});

const statements = (text: string) => splitStatements(text).map((s) => s.sql);

/** pg_dump 15's statements for the database, knex's tables left out; undefined without pg_dump 15. */
function pgDumpStatements(url: string): string[] | undefined {
  try {
    const text = execFileSync('/usr/lib/postgresql/15/bin/pg_dump', ['--schema-only', '--exclude-table=knex_*', url], { encoding: 'utf8' });
    const kept = text.split('\n').filter((l) => !l.startsWith('SET ') && !l.startsWith('SELECT pg_catalog.') && !/^\\(un)?restrict /.test(l));
    return statements(kept.join('\n'));
  } catch {
    return undefined;
  }
}
