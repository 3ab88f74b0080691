/**
 * `check`'s copy on a cluster of its own (as `check` builds it when no server is given) holds what the target holds,
 * owners and table settings included. Found by review: a view or type owned by another role, or a policy for a role,
 * made the copy fail ("role ... does not exist": only table owners and grantees were created there), and a column
 * named by a keyword (`order`) was printed bare, which does not parse. So did a stored generated column (copied as a
 * default), a function returning a table's row type (and a view calling one), a view on a view that sorts after it;
 * a table inheriting one that sorts after it; and identity columns and
 * partitioning were lost on the copy, so a migration relying on them failed there.
 */
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readCatalog } from '../../src/catalog/read-catalog';
import { buildCopy } from '../../src/checks/build-copy';
import { embeddedScratch, type ScratchDatabase } from '../../src/checks/scratch-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let scratch: ScratchDatabase | undefined;
let copy: Knex | undefined;
// Roles belong to the cluster the other test files share: named for this run alone, dropped at the end.
const suffix = randomBytes(3).toString('hex');
const [viewOwner, policyRole, columnReader] = ['view_owner', 'policy_role', 'column_reader'].map((r) => `kt_${r}_${suffix}`);

beforeAll(async () => {
  db = await createTestDatabase('copy_roles');
  await db.knex.raw(`CREATE ROLE ${viewOwner} NOLOGIN; CREATE ROLE ${policyRole} NOLOGIN; CREATE ROLE ${columnReader} NOLOGIN;
    CREATE TABLE orders (id int PRIMARY KEY, "order" int, "user" text, note text) WITH (fillfactor = 80);
    ALTER TABLE orders ALTER COLUMN note SET STATISTICS 300, REPLICA IDENTITY FULL, CLUSTER ON orders_pkey;
    CREATE VIEW recent_orders AS SELECT "order" FROM orders;
    ALTER VIEW recent_orders OWNER TO ${viewOwner};
    CREATE TYPE mood AS ENUM ('calm');
    ALTER TYPE mood OWNER TO ${viewOwner};
    ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_orders ON orders TO ${policyRole} USING (true);
    GRANT SELECT ("user") ON orders TO ${columnReader} WITH GRANT OPTION;
    CREATE TABLE counters (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int NOT NULL DEFAULT 0, twice int GENERATED ALWAYS AS (n * 2) STORED);
    CREATE TABLE events (id int NOT NULL, happened date NOT NULL, counter_id int REFERENCES counters (id)) PARTITION BY RANGE (happened);
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE INDEX ix_events_happened ON events (happened);
    ALTER TABLE events ADD CONSTRAINT events_pk PRIMARY KEY (id, happened);
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
    CREATE TRIGGER events_touch BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION touch();
    CREATE VIEW b_counts AS SELECT id, twice FROM counters;
    CREATE VIEW a_counts AS SELECT id FROM b_counts;
    CREATE FUNCTION all_orders() RETURNS SETOF orders LANGUAGE sql AS 'SELECT * FROM orders';
    CREATE FUNCTION order_label(o orders) RETURNS text LANGUAGE sql AS 'SELECT o."user"';
    CREATE VIEW order_labels AS SELECT order_label(orders) AS label FROM orders;
    CREATE TABLE z_base_log (a int NOT NULL, note text, CONSTRAINT ck_base_a CHECK (a > 0));
    CREATE TABLE a_child_log (b int, note text) INHERITS (z_base_log)`);
});
afterAll(async () => {
  await copy?.destroy();
  await scratch?.drop();
  await db?.drop();
  await db?.knex.raw(`DROP ROLE IF EXISTS ${viewOwner}, ${policyRole}, ${columnReader}`).catch(() => undefined);
});

it('builds on its own cluster a copy whose catalog equals the target\'s', async () => {
  scratch = await embeddedScratch();
  copy = knexFactory({ client: 'pg', connection: scratch.url, pool: { min: 0, max: 1 } });
  await buildCopy(copy, 'public', { kind: 'catalog', target: db.knex, partWay: [] });
  const target = await readCatalog(db.knex);
  expect(target.objects.filter((o) => o.owner === viewOwner).map((o) => o.name)).toEqual(['mood', 'recent_orders']);
  expect(await readCatalog(copy)).toEqual(target);
});
