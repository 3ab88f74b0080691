/**
 * `check`'s copy on a cluster of its own (as `check` builds it when no server is given) holds what the target holds,
 * owners and table settings included. Found by review: a view or type owned by another role, or a policy for a role,
 * made the copy fail ("role ... does not exist": only table owners and grantees were created there), and a column
 * named by a keyword (`order`) was printed bare, which does not parse.
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
    GRANT SELECT ("user") ON orders TO ${columnReader} WITH GRANT OPTION`);
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
