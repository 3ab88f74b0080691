/**
 * The data every measured run starts from, built once per row count: a database
 * at the baseline (005) holding N users, every ADMIN_EVERY-th an admin (the
 * admins are then counted, and the report quotes the count), and a copy of it
 * brought to 006 by konstruct-migrate for measuring `down`. Measured runs get
 * copies of these (CREATE DATABASE ... TEMPLATE), so every contender sees
 * identical data.
 */
import type pg from 'pg';
import { withClient, type DatabaseFactory } from './databases';
import { BUILT_CLI } from './project-files';
import { runNode } from './timed-process';

/** Every 100th user is an admin (the report states the share it counted, not this rule). */
export const ADMIN_EVERY = 100;
/** The email of template user n (1-based), as insertUsers writes it. */
export const templateEmail = (n: number) => `user${n}@example.com`;
const INSERT_CHUNK = 1_000_000;
const INSERT_WORKERS = 2;

export interface Templates {
  rows: number;
  /** Admins counted in the built data (is_admin = true). */
  admins: number;
  /** At 005 with the users; what `up` starts from. */
  at005: string;
  /** At 006, compacted; what `down` starts from. */
  at006: string;
}

export async function buildTemplates(factory: DatabaseFactory, rows: number, log: (line: string) => void): Promise<Templates> {
  const at005 = await factory.create(`t005_${rows}`);
  await runNode([BUILT_CLI, 'up', '--to', '005'], factory.url(at005));
  await insertAllUsers(factory.url(at005), rows, log);
  const admins = await withClient(factory.url(at005), async (client) => {
    // Frozen and analysed: every copy starts with hint bits set and statistics known,
    // so no run pays for the first reader's clean-up. The table is named: a database-wide VACUUM also
    // takes the shared catalogs (see the next one).
    await client.query('VACUUM (FREEZE, ANALYZE) portal_users');
    const { rows: [counted] } = await client.query(`SELECT count(*) FILTER (WHERE is_admin) AS admins FROM portal_users`);
    return Number(counted.admins);
  });

  // 006 as konstruct-migrate makes it, then rewritten compactly: the state of a table
  // loaded at 006, without the 1% dead rows the admins' update left behind.
  const at006 = await factory.create(`t006_${rows}`, at005);
  await runNode([BUILT_CLI, 'up'], factory.url(at006));
  // Only the table: a database-wide VACUUM FULL also rewrites the shared catalog pg_database under an ACCESS
  // EXCLUSIVE lock, and every new login to any database of the server (the test suite's other files) queues behind it.
  await withClient(factory.url(at006), (client) => client.query('VACUUM (FULL, FREEZE, ANALYZE) portal_users'));
  return { rows, admins, at005, at006 };
}

/** Chunks of users inserted over INSERT_WORKERS connections at once: generating 10M rows is CPU-bound. */
async function insertAllUsers(url: string, rows: number, log: (line: string) => void): Promise<void> {
  const chunks: Array<[number, number]> = [];
  for (let from = 1; from <= rows; from += INSERT_CHUNK) chunks.push([from, Math.min(rows, from + INSERT_CHUNK - 1)]);
  let inserted = 0;
  const worker = () =>
    withClient(url, async (client) => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
        await insertUsers(client, ...chunk);
        inserted += chunk[1] - chunk[0] + 1;
        if (rows > INSERT_CHUNK) log(`  ${inserted.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows`);
      }
    });
  await Promise.all(Array.from({ length: INSERT_WORKERS }, worker));
}

async function insertUsers(client: pg.Client, from: number, to: number): Promise<void> {
  // A bcrypt-shaped 60-character hash keeps rows the size of real ones.
  await client.query(
    `INSERT INTO portal_users (email, hashed_password, name, is_admin, created_at, updated_at)
     SELECT 'user' || i || '@example.com',
            '$2b$12$' || left(md5(i::text) || md5((-i)::text), 53),
            'User ' || i,
            i % ${ADMIN_EVERY} = 0,
            now() - i * interval '1 second',
            now() - i * interval '1 second'
     FROM generate_series($1::int, $2::int) AS i`,
    [from, to],
  );
}

/** Fails the benchmark if a contender left wrong data: a fast wrong migration measures nothing. */
export async function assertMigrated(client: pg.Client, direction: 'up' | 'down', templates: Pick<Templates, 'rows' | 'admins'>): Promise<void> {
  const { rows, admins } = templates;
  const query =
    direction === 'up'
      ? `SELECT count(*) AS total, count(*) FILTER (WHERE role = 'platform_admin') AS admins,
                count(*) FILTER (WHERE role <> 'customer_admin' AND role <> 'platform_admin') AS others FROM portal_users`
      : `SELECT count(*) AS total, count(*) FILTER (WHERE is_admin) AS admins, 0 AS others FROM portal_users`;
  const { rows: [r] } = await client.query(query);
  const seen = { total: Number(r.total), admins: Number(r.admins), others: Number(r.others) };
  if (seen.total !== rows || seen.admins !== admins || seen.others !== 0) {
    throw new Error(`after ${direction}, portal_users holds ${JSON.stringify(seen)}; expected ${rows} rows, ${admins} admins`);
  }
}
