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
  // Its comment comes with it: the extension's line stands for both (found by review: one change, two lines).
  ['an extension', `CREATE EXTENSION citext WITH SCHEMA public`, [
    'extra extension citext: CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public',
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
  ['a view, with a comment and a grant', `CREATE VIEW admins AS SELECT id, email FROM portal_users WHERE role = 'platform_admin'; COMMENT ON VIEW admins IS 'who runs the platform';
    GRANT SELECT ON admins TO konstruct_app`, [
    "extra view admins: CREATE VIEW public.admins AS SELECT portal_users.id, portal_users.email FROM public.portal_users WHERE (portal_users.role = 'platform_admin'::text)",
  ]],
  ['a view whose name needs quoting, with a comment', `CREATE VIEW "Admin View" AS SELECT 1 AS one;
    COMMENT ON VIEW "Admin View" IS 'x'`, [
    'extra view "Admin View": CREATE VIEW public."Admin View" AS SELECT 1 AS one',
  ]],
  ['a materialized view', `CREATE MATERIALIZED VIEW tenant_count AS SELECT count(*) AS n FROM tenants`, [
    'extra materialized view tenant_count: CREATE MATERIALIZED VIEW public.tenant_count AS SELECT count(*) AS n FROM public.tenants WITH NO DATA',
  ]],
  // Found by review: a collation other than the type's went unseen (it changes how values compare and sort).
  ['a column collation', `ALTER TABLE tenants ALTER COLUMN name TYPE varchar(255) COLLATE "C"`, [
    'different column tenants.name: COLLATE pg_catalog."C", expected the collation of its type',
  ]],
  // Found by review: the settings below, and grants on columns or with the grant option, went unseen.
  ['a column\'s statistics target, storage, compression and options', `ALTER TABLE portal_users ALTER COLUMN email SET STATISTICS 500,
    ALTER COLUMN name SET STORAGE EXTERNAL, ALTER COLUMN hashed_password SET COMPRESSION pglz, ALTER COLUMN created_at SET (n_distinct = -0.5)`, [
    'different column portal_users.created_at: SET (n_distinct=-0.5), expected no attribute options',
    'different column portal_users.email: SET STATISTICS 500, expected the default statistics target',
    'different column portal_users.hashed_password: SET COMPRESSION pglz, expected the default compression',
    'different column portal_users.name: SET STORAGE EXTERNAL, expected the storage of its type',
  ]],
  ['a table\'s storage parameters, its TOAST table\'s too', `ALTER TABLE portal_invitations SET (fillfactor = 70, toast.autovacuum_enabled = false)`, [
    "different table portal_invitations: WITH (fillfactor='70', toast.autovacuum_enabled='false'), expected no storage parameters",
  ]],
  ['an unlogged table', `ALTER TABLE user_tenant_roles SET UNLOGGED`, [
    'different table user_tenant_roles: UNLOGGED, expected logged',
  ]],
  ['a replica identity', `ALTER TABLE tenants REPLICA IDENTITY FULL`, [
    'different table tenants: REPLICA IDENTITY FULL, expected REPLICA IDENTITY DEFAULT',
  ]],
  ['a replica identity using an index', `ALTER TABLE portal_invitations REPLICA IDENTITY USING INDEX portal_invitations_token_hash_key`, [
    'different table portal_invitations: REPLICA IDENTITY USING INDEX portal_invitations_token_hash_key, expected REPLICA IDENTITY DEFAULT',
  ]],
  ['a CLUSTER index', `ALTER TABLE user_tenant_roles CLUSTER ON ix_user_tenant_roles_tenant`, [
    'different table user_tenant_roles: CLUSTER ON ix_user_tenant_roles_tenant, expected no CLUSTER index',
  ]],
  ['grants on columns, one with the grant option', `GRANT SELECT (email, name), UPDATE (name) ON portal_users TO konstruct_app WITH GRANT OPTION;
    GRANT REFERENCES (id) ON tenants TO PUBLIC`, [
    'extra grant on portal_users.email to konstruct_app WITH GRANT OPTION: SELECT',
    'extra grant on portal_users.name to konstruct_app WITH GRANT OPTION: SELECT,UPDATE',
    'extra grant on tenants.id to PUBLIC: REFERENCES',
  ]],
  ['a table grant with the grant option', `GRANT TRUNCATE ON tenants TO konstruct_app WITH GRANT OPTION`, [
    'extra grant on tenants to konstruct_app WITH GRANT OPTION: TRUNCATE',
  ]],
  ['all of a column\'s privileges, on names that need quoting', `ALTER TABLE tenants ADD COLUMN "Display Name" text, ADD COLUMN "order" integer;
    GRANT ALL ("Display Name") ON tenants TO konstruct_app`, [
    'extra column tenants."Display Name": text',
    'extra column tenants."order": integer',
    'extra grant on tenants."Display Name" to konstruct_app: SELECT,INSERT,UPDATE,REFERENCES',
  ]],
  // Found by an operator's review: generated and identity columns read as a default, or nothing; partitions as tables.
  ['a stored generated column, an identity column', `ALTER TABLE tenants ADD COLUMN slug_upper text GENERATED ALWAYS AS (upper(slug)) STORED,
    ADD COLUMN seq_no bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5)`, [
    'extra column tenants.seq_no: bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY',
    'extra column tenants.slug_upper: text GENERATED ALWAYS AS (upper((slug)::text)) STORED',
  ]],
  ['a partitioned table, its partitions, their keys and indexes', `CREATE TABLE events (id int NOT NULL, happened date NOT NULL,
      tenant_id uuid REFERENCES tenants (id), CONSTRAINT ck_events_id CHECK (id > 0)) PARTITION BY RANGE (happened);
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE TABLE events_rest PARTITION OF events DEFAULT;
    CREATE INDEX ix_events_happened ON events (happened);
    ALTER TABLE events ADD CONSTRAINT events_pk PRIMARY KEY (id, happened)`, [
    'extra table events',
    'extra table events_2026',
    'extra table events_rest',
  ]],
  ['a table inheriting another, a column of its own merged with an inherited one', `CREATE TABLE z_base_log (a int NOT NULL DEFAULT 1, note text,
      CONSTRAINT ck_base_a CHECK (a > 0));
    CREATE TABLE a_child_log (b int, note text) INHERITS (z_base_log)`, [
    'extra table a_child_log',
    'extra table z_base_log',
  ]],
  ['a partition with timestamptz bounds', `CREATE TABLE ticks (at timestamptz NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE ticks_2025 PARTITION OF ticks FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2025-02-01 00:00:00+00')`, [
    'extra table ticks',
    'extra table ticks_2025',
  ]],
  ['a trigger disabled, one enabled always', `CREATE FUNCTION keep_row() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
    CREATE TRIGGER a_keep BEFORE INSERT ON tenants FOR EACH ROW EXECUTE FUNCTION keep_row();
    CREATE TRIGGER b_keep BEFORE INSERT ON tenants FOR EACH ROW EXECUTE FUNCTION keep_row();
    ALTER TABLE tenants DISABLE TRIGGER a_keep, ENABLE ALWAYS TRIGGER b_keep`, [
    'extra function keep_row()',
    'extra trigger a_keep on tenants: CREATE TRIGGER a_keep BEFORE INSERT ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.keep_row()',
    'extra trigger b_keep on tenants: CREATE TRIGGER b_keep BEFORE INSERT ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.keep_row()',
    'extra trigger state a_keep on tenants: ALTER TABLE public.tenants DISABLE TRIGGER a_keep',
    'extra trigger state b_keep on tenants: ALTER TABLE public.tenants ENABLE ALWAYS TRIGGER b_keep',
  ]],
  // Found by review: a rule swallowing every DELETE went unseen.
  ['a rule', `CREATE RULE keep_invitations AS ON DELETE TO portal_invitations WHERE old.status = 'accepted' DO INSTEAD NOTHING`, [
    "extra rule keep_invitations on portal_invitations: CREATE RULE keep_invitations AS ON DELETE TO public.portal_invitations WHERE ((old.status)::text = 'accepted'::text) DO INSTEAD NOTHING",
  ]],
  ['who may run a function: taken from PUBLIC, given to a role', `CREATE FUNCTION add2(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
    REVOKE EXECUTE ON FUNCTION add2(integer, integer) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION add2(integer, integer) TO konstruct_app WITH GRANT OPTION`, [
    'extra function add2(a integer, b integer DEFAULT 1)',
    'extra privilege on function add2(a integer, b integer) from PUBLIC: REVOKE ALL ON FUNCTION public.add2(a integer, b integer) FROM PUBLIC',
    'extra privilege on function add2(a integer, b integer) to konstruct_app: GRANT ALL ON FUNCTION public.add2(a integer, b integer) TO konstruct_app WITH GRANT OPTION',
  ]],
  ['extended statistics', `CREATE STATISTICS st_users (dependencies) ON email, name FROM portal_users`, [
    'extra statistics st_users on portal_users: CREATE STATISTICS public.st_users (dependencies) ON email, name FROM public.portal_users',
  ]],
  ['a materialized view\'s index (its line stands for it)', `CREATE MATERIALIZED VIEW tenant_slugs AS SELECT slug FROM tenants;
    CREATE UNIQUE INDEX ix_tenant_slugs ON tenant_slugs (slug)`, [
    'extra materialized view tenant_slugs: CREATE MATERIALIZED VIEW public.tenant_slugs AS SELECT tenants.slug FROM public.tenants WITH NO DATA',
  ]],
  // A function is spelt as pg_get_functiondef() gives it, not as pg_dump (render-catalog.ts): copy-roles.test.ts has one.
  ['a view on a view that sorts after it', `CREATE VIEW b_tenants AS SELECT id, slug FROM tenants;
    CREATE VIEW a_tenant_ids AS SELECT id FROM b_tenants`, [
    'extra view a_tenant_ids: CREATE VIEW public.a_tenant_ids AS SELECT b_tenants.id FROM public.b_tenants',
    'extra view b_tenants: CREATE VIEW public.b_tenants AS SELECT tenants.id, tenants.slug FROM public.tenants',
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
    // Every message stands for one object, but a table's, a column's or a grant's (those are not CatalogObjects). Without
    // a line of their own: the partitions' four attached indexes (two keys, two indexes), which their extra tables stand
    // for, and three comments, which their extra extension and views stand for.
    const notObjects = /^(different (column|table)|extra (column|grant|table|function|trigger(?! state))) /;
    expect(read.objects.length).toBe(BY_HAND.flatMap(([, , messages]) => messages).filter((m) => !notObjects.test(m)).length + 4 + 3);
    expect(read.objects.filter((o) => o.kind === 'index attachment').map((o) => `${o.table}: ${o.name}`)).toEqual([
      'events_2026: events_2026_happened_idx', 'events_2026: events_2026_pkey', 'events_rest: events_rest_happened_idx', 'events_rest: events_rest_pkey',
    ]);
    expect(parseCatalog(renderCatalog(read))).toEqual(read);
  });

  it('reads the same whatever the session\'s time zone, and leaves the session\'s as it was (found by review)', async () => {
    const inUtc = await readCatalog(db.knex);
    expect(inUtc.tables.find((x) => x.name === 'ticks_2025')!.partitionOf!.bound).toBe("FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2025-02-01 00:00:00+00')");
    await db.knex.transaction(async (trx) => {
      await trx.raw(`SET LOCAL TimeZone = 'America/New_York'`);
      expect(await readCatalog(trx)).toEqual(inUtc);
      expect((await trx.raw(`SELECT current_setting('TimeZone') AS zone`)).rows[0].zone).toBe('America/New_York');
    });
  });

  it('spells every statement as pg_dump does (always checked under CI)', async (t) => {
    const dumped = pgDumpStatements(db.url);
    if (dumped === undefined) return skipOrFailUnderCi(t, 'no pg_dump 15 (Debian package postgresql-client-15)');
    // Functions are spelt as pg_get_functiondef() gives them, and their owners left out (render-catalog.ts).
    const notFunctions = (list: string[]) => list.filter((x) => !/^(CREATE (OR REPLACE )?FUNCTION|ALTER FUNCTION .* OWNER TO)/.test(x));
    const ours = notFunctions(statements(renderCatalog(await readCatalog(db.knex))));
    // The same statements; only the order of sequences and views among the tables differs (render-catalog.ts).
    expect(ours.sort()).toEqual(notFunctions(dumped).sort());
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
